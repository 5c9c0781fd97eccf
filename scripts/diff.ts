/**
 * `npm run diff [-- --against <ref>] [--to <ref>] [--markdown]`: what changes in dist/ between a git
 * ref (default HEAD) and the working copy (or `--to <ref>`), per environment and service, with the
 * changes Kubernetes rejects or that replace objects flagged. Read-only; always exits 0 unless the
 * arguments are wrong. `--against dist` compares with the published dist branch.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { readDistAtRef, readDistDir } from '../tools/dist-tree.ts';
import { diffDist, formatDiffMarkdown, formatDiffText } from '../tools/diff.ts';
import { resolveCommit } from '../tools/git.ts';
import { cliArgs } from '../tools/args.ts';

const args = cliArgs(process.argv.slice(2), { values: ['against', 'to', 'dir'], flags: ['markdown'] }, 'npm run diff -- [--against <ref>] [--to <ref>] [--markdown] [--dir dist]');
const against = args.values.against ?? 'HEAD';
const dir = args.values.dir ?? 'dist';

function tree(ref: string) {
  const commit = resolveCommit(REPO_ROOT, ref);
  if (!commit) {
    console.error(`diff: "${ref}" is not a commit of this repository (try HEAD, main, origin/main, dist)`);
    process.exit(2);
  }
  return readDistAtRef(REPO_ROOT, commit, dir);
}

const before = tree(against);
const after = args.values.to ? tree(args.values.to) : readDistDir(join(REPO_ROOT, dir));
const title = `${against} → ${args.values.to ?? 'working copy'}`;
const report = diffDist(before, after);
process.stdout.write(args.flags.markdown ? formatDiffMarkdown(report, { title }) : formatDiffText(report, { title }));
