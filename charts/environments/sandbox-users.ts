import type { SandboxUser } from './types.ts';

/**
 * Who has a personal sandbox (vcluster `sandbox-<github>` in namespace `sandbox-<github>`). One line
 * per user, sorted by login; the owner must be a member (cluster-access.ts). `expires` is required and
 * at most 180 days ahead: synth warns 14 days before and drops the sandbox after that day. The
 * "Personal sandbox" issue form opens the pull request that adds a line (scripts/request-pr.ts).
 * Today's two sandboxes got the last day of the 2027 winter term when expiry became required.
 */
// biome-ignore format: one entry per line, the lines `npm run request` adds (tools/requests.ts)
export const SANDBOX_USERS: readonly SandboxUser[] = [
  { github: 'epsot', size: 'small', expires: '2027-04-30' },
  { github: 'svc-cedille-user', size: 'small', expires: '2027-04-30' },
];
