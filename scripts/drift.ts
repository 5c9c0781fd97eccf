/**
 * `npm run drift [-- --all] [--markdown] [--strict] [--dir dist]`: for each service present in
 * several environments, what differs between them once the environment's name, label, domain and
 * Argo CD destination are normalised away. Intended differences come from
 * charts/environments/intended-differences.ts and are hidden unless `--all`. `--strict` exits 1
 * when an unreviewed difference (or a stale allowance) remains.
 */
import { join } from 'node:path';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { INTENDED_DIFFERENCES } from '../charts/environments/intended-differences.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';
import { readDistDir } from '../tools/dist-tree.ts';
import { computeDrift, formatDrift, unreviewed } from '../tools/drift.ts';

const args = cliArgs(process.argv.slice(2), { values: ['dir'], flags: ['all', 'markdown', 'strict'] }, 'npm run drift -- [--all] [--markdown] [--strict] [--dir dist]');
const tree = readDistDir(join(REPO_ROOT, args.values.dir ?? 'dist'));
const report = computeDrift(tree, ENVIRONMENTS, INTENDED_DIFFERENCES);
process.stdout.write(formatDrift(report, { showIntended: args.flags.all, markdown: args.flags.markdown }));
if (args.flags.strict && (unreviewed(report) > 0 || report.unusedAllowances.length > 0)) process.exit(1);
