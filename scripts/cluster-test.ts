/**
 * `npm run cluster:test [DIR] [-- --from <ref>] [--no-upgrade]`: real etcd + kube-apiserver (built
 * from pinned Go modules, tools/go/) receive DIR (default dist/) the way Argo CD syncs it — every
 * environment, in order, server-side dry-run then apply, as each AppProject's service account — then
 * again (must change nothing), and the upgrade from the published tree (`--from`, default the `dist`
 * branch, else `origin/dist`). Exit 1 with every refusal (file, object, the API server's message);
 * exit 2 with one message when Go or openssl is missing.
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
import { renderedObjects } from '../tools/cluster/rendered.ts';
import { failures, runClusterTest } from '../tools/cluster/run.ts';
import { readDistAtRef, readDistDir } from '../tools/dist-tree.ts';
import { resolveCommit } from '../tools/git.ts';
import { GO_TOOLS, GoToolError, ensureGoBinary } from '../tools/go-binaries.ts';

const USAGE = 'npm run cluster:test -- [DIR] [--from <ref>] [--no-upgrade]';
const args = cliArgs(process.argv.slice(2), { values: ['from'], flags: ['no-upgrade'] }, USAGE);
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
  const refs = args.values.from ? [args.values.from] : ['dist', 'origin/dist'];
  const ref = refs.find((r) => resolveCommit(REPO_ROOT, r));
  if (ref) published = { ref, tree: readDistAtRef(REPO_ROOT, resolveCommit(REPO_ROOT, ref)!) };
  else if (args.values.from) stop(`--from ${args.values.from} is not a commit of this repository`);
  else console.log('upgrade: no published tree (no dist or origin/dist branch); skipped (give --from <ref>)');
}

const rendered = await renderedObjects(dir, process.env, (line) => console.log(line));
try {
  const report = await runClusterTest({
    manifests: loaded.manifests,
    tree: readDistDir(dir),
    ...(published ? { published } : {}),
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
  for (const notice of [...(rendered?.notices ?? []), ...report.plan.notices]) console.log(`note: ${notice}`);
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
      .join(', ')})`,
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
