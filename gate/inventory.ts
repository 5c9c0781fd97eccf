/**
 * One environment as the reference and ordering rules see it: its objects by identity, the
 * Applications of its root (which folder each syncs, at which wave; which upstream chart each
 * installs), the namespaces that will exist and how, and what upstream charts and the environment
 * data declare as provided. Built once per gate run.
 */
import { externalSecretTarget, groupOf, isClusterScoped } from '../charts/lib/kinds.ts';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../charts/lib/labels.ts';
import type { KubeObject, Manifest } from '../charts/lib/manifest.ts';
import { BUILT_IN_NAMESPACES, EMPTY_ENVIRONMENT_FACTS, type EnvironmentFacts, type GateFacts, type UpstreamSource } from './facts.ts';

export const ROOT = 'root';

export function waveOf(manifest: Manifest): number {
  const wave = manifest.object.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  return wave !== undefined && /^-?\d+$/.test(wave) ? Number(wave) : 0;
}

export function syncOptionsOf(manifest: Manifest): string[] {
  const options = manifest.object.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION];
  return options ? options.split(',').map((o) => o.trim()) : [];
}

export interface RootApplication {
  readonly manifest: Manifest;
  readonly name: string;
  readonly wave: number;
  readonly destinationNamespace?: string;
  readonly syncOptions: readonly string[];
}

export interface UpstreamApplication extends RootApplication {
  /** The catalogue entry it installs, when its source matches one. */
  readonly upstream?: UpstreamSource;
  readonly release?: string;
}

/** Where a namespace comes from. */
export type NamespaceSource =
  | { readonly kind: 'object'; readonly manifest: Manifest }
  | { readonly kind: 'application'; readonly application: RootApplication; readonly labels: Record<string, string> }
  | { readonly kind: 'provided'; readonly reason: string };

export interface ProvidedThing {
  readonly reason: string;
  /** A chart-made Service's declared ports (catalogue `provides.services`). */
  readonly ports?: readonly number[];
}

export interface EnvironmentInventory {
  readonly name: string;
  readonly facts: EnvironmentFacts;
  readonly manifests: readonly Manifest[];
  /** `group|Kind|namespace|name` → objects of the environment (all folders). */
  readonly objects: Map<string, Manifest[]>;
  /** Folder → the root Application syncing it. */
  readonly folderApplications: Map<string, RootApplication>;
  readonly upstreamApplications: readonly UpstreamApplication[];
  readonly namespaces: Map<string, NamespaceSource[]>;
  /** `group/Kind` → CRD objects in the tree. */
  readonly crds: Map<string, Manifest>;
  /** `kind|namespace|name` (namespace '' for cluster-scoped) → how it is provided without being in the tree. */
  readonly provided: Map<string, ProvidedThing>;
}

export function objectKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}|${kind}|${namespace ?? ''}|${name}`;
}

export function providedKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${namespace ?? ''}|${name}`;
}

/** Whether objects of this kind live in a namespace (CRDs in the tree say so themselves). */
export function isNamespaced(inventory: EnvironmentInventory, apiVersion: string, kind: string): boolean {
  const crd = inventory.crds.get(`${groupOf(apiVersion)}/${kind}`);
  if (crd) return (crd.object as any).spec?.scope !== 'Cluster';
  return !isClusterScoped(apiVersion, kind);
}

function matchUpstream(source: any, upstream: readonly UpstreamSource[]): UpstreamSource | undefined {
  if (!source) return undefined;
  const repo = String(source.repoURL ?? '').replace(/\/+$/, '');
  return upstream.find((candidate) => candidate.repoURL.replace(/\/+$/, '') === repo && (candidate.chart !== undefined ? candidate.chart === source.chart : candidate.path === source.path));
}

/** A source reading our own repository (the dist branch), not an upstream chart or release. */
export function isOwnSource(source: any, facts: GateFacts): boolean {
  if (!source || source.chart) return false;
  if (facts.repoURL) return String(source.repoURL ?? '').replace(/\/+$/, '') === facts.repoURL.replace(/\/+$/, '');
  return source.targetRevision === 'dist' && /^[a-z0-9-]+\/[a-z0-9-]+$/.test(String(source.path ?? ''));
}

const cache = new WeakMap<readonly Manifest[], WeakMap<GateFacts, Map<string, EnvironmentInventory>>>();

/** Inventories of every environment of a gate run (cached per manifests array and facts). */
export function inventories(manifests: readonly Manifest[], facts: GateFacts): Map<string, EnvironmentInventory> {
  let byFacts = cache.get(manifests);
  if (!byFacts) {
    byFacts = new WeakMap();
    cache.set(manifests, byFacts);
  }
  let result = byFacts.get(facts);
  if (!result) {
    result = buildInventories(manifests, facts);
    byFacts.set(facts, result);
  }
  return result;
}

function buildInventories(manifests: readonly Manifest[], facts: GateFacts): Map<string, EnvironmentInventory> {
  const grouped = new Map<string, Manifest[]>();
  for (const manifest of manifests) {
    const list = grouped.get(manifest.environment);
    if (list) list.push(manifest);
    else grouped.set(manifest.environment, [manifest]);
  }
  const result = new Map<string, EnvironmentInventory>();
  for (const [name, list] of grouped) result.set(name, buildInventory(name, list, facts));
  return result;
}

function buildInventory(name: string, manifests: readonly Manifest[], facts: GateFacts): EnvironmentInventory {
  const environmentFacts = facts.environments[name] ?? EMPTY_ENVIRONMENT_FACTS;
  const objects = new Map<string, Manifest[]>();
  const crds = new Map<string, Manifest>();
  for (const manifest of manifests) {
    const { apiVersion, kind } = manifest.object;
    if (kind === 'CustomResourceDefinition' && groupOf(apiVersion) === 'apiextensions.k8s.io') {
      const spec = (manifest.object as any).spec;
      if (spec?.group && spec?.names?.kind) crds.set(`${spec.group}/${spec.names.kind}`, manifest);
    }
  }
  for (const manifest of manifests) {
    const { apiVersion, kind, metadata } = manifest.object;
    // A namespace on a cluster-scoped kind is ignored by the API server (and reported by policy).
    const crd = crds.get(`${groupOf(apiVersion)}/${kind}`);
    const clusterScoped = crd ? (crd.object as any).spec?.scope === 'Cluster' : isClusterScoped(apiVersion, kind);
    const key = objectKey(groupOf(apiVersion), kind, clusterScoped ? undefined : metadata.namespace, metadata.name);
    const list = objects.get(key);
    if (list) list.push(manifest);
    else objects.set(key, [manifest]);
  }

  const folderApplications = new Map<string, RootApplication>();
  const upstreamApplications: UpstreamApplication[] = [];
  for (const manifest of manifests) {
    const object = manifest.object as any;
    if (manifest.folder !== ROOT || object.kind !== 'Application' || groupOf(object.apiVersion) !== 'argoproj.io') continue;
    const application: RootApplication = {
      manifest,
      name: object.metadata.name,
      wave: waveOf(manifest),
      destinationNamespace: object.spec?.destination?.namespace,
      syncOptions: object.spec?.syncPolicy?.syncOptions ?? [],
    };
    const sources: any[] = object.spec?.source ? [object.spec.source] : (object.spec?.sources ?? []);
    const own = sources.find((s) => isOwnSource(s, facts));
    const ownUpstream = own ? facts.upstream.find((u) => u.repoURL === own.repoURL && u.path === own.path) : undefined;
    if (own && !ownUpstream) {
      const path = String(own.path ?? '');
      if (path.startsWith(`${name}/`) && path.slice(name.length + 1) !== ROOT) folderApplications.set(path.slice(name.length + 1), application);
      continue; // a folder of ours, or the root of an environment
    }
    const upstream = ownUpstream ?? sources.map((s) => matchUpstream(s, facts.upstream)).find((u) => u !== undefined);
    const release = sources.find((s) => s.chart)?.helm?.releaseName ?? sources.find((s) => s.chart)?.chart;
    upstreamApplications.push({ ...application, upstream, release });
  }
  // Objects rendered from an upstream chart (npm run render) sit in a folder named after the
  // Application that installs them: that Application syncs them, at its wave.
  const folders = new Set(manifests.map((m) => m.folder));
  for (const application of upstreamApplications) if (folders.has(application.name)) folderApplications.set(application.name, application);

  const namespaces = new Map<string, NamespaceSource[]>();
  const addNamespace = (namespace: string, source: NamespaceSource) => {
    const list = namespaces.get(namespace);
    if (list) list.push(source);
    else namespaces.set(namespace, [source]);
  };
  for (const builtIn of BUILT_IN_NAMESPACES) addNamespace(builtIn, { kind: 'provided', reason: 'every Kubernetes cluster has it' });
  for (const namespace of environmentFacts.namespaces) addNamespace(namespace, { kind: 'provided', reason: 'declared provided by the host in the environment data' });
  for (const manifest of manifests) {
    if (manifest.object.kind === 'Namespace' && manifest.object.apiVersion === 'v1' && manifest.folder !== ROOT) addNamespace(manifest.object.metadata.name, { kind: 'object', manifest });
  }
  for (const application of upstreamApplications) {
    const object = application.manifest.object as any;
    if (application.destinationNamespace && (application.syncOptions.includes('CreateNamespace=true') || application.upstream?.createsNamespace)) {
      addNamespace(application.destinationNamespace, { kind: 'application', application, labels: object.spec?.syncPolicy?.managedNamespaceMetadata?.labels ?? {} });
    }
  }

  const provided = new Map<string, ProvidedThing>();
  for (const storageClass of environmentFacts.storageClasses) provided.set(providedKey('StorageClass', undefined, storageClass), { reason: 'provided by the host (environment data)' });
  const declared: [string, readonly { namespace: string; name: string; reason: string }[]][] = [
    ['Secret', environmentFacts.secrets],
    ['ConfigMap', environmentFacts.configMaps],
    ['ServiceAccount', environmentFacts.serviceAccounts],
    ['Service', environmentFacts.services],
  ];
  for (const [kind, list] of declared) for (const item of list) provided.set(providedKey(kind, item.namespace, item.name), { reason: item.reason });
  for (const application of upstreamApplications) {
    const provides = application.upstream?.provides;
    if (!provides) continue;
    const namespace = application.destinationNamespace;
    const reason = `created by ${application.upstream!.name} (Application ${application.name})`;
    const expand = (template: string) => template.replace(/\{release\}/g, application.release ?? application.upstream!.chart ?? '');
    const namespaced: [string, readonly string[] | undefined][] = [
      ['ServiceAccount', provides.serviceAccounts],
      ['Secret', provides.secrets],
      ['ConfigMap', provides.configMaps],
    ];
    for (const [kind, names] of namespaced) for (const item of names ?? []) provided.set(providedKey(kind, namespace, expand(item)), { reason });
    for (const service of provides.services ?? []) provided.set(providedKey('Service', namespace, expand(service.name)), { reason, ports: service.ports });
    const clusterScoped: [string, readonly string[] | undefined][] = [
      ['StorageClass', provides.storageClasses],
      ['GatewayClass', provides.gatewayClasses],
      ['ClusterIssuer', provides.clusterIssuers],
    ];
    for (const [kind, names] of clusterScoped) for (const item of names ?? []) provided.set(providedKey(kind, undefined, expand(item)), { reason });
  }

  return { name, facts: environmentFacts, manifests, objects, folderApplications, upstreamApplications, namespaces, crds, provided };
}

/** `Kind namespace/name` (cluster-scoped: `Kind name`), as findings name an object. */
export function describeObject(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/** Whether the object writes the Secret of that name in its namespace: an ExternalSecret's target, a cert-manager Certificate's secretName. */
export function writesSecret(object: any, name: string): boolean {
  const group = groupOf(object.apiVersion);
  if (group === 'external-secrets.io' && object.kind === 'ExternalSecret') return externalSecretTarget(object) === name;
  if (group === 'cert-manager.io' && object.kind === 'Certificate') return object.spec?.secretName === name;
  return false;
}

/** Objects of the environment with this identity. */
export function lookup(inventory: EnvironmentInventory, group: string, kind: string, namespace: string | undefined, name: string): Manifest[] {
  return inventory.objects.get(objectKey(group, kind, namespace, name)) ?? [];
}
