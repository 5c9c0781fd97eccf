import type { SandboxUser } from './types.ts';

/**
 * Who has a personal sandbox (vcluster `sandbox-<github>` in namespace `sandbox-<github>`).
 * Adding a user is one line; past `expires` synth drops the sandbox and warns.
 */
export const SANDBOX_USERS: readonly SandboxUser[] = [{ github: 'svc-cedille-user' }, { github: 'epsot', size: 'small' }];
