/**
 * `npm run omni:apply [-- --dry-run] [--file dist/omni/access-policy.yaml]`: applies the Omni access
 * policy with omnictl (OMNICTL names the binary; OMNI_ENDPOINT and OMNI_SERVICE_ACCOUNT_KEY come from
 * the repository settings). Used by .github/workflows/omni.yml.
 */
import { join } from 'node:path';
import { PLATFORM } from '../charts/environments/platform.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';
import { omniApply } from '../tools/omni-apply.ts';

const args = cliArgs(process.argv.slice(2), { values: ['file'], flags: ['dry-run'] }, 'npm run omni:apply -- [--dry-run] [--file dist/omni/access-policy.yaml]');
const result = omniApply({
  file: args.values.file ?? join(REPO_ROOT, 'dist', 'omni', 'access-policy.yaml'),
  clusterName: PLATFORM.omni.clusterName,
  dryRun: args.flags['dry-run'] === true,
  env: process.env,
});
(result.code === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
process.exit(result.code);
