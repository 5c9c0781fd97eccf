import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';
import { readDistAtRef, readDistDir } from '../tools/dist-tree.ts';
import { resolveCommit } from '../tools/git.ts';
import { converge } from '../tools/converge/index.ts';
import type { RenderedObjects } from '../tools/converge/simulate.ts';
import type { KubeObject } from '../charts/lib/manifest.ts';
import { renderDist } from '../tools/render/index.ts';
import { failed, timelineMarkdown, verdicts } from '../tools/converge/report.ts';

/**
 * `npm run converge [DIR] [-- --from <git ref>] [--rendered] [--write-doc] [--timeline]`: Argo CD's
 * sync of every environment from empty, simulated (tools/converge/). Exit 1 on a deadlock (with the
 * chain of causes) or anything synced but broken. `--from` also converges from that ref (e.g. the
 * published `dist` branch) to DIR and lists what day 2 prunes, creates and changes. `--rendered`
 * syncs the charts' rendered objects (npm run render, cached) instead of their declared products.
 */
const args = cliArgs(process.argv.slice(2), { values: ['from'], flags: ['rendered', 'write-doc', 'timeline'] }, 'npm run converge [DIR] [-- --from <git ref>] [--rendered] [--write-doc] [--timeline]');
const from = args.values.from;
const dir = args.positional[0] ?? join(REPO_ROOT, 'dist');

const started = performance.now();
const tree = readDistDir(dir);
if (tree.size === 0) {
  console.error(`converge: ${dir} holds no dist tree`);
  process.exit(2);
}
let before: ReturnType<typeof readDistAtRef> | undefined;
if (from) {
  const commit = resolveCommit(REPO_ROOT, from);
  if (!commit) {
    console.error(`converge: git ref ${from} not found (fetch it first, e.g. git fetch origin dist:dist)`);
    process.exit(2);
  }
  before = readDistAtRef(REPO_ROOT, commit);
  console.log(`day 2: from ${from} (${commit.slice(0, 12)}) to ${dir}`);
}
let rendered: RenderedObjects | undefined;
if (args.flags.rendered) {
  const result = await renderDist(dir, { log: (line) => console.log(line) });
  const byApplication = new Map<string, KubeObject[]>();
  for (const manifest of result.manifests) {
    const list = byApplication.get(manifest.application) ?? [];
    list.push(manifest.object);
    byApplication.set(manifest.application, list);
  }
  rendered = (application) => byApplication.get(application.metadata.name);
  console.log(`rendered: ${result.manifests.length} objects of ${result.applications.length} Applications`);
}
const report = converge(tree, { ...(before ? { from: before } : {}), ...(rendered ? { rendered } : {}) });
const elapsed = performance.now() - started;

if (report.day2) {
  const { pruned, created, changed, rejected } = report.day2;
  console.log(`day 2: ${pruned.length} pruned, ${created.length} created, ${changed.length} changed in place, ${rejected.length} refused by the API server`);
  for (const line of pruned) console.log(`  prune    ${line}`);
  for (const line of created) console.log(`  create   ${line}`);
  for (const line of changed) console.log(`  change   ${line}`);
  for (const line of rejected) console.log(`  REFUSED  ${line}`);
}

if (args.flags.timeline) for (const event of report.result.events) console.log(`${String(event.time).padStart(5)}s ${event.environment.padEnd(8)} ${event.text}`);
for (const [environment, chain] of report.result.chains) {
  for (const cause of chain) console.log(`${environment}: deadlock: ${cause}`);
}
for (const finding of report.broken) console.log(`${finding.environment}: synced but broken: ${finding.message}`);
for (const line of verdicts(report)) console.log(line);
console.log(`converge: ${report.result.time}s simulated in ${(elapsed / 1000).toFixed(2)}s`);
if (args.flags['write-doc']) writeFileSync(join(REPO_ROOT, 'docs', 'bootstrap-timeline.md'), timelineMarkdown(report));
process.exit(failed(report) || (report.day2?.rejected.length ?? 0) > 0 ? 1 : 0);
