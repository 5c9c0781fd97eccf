/**
 * Renders every Helm-sourced Argo CD Application of a dist tree the way Argo CD v2.14 does, cached.
 *
 * API (consumed by converge #16 and apiserver #17; keep it stable):
 *   renderDist(distDir, options?) → Promise<RenderResult>
 *     result.applications: one RenderedApplication per Helm Application (environment, Application
 *       name, chart, version, wave, namespace, cached, ms, cacheDir, nondeterminism)
 *     result.manifests: every rendered object as a RenderedManifest: a Manifest (charts/lib/manifest.ts)
 *       with `folder` = the Application's name, plus `application`, `chart`, `version`, `wave`
 *   helm is built from tools/go/helm on first use only (a warm cache never runs it).
 *
 * Cache: `.cache/rendered/<env>/<application>/` holds `render.json` (key, chart, determinism
 * findings), `manifest.yaml` (helm's output, first render) and `objects.json` (its objects as
 * Argo CD decodes them). The key hashes the chart's sha256,
 * the values, the Kubernetes version, the API versions, release name, namespace, skipCrds and the
 * helm build: any change re-renders; nothing else does.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isClusterScoped } from '../../charts/lib/kinds.ts';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { assignFileNames, compare } from '../../charts/lib/render.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { builtInApiVersions, crdApiVersions, pinnedCrdApiVersions } from './api-versions.ts';
import { readDistApplications, type HelmApplicationSource } from './applications.ts';
import { chartSources, resolveChart, type ChartSources, type ResolvedChart } from './charts.ts';
import { determinismFindings, type DeterminismFinding } from './determinism.ts';
import { GO_TOOLS, ensureGoBinary, toolKey } from '../go-binaries.ts';
import { ensureHelm, helmIdentity } from './helm.ts';

export const RENDER_CACHE_DIR = join(REPO_ROOT, '.cache', 'rendered');

/** Bumped when the way we call helm or post-process its output changes (invalidates the cache). */
const RENDERER_VERSION = 2;

/** A rendered object: a Manifest whose folder is the Application that syncs it. */
export interface RenderedManifest extends Manifest {
  /** Argo CD Application name, e.g. `prod-grafana-chart` (also `folder`). */
  readonly application: string;
  readonly chart: string;
  readonly version: string;
  /** The Application's sync wave. */
  readonly wave: number;
}

export interface RenderedApplication {
  readonly source: HelmApplicationSource;
  readonly environment: string;
  readonly application: string;
  readonly chart: ResolvedChart;
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  readonly manifests: readonly RenderedManifest[];
  readonly cached: boolean;
  readonly ms: number;
  readonly key: string;
  readonly cacheDir: string;
  /** Fields that differed between two renders and no ignoreDifferences covers. */
  readonly nondeterminism: readonly DeterminismFinding[];
  /** Helm hooks Argo CD never applies (test, pre/post-delete), left out of `manifests`. */
  readonly hooksLeftOut: number;
}

export interface RenderOptions {
  /** Kubernetes minor of an environment (`1.28`). @default from charts/environments */
  readonly kubernetesVersion?: (environment: string) => string;
  /** Extra API versions an environment serves from non-Helm Applications at a wave (CRDs of manifest releases). */
  readonly extraApiVersions?: (environment: string, beforeWave: number) => readonly string[];
  readonly sources?: ChartSources;
  readonly cacheDir?: string;
  /** Render even when the cache is current. @default false */
  readonly force?: boolean;
  /** Parallel helm processes. @default 2 */
  readonly concurrency?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Only these Applications (names). @default all */
  readonly only?: readonly string[];
}

export interface RenderResult {
  readonly environments: readonly string[];
  readonly applications: readonly RenderedApplication[];
  readonly manifests: readonly RenderedManifest[];
  /** Our own objects of the tree (as loadTree reads them), for a gate over both. */
  readonly distManifests: readonly Manifest[];
  readonly problems: readonly string[];
  readonly ms: number;
}

export class RenderError extends Error {}

function hash(value: unknown): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value))
    .digest('hex');
}

/** Runs a binary, resolving with stdout; rejects with its own message. */
function run(binary: string, args: readonly string[], what: string, input?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // helm keeps its repository cache and config under .cache/helm, never in the user's home.
      env: { ...process.env, HELM_CACHE_HOME: join(REPO_ROOT, '.cache', 'helm'), HELM_CONFIG_HOME: join(REPO_ROOT, '.cache', 'helm', 'config'), HELM_DATA_HOME: join(REPO_ROOT, '.cache', 'helm', 'data') },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out).toString('utf8'));
      else reject(new RenderError(`${what}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-5).join(' ')}`));
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The `helm template` arguments Argo CD v2.14 uses (argo-cd v2.14.21 util/helm/cmd.go `template`). */
export function helmTemplateArgs(chartFile: string, source: HelmApplicationSource, valuesFile: string, kubeVersion: string, apiVersions: readonly string[]): string[] {
  const args = ['template', chartFile, '--name-template', source.releaseName];
  if (source.namespace) args.push('--namespace', source.namespace);
  args.push('--kube-version', kubeVersion);
  args.push('--values', valuesFile);
  for (const apiVersion of apiVersions) args.push('--api-versions', apiVersion);
  if (!source.skipCrds) args.push('--include-crds');
  return args;
}

/** Decoded documents as objects, the way Argo CD takes them (argo-cd v2.14.21 util/kube/kube.go SplitYAML: `List`s flattened). */
export function flattenLists(documents: readonly any[]): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const value of documents) {
    if (value === null || typeof value !== 'object') continue;
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) objects.push(...value.items);
    else objects.push(value);
  }
  return objects;
}

/** helm's output decoded by tools/go/kubeyaml (Argo CD's YAML reader). */
async function decode(kubeyaml: string, text: string, what: string): Promise<KubeObject[]> {
  return flattenLists(JSON.parse(await run(kubeyaml, [], `${what}: helm output is not valid YAML for Argo CD`, text)) as any[]);
}

/**
 * The namespace Argo CD gives an object: the destination namespace for a namespaced object that has
 * none, none at all for a cluster-scoped one (gitops-engine v0.7 pkg/sync/sync_context.go, as
 * vendored by argo-cd v2.14.21: `SetNamespace` on namespaced tasks, cleared on cluster-scoped ones).
 */
function withNamespace(object: KubeObject, namespace: string, clusterScopedCustom: ReadonlySet<string>): KubeObject {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const clusterScoped = isClusterScoped(object.apiVersion, object.kind) || clusterScopedCustom.has(`${group}/${object.kind}`);
  if (clusterScoped) {
    if (object.metadata?.namespace === undefined) return object;
    const { namespace: _dropped, ...metadata } = object.metadata;
    return { ...object, metadata: metadata as KubeObject['metadata'] };
  }
  if (object.metadata?.namespace || !namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/**
 * Without its null fields: `annotations:` left empty by a template decodes to null, which the API
 * server treats as absent (apimachinery decodes null into the zero value; in an apply patch null
 * means "not set"). The objects are what the cluster stores, not the template's spelling.
 */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = withoutNulls(item);
    return out as T;
  }
  return value;
}

/**
 * Helm hooks Argo CD maps to its own (pre-/post-install and -upgrade → PreSync/PostSync) are kept
 * with their annotations; others (test, pre-/post-delete, rollback) are never applied by Argo CD
 * v2.14 (gitops-engine v0.7 pkg/sync/hook/helm/type.go `hookTypes`, hook.go `Skip`).
 */
const ARGO_MAPPED_HELM_HOOKS = new Set(['pre-install', 'pre-upgrade', 'post-install', 'post-upgrade', 'crd-install']);

export function appliedByArgo(object: KubeObject): boolean {
  const argoHook = object.metadata?.annotations?.['argocd.argoproj.io/hook'];
  if (argoHook !== undefined) return true;
  const helmHook = object.metadata?.annotations?.['helm.sh/hook'];
  if (helmHook === undefined) return true;
  return helmHook
    .split(',')
    .map((h) => h.trim())
    .some((h) => ARGO_MAPPED_HELM_HOOKS.has(h));
}

function toManifests(source: HelmApplicationSource, objects: readonly KubeObject[], clusterScopedCustom: ReadonlySet<string>): RenderedManifest[] {
  const placed = objects.filter(appliedByArgo).map((object) => withNamespace(withoutNulls(object), source.namespace, clusterScopedCustom));
  const files = assignFileNames(placed);
  return placed.map((object, i) => ({
    environment: source.environment,
    folder: source.name,
    file: files[i]!,
    source: `${source.environment}/root/${source.manifest.file} (helm ${source.chart.chart}@${source.chart.version})`,
    object,
    application: source.name,
    chart: source.chart.chart,
    version: source.chart.version,
    wave: source.wave,
  }));
}

/** Cluster-scoped custom kinds declared by CRDs (`group/Kind`). */
function clusterScopedKinds(objects: readonly KubeObject[], into: Set<string>): void {
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const spec = (object as any).spec;
    if (spec?.scope === 'Cluster') into.add(`${spec.group}/${spec.names?.kind}`);
  }
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  });
  await Promise.all(workers);
  return results;
}

interface CacheRecord {
  readonly key: string;
  readonly chart: { chart: string; version: string; sha256: string; origin: string };
  readonly kubeVersion: string;
  readonly nondeterminism: DeterminismFinding[];
}

export async function renderDist(distDir: string, options: RenderOptions = {}): Promise<RenderResult> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const tree = readDistApplications(distDir);
  const sources = options.sources ?? chartSources(env);
  const cacheRoot = options.cacheDir ?? RENDER_CACHE_DIR;
  const kubernetesVersion = options.kubernetesVersion ?? (await defaultKubernetesVersions());
  const extraApiVersions = options.extraApiVersions ?? (await releaseCrdApiVersions(tree.manifests));
  const helm = () => ensureHelm(env, log);
  const identity = helmIdentity(env);
  const selected = tree.helm.filter((a) => !options.only || options.only.includes(a.name));

  const rendered: RenderedApplication[] = [];
  const clusterScopedCustom = new Set<string>();
  // Waves in ascending order: an Application's --api-versions include the CRDs of every
  // Application of its environment at an earlier wave.
  const waves = [...new Set(selected.map((a) => a.wave))].sort((a, b) => a - b);
  for (const wave of waves) {
    const batch = selected.filter((a) => a.wave === wave);
    const tasks = batch.map((source) => async (): Promise<RenderedApplication> => {
      const appStarted = performance.now();
      const what = `${source.environment} › ${source.name} (${source.chart.chart}@${source.chart.version})`;
      const chart = resolveChart(source.chart, sources, helm);
      const minor = kubernetesVersion(source.environment);
      const kubeVersion = `v${minor}.0`;
      const earlier = rendered.filter((r) => r.environment === source.environment && r.source.wave < source.wave);
      const apiVersions = [...new Set([...builtInApiVersions(minor), ...earlier.flatMap((r) => crdApiVersions(r.manifests.map((m) => m.object))), ...extraApiVersions(source.environment, source.wave)])].sort(compare);
      const key = hash({
        renderer: RENDERER_VERSION,
        helm: identity,
        kubeyaml: toolKey(GO_TOOLS.kubeyaml!),
        chart: chart.sha256,
        values: hash(source.values),
        kubeVersion,
        apiVersions: hash(apiVersions),
        release: source.releaseName,
        namespace: source.namespace,
        skipCrds: source.skipCrds,
        ignore: hash([source.ignoreDifferences, source.ignoreDifferencesReason ?? '']),
      });
      const cacheDir = join(cacheRoot, source.environment, source.name);
      const recordFile = join(cacheDir, 'render.json');
      const objectsFile = join(cacheDir, 'objects.json');
      // What the caller gets, from the cache or from a fresh render alike.
      const result = (objects: any[], cached: boolean, found: typeof nondeterminism) => {
        clusterScopedKinds(objects, clusterScopedCustom);
        const manifests = toManifests(source, objects, clusterScopedCustom);
        return {
          source,
          environment: source.environment,
          application: source.name,
          chart,
          kubeVersion,
          apiVersions,
          manifests,
          cached,
          ms: performance.now() - appStarted,
          key,
          cacheDir,
          nondeterminism: found,
          hooksLeftOut: objects.length - manifests.length,
        };
      };
      if (!options.force && existsSync(recordFile) && existsSync(objectsFile)) {
        const record = JSON.parse(readFileSync(recordFile, 'utf8')) as CacheRecord;
        if (record.key === key) {
          return result(flattenLists(JSON.parse(readFileSync(objectsFile, 'utf8')) as any[]), true, record.nondeterminism);
        }
      }
      const binary = helm();
      const kubeyaml = ensureGoBinary(GO_TOOLS.kubeyaml!, env, log);
      const work = `${cacheDir}.partial-${process.pid}`;
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      let objects: KubeObject[];
      let nondeterminism: DeterminismFinding[];
      try {
        const valuesFile = join(work, 'values.json');
        writeFileSync(valuesFile, JSON.stringify(source.values));
        const args = helmTemplateArgs(chart.file, source, valuesFile, kubeVersion, apiVersions);
        // Twice: what differs between two renders changes on every Argo CD refresh (perpetual OutOfSync).
        const [first, second] = await Promise.all([run(binary, args, `${what}: helm template failed`), run(binary, args, `${what}: helm template failed`)]);
        objects = await decode(kubeyaml, first, what);
        // Compared as Argo CD would apply them (namespace set, nulls dropped), so findings name the live object.
        const asApplied = (list: readonly KubeObject[]) => list.map((o) => withNamespace(withoutNulls(o), source.namespace, clusterScopedCustom));
        nondeterminism = determinismFindings(source, asApplied(objects), asApplied(await decode(kubeyaml, second, what)));
        writeFileSync(join(work, 'manifest.yaml'), first);
        writeFileSync(join(work, 'objects.json'), JSON.stringify(objects));
        rmSync(valuesFile);
        const record: CacheRecord = { key, chart: { chart: chart.chart, version: chart.version, sha256: chart.sha256, origin: chart.origin }, kubeVersion, nondeterminism };
        writeFileSync(join(work, 'render.json'), `${JSON.stringify(record, null, 2)}\n`);
        rmSync(cacheDir, { recursive: true, force: true });
        mkdirSync(join(cacheDir, '..'), { recursive: true });
        renameSync(work, cacheDir);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      return result(objects, false, nondeterminism);
    });
    rendered.push(...(await pool(tasks, options.concurrency ?? 2)));
  }
  const applications = [...rendered].sort((a, b) => compare(a.environment, b.environment) || a.source.wave - b.source.wave || compare(a.application, b.application));
  return {
    environments: tree.environments,
    applications,
    manifests: applications.flatMap((a) => a.manifests),
    distManifests: tree.manifests,
    problems: tree.problems,
    ms: performance.now() - started,
  };
}

/**
 * CRDs installed before a wave by the environment's non-Helm upstream Applications (release
 * manifests such as the Gateway API): their catalogue `crdGroups`, at the versions of the pinned CRDs.
 */
async function releaseCrdApiVersions(manifests: readonly Manifest[]): Promise<(environment: string, beforeWave: number) => string[]> {
  const [{ ENVIRONMENTS }, { gateFacts }, { inventories }] = await Promise.all([import('../../charts/environments/index.ts'), import('../../charts/app/gate-facts.ts'), import('../../gate/inventory.ts')]);
  const byEnvironment = inventories(manifests, gateFacts(ENVIRONMENTS));
  return (environment, beforeWave) => {
    const releases = (byEnvironment.get(environment)?.upstreamApplications ?? []).filter((a) => a.wave < beforeWave && a.upstream && a.upstream.chart === undefined);
    return pinnedCrdApiVersions([...new Set(releases.flatMap((a) => a.upstream!.crdGroups))]);
  };
}

/** Kubernetes minor of each environment from the environment data (charts/environments). */
async function defaultKubernetesVersions(): Promise<(environment: string) => string> {
  const { ENVIRONMENTS } = await import('../../charts/environments/index.ts');
  return (name: string) => {
    const environment = ENVIRONMENTS.find((e) => e.name === name);
    if (!environment) throw new RenderError(`environment ${name} of the dist tree is not in charts/environments; pass kubernetesVersion`);
    return environment.platform.kubernetesVersion;
  };
}

export { readDistApplications, type HelmApplicationSource } from './applications.ts';
export { chartSources, ChartError, type ResolvedChart } from './charts.ts';
export type { DeterminismFinding } from './determinism.ts';
