/**
 * `npm run publish [-- --branch dist] [--source HEAD] [--push [--remote origin]] [--allow-dirty]`:
 * commits dist/ to the dist branch with its provenance (never checks anything out), or says that
 * nothing changed. Pushing is a separate, explicit flag. Exit 1 with the reason when it refuses
 * (dist/ dirty or empty, a branch we do not own).
 */
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';
import { publish, PublishRefused } from '../tools/publish.ts';

const args = cliArgs(process.argv.slice(2), { values: ['branch', 'source', 'remote'], flags: ['push', 'allow-dirty'] }, 'npm run publish -- [--branch dist] [--source HEAD] [--push [--remote origin]] [--allow-dirty]');
try {
  const result = publish({
    repo: REPO_ROOT,
    branch: args.values.branch ?? 'dist',
    sourceRef: args.values.source ?? 'HEAD',
    allowDirty: args.flags['allow-dirty'] === true,
    ...(args.flags.push ? { pushTo: args.values.remote ?? 'origin' } : {}),
  });
  if (result.status === 'unchanged') {
    console.log(`publish: dist/ is unchanged since ${result.commit.slice(0, 12)}; no commit`);
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
