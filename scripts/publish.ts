/**
 * `npm run publish [-- --branch dist] [--source HEAD] [--push [--remote origin]] [--force "<reason>"]`:
 * commits dist/ to the dist branch with its provenance (never checks anything out), or says that
 * nothing changed. Pushing is a separate, explicit flag. Exit 1 with the reason when it refuses
 * (dist/ dirty, stale or empty, a branch we do not own, a provenance that does not verify, a source
 * that does not descend from the last published one, a refused push).
 */
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { synthesize } from '../charts/app/synth.ts';
import { today } from '../charts/app/sandboxes.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { git } from '../tools/git.ts';
import { cliArgs } from '../tools/args.ts';
import { publish, PublishRefused } from '../tools/publish.ts';

const args = cliArgs(process.argv.slice(2), { values: ['branch', 'source', 'remote', 'force'], flags: ['push'] }, 'npm run publish -- [--branch dist] [--source HEAD] [--push [--remote origin]] [--force "<reason>"]');
try {
  // dist/ must be what the source produces now: re-synthesize (in memory) and compare.
  const sourceChanges = git(REPO_ROOT, ['status', '--porcelain', '--untracked-files=no', '--', 'charts', 'gate', 'imports', 'package.json', 'package-lock.json']).trim();
  if (sourceChanges)
    throw new PublishRefused(
      `the source has uncommitted changes (${sourceChanges
        .split('\n')
        .slice(0, 3)
        .map((l) => l.slice(3))
        .join(', ')}), so a fresh synth would not be the source commit's; commit or stash them`,
    );
  const fresh = synthesize({ environments: ENVIRONMENTS, today: today() });
  if (!fresh.ok) throw new PublishRefused(`synth of the source fails, so dist/ cannot be current:\n${fresh.problems}`);
  const result = publish({
    repo: REPO_ROOT,
    branch: args.values.branch ?? 'dist',
    sourceRef: args.values.source ?? 'HEAD',
    freshFiles: fresh.files,
    ...(args.values.force !== undefined ? { forceReason: args.values.force } : {}),
    ...(args.flags.push ? { pushTo: args.values.remote ?? 'origin' } : {}),
  });
  if (result.status === 'unchanged') {
    console.log(`publish: dist/ is unchanged since ${result.commit.slice(0, 12)}; no commit${result.pushed ? ' (pushed: the remote was behind)' : ''}`);
  } else {
    console.log(`publish: ${result.commit.slice(0, 12)} on ${args.values.branch ?? 'dist'}${result.pushed ? ' (pushed)' : ' (not pushed; add --push)'}\n`);
    console.log(result.message.trimEnd());
  }
} catch (error) {
  if (error instanceof PublishRefused) {
    console.error(`publish refused: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
