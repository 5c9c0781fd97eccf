/**
 * `npm run diff [-- --against <ref>] [--to <ref>] [--markdown]`: what changes in dist/ between a git
 * ref (default HEAD) and the working copy (or `--to <ref>`), per environment and service, with the
 * changes Kubernetes rejects or that replace objects flagged. Read-only; always exits 0 unless the
 * arguments are wrong. `--against dist` compares with the published dist branch. Objects rendered
 * from the upstream charts (npm run render) are compared too, in a folder per Application
 * (`--no-render` leaves them out).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { readDistAtRef, readDistDir } from '../tools/dist-tree.ts';
import { diffDist, formatDiffMarkdown, formatDiffText } from '../tools/diff.ts';
import { resolveCommit } from '../tools/git.ts';
import { cliArgs } from '../tools/args.ts';
import { renderTree, withRenderedFiles } from '../tools/render/dist-files.ts';
import { RENDER_CACHE_DIR } from '../tools/render/index.ts';

const args = cliArgs(process.argv.slice(2), { values: ['against', 'to', 'dir'], flags: ['markdown', 'no-render'] }, 'npm run diff -- [--against <ref>] [--to <ref>] [--markdown] [--dir dist] [--no-render]');
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

let before = tree(against);
let after = args.values.to ? tree(args.values.to) : readDistDir(join(REPO_ROOT, dir));
const title = `${against} → ${args.values.to ?? 'working copy'}`;
// CommonJS once bundled (scripts/run.mjs): no top-level await.
void (async () => {
  // The objects Argo CD renders from the charts too (npm run render), unless --no-render: each side
  // is rendered into its own cache, so going back and forth re-renders nothing.
  let note = '';
  if (!args.flags['no-render']) {
    try {
      const [renderedBefore, renderedAfter] = [
        await renderTree(before, { cacheDir: join(RENDER_CACHE_DIR, '..', 'rendered-diff', 'before') }),
        await renderTree(after, { cacheDir: join(RENDER_CACHE_DIR, '..', 'rendered-diff', 'after') }),
      ];
      before = withRenderedFiles(before, renderedBefore);
      after = withRenderedFiles(after, renderedAfter);
      note = `Rendered chart objects included (folders named after their Application; Secret values shown as digests): ${renderedBefore.manifests.length} → ${renderedAfter.manifests.length}.\n`;
    } catch (error) {
      note = `Rendered chart objects NOT compared: ${(error as Error).message}\n`;
    }
  }
  const report = diffDist(before, after);
  process.stdout.write((args.flags.markdown ? formatDiffMarkdown(report, { title }) : formatDiffText(report, { title })) + (note ? `\n${note}` : ''));
})();
