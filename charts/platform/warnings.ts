import type { Environment } from '../environments/types.ts';
import { memberIdentityWarnings } from './cluster-access/cluster-access.ts';
import { meshMigrationWarnings } from './mesh/migrations.ts';

/**
 * Something in the data that synth accepts but a maintainer must act on (a member Omni cannot know
 * yet, a dated exception past its date). Given the environments as built (expired sandboxes already
 * dropped) and the synth date; each line names environment, service, the problem and the fix.
 */
export type DataWarning = (environments: readonly Environment[], today: string) => readonly string[];

/** Every service's warnings, printed by every synth after the sandbox expiry notices. */
export const DATA_WARNINGS: readonly DataWarning[] = [memberIdentityWarnings, meshMigrationWarnings];
