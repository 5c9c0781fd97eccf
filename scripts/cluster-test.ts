/**
 * `npm run cluster:test [DIR] [-- --from <ref>] [--no-upgrade] [--no-render]`: real etcd +
 * kube-apiserver (built from pinned Go modules, tools/go/) receive DIR (default dist/) and the
 * rendered charts the way Argo CD syncs them — every environment, in order, server-side dry-run then
 * apply, as each AppProject's service account, admission webhook configurations last — then again
 * (must change nothing), and the upgrade from the published tree (`--from`, default the `dist`
 * branch, else `origin/dist`, else the pinned commit of tools/cluster/upgrade.ts). Exit 1 with every
 * refusal (file, object, the API server's message); exit 2 with one message when a tool is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { gateFacts } from '../charts/app/gate-facts.ts';
import { PACKAGES } from '../charts/environments/catalogue.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { loadTree } from '../gate/load.ts';
import { REPO_ROOT, schemasDir } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';
import { crdFolders } from '../tools/cluster/plan.ts';
import { ControlPlaneError } from '../tools/cluster/control-plane.ts';
import { PkiError } from '../tools/cluster/pki.ts';
import { renderedObjects, renderedObjectsOfTree } from '../tools/cluster/rendered.ts';
import { PINNED_UPGRADE_BASE, upgradeBaseCandidates } from '../tools/cluster/upgrade.ts';
import { failures, runClusterTest } from '../tools/cluster/run.ts';
import { readDistAtRef, readDistDir } from '../tools/dist-tree.ts';
import { resolveCommit } from '../tools/git.ts';
import { GO_TOOLS, GoToolError, ensureGoBinary } from '../tools/go-binaries.ts';

const USAGE = 'npm run cluster:test -- [DIR] [--from <ref>] [--no-upgrade] [--no-render]';
const args = cliArgs(process.argv.slice(2), { values: ['from'], flags: ['no-upgrade', 'no-render'] }, USAGE);
const dir = resolve(args.positional[0] ?? join(REPO_ROOT, 'dist'));
const started = performance.now();

function stop(message: string): never {
  console.error(`cluster:test: ${message}`);
  process.exit(2);
}

let binaries: { etcd: string; kubeApiserver: string };
try {
  binaries = {
    etcd: ensureGoBinary(GO_TOOLS.etcd!, process.env, console.log),
    kubeApiserver: ensureGoBinary(GO_TOOLS['kube-apiserver']!, process.env, console.log),
  };
} catch (error) {
  if (error instanceof GoToolError) stop(error.message);
  throw error;
}
const built = performance.now();

if (!existsSync(dir)) stop(`${dir} does not exist (run npm run synth, or give a folder in dist layout)`);
const loaded = loadTree(
  dir,
  ENVIRONMENTS.map((e) => e.name),
);
if (loaded.problems.length > 0) stop(`${dir} has unreadable files:\n${loaded.problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`);
const host = ENVIRONMENTS.find((e) => e.cluster.kind !== 'vcluster')?.name ?? 'prod';
const facts = gateFacts(ENVIRONMENTS);
const schemas = schemasDir();

// The host's API server runs with the flags of the Talos cluster patch in the tree (dist/talos/cluster.yaml).
const talosPatch = join(dir, 'talos', 'cluster.yaml');
const hostArgs = existsSync(talosPatch) ? ((parse(readFileSync(talosPatch, 'utf8')) as any)?.cluster?.apiServer?.extraArgs ?? {}) : {};

let published: { ref: string; tree: ReturnType<typeof readDistDir> } | undefined;
if (!args.flags['no-upgrade']) {
  const refs = upgradeBaseCandidates(args.values.from);
  const ref = refs.find((r) => resolveCommit(REPO_ROOT, r));
  if (!ref) stop(`no tree to upgrade from: none of ${refs.join(', ')} is a commit of this repository (a shallow clone? fetch the history, give --from <ref>, or --no-upgrade)`);
  published = { ref: ref === PINNED_UPGRADE_BASE ? `${ref.slice(0, 7)} (pinned: no dist branch)` : ref, tree: readDistAtRef(REPO_ROOT, resolveCommit(REPO_ROOT, ref)!) };
}

// The rendered charts (tools/render, cached in .cache/rendered by `npm run render`; rendered here when the cache is not current).
const renderOptions = { log: (line: string) => console.log(line) };
async function rendering<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    stop(`rendering the charts of ${what} failed: ${(error as Error).message}\n  run \`npm run render\` (needs Go and the charts of ../shared/charts), or give --no-render`);
  }
}
const rendered = args.flags['no-render'] ? undefined : await rendering(dir, () => renderedObjects(dir, renderOptions));
const publishedRendered =
  published && !args.flags['no-render']
    ? await rendering(`the upgrade base ${published.ref}`, () => renderedObjectsOfTree(published!.tree, { ...renderOptions, cacheDir: join(REPO_ROOT, '.cache', 'rendered-upgrade-base') }))
    : undefined;
try {
  const report = await runClusterTest({
    manifests: loaded.manifests,
    tree: readDistDir(dir),
    ...(published ? { published: { ...published, ...(publishedRendered ? { rendered: publishedRendered.lookup } : {}) } } : {}),
    plan: {
      facts,
      host,
      crds: crdFolders([join(schemas, 'crds')]),
      packages: Object.values(PACKAGES),
      ...(rendered ? { rendered: rendered.lookup } : {}),
    },
    extraArgs: { [host]: hostArgs },
    binaries,
    serviceCidr: ENVIRONMENTS[0]!.platform.network.serviceCidr,
    log: (line) => console.log(line),
  });
  const problems = failures(report);
  console.log('');
  for (const notice of [...new Set([...(rendered?.notices ?? []), ...report.plan.notices])]) console.log(`note: ${notice}`);
  console.log(`clusters: ${report.plan.clusters.join(', ')} (one kube-apiserver each)`);
  console.log(`apply: ${report.fresh.counts.applications} Applications, ${report.fresh.counts.objects} objects, ${report.fresh.rejections.length + report.fresh.bootstrap.length} rejected`);
  console.log(
    `re-apply: ${report.reapply.counts.objects} objects, ${report.reapply.rejections.length} changed or rejected; ${report.reapply.rewritten.length} rewritten by the API server with the same content (new resourceVersion)`,
  );
  if (report.upgrade) {
    const { agreement, update, published: before } = report.upgrade;
    console.log(`upgrade from ${report.upgrade.ref}: published ${before.counts.objects} objects (${before.rejections.length} rejected), then ${update.counts.objects} objects (${update.rejections.length} rejected)`);
    for (const line of agreement.bothReject) console.log(`  refused by the API server and flagged by npm run diff: ${line}`);
    for (const line of agreement.replaced) console.log(`  replaced (npm run diff): ${line}`);
    console.log(`  agreement with npm run diff: ${agreement.onlyApiServer.length + agreement.onlyDiff.length === 0 ? 'yes' : 'NO'}`);
  }
  const total = (performance.now() - started) / 1000;
  console.log(
    `time: ${total.toFixed(1)} s (binaries ${((built - started) / 1000).toFixed(1)} s; ${Object.entries(report.timings)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}; this process ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)} CPU-s)`,
  );
  console.log(
    `cpu: ${Object.entries(report.cpu)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}`,
  );
  if (problems.length > 0) {
    console.error(`\ncluster:test: ${problems.length} problem(s):`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log('cluster:test: every object accepted; a second apply changed nothing');
} catch (error) {
  if (error instanceof ControlPlaneError || error instanceof PkiError) stop(error.message);
  throw error;
}
