import { kindOrder } from '../argo-order.ts';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { groupOf } from '../../charts/lib/kinds.ts';
import { refOf, type ClusterView, type ControllerDeclaration, type ControllerRule, type Need, type ObjectRef, type RunbookStep } from '../../charts/lib/controller-model.ts';
import type { UpstreamSource } from '../../gate/facts.ts';
import { Cluster, keyOf, objectKey, isClusterScoped, type Creator } from './cluster.ts';
import type { HealthChecks, Health, HealthStatus } from './health.ts';
import { KUBERNETES_RULES, statefulSetClaims } from './kubernetes.ts';
import { identityOf, type DistTree } from '../dist-tree.ts';
import { updateFindings } from '../destructive.ts';

/**
 * A deterministic, in-process model of Argo CD v2.14 syncing a dist tree into empty clusters. Where
 * Argo CD decides, the rules are those of argoproj/argo-cd v2.14.21 and the gitops-engine commit it
 * vendors (c08b0a72c1f1), cited where modelled; what the controllers do comes from the services'
 * declarations (charts/platform/<service>/controller.ts). Time is simulated in steps of STEP_SECONDS.
 */

type Json = Record<string, any>;
export const IN_CLUSTER = 'https://kubernetes.default.svc';
const STEP_SECONDS = 5;
/** Beyond this, nothing will change any more (the longest backoff is 5 minutes). */
const MAX_SECONDS = 6 * 3600;
const ARGOCD_NAMESPACE = 'argocd';
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** Objects of one Application's source when rendering is available (tools/render): `undefined` → the declared model. */
export type RenderedObjects = (application: KubeObject) => KubeObject[] | undefined;

export interface ConvergeInput {
  readonly tree: DistTree;
  readonly declarations: readonly ControllerDeclaration[];
  readonly upstream: readonly UpstreamSource[];
  /** Per environment: namespaces and StorageClasses its cluster has before any sync (vcluster: from the host). */
  readonly hostProvided: Readonly<Record<string, { readonly namespaces: readonly string[]; readonly storageClasses: readonly string[] }>>;
  readonly repoURL: string;
  readonly rendered?: RenderedObjects;
  readonly health: HealthChecks;
}

export interface TimelineEvent {
  readonly time: number;
  readonly environment: string;
  readonly text: string;
}

export interface AppRecord {
  readonly name: string;
  readonly environment: string;
  readonly parent?: string;
  readonly wave: number;
  syncedAt?: number;
  healthyAt?: number;
  sync: string;
  health: HealthStatus;
  message: string;
  refused?: string;
  attempts: number;
}

export interface ConvergeResult {
  readonly apps: AppRecord[];
  readonly events: TimelineEvent[];
  readonly runbook: { readonly step: RunbookStep; readonly at?: number }[];
  readonly clusters: Map<string, Cluster>;
  readonly time: number;
  /** Per environment, why it did not converge (empty when it did). */
  readonly chains: Map<string, string[]>;
}

interface Task {
  readonly object: KubeObject;
  readonly phase: number;
  readonly wave: number;
  readonly hook: boolean;
  applied: boolean;
  /** The destination namespace CreateNamespace=true adds: not part of the source, never pruned. */
  readonly managedNamespace?: boolean;
}

interface Operation {
  tasks: Task[];
  phase: 'Running' | 'Succeeded' | 'Failed';
  message: string;
  dryRunDone: boolean;
  /** (phase, wave) of the last group applied. */
  current?: [number, number];
}

interface AppState {
  record: AppRecord;
  op?: Operation;
  retryAt?: number;
  source?: KubeObject[];
  sourceKey?: string;
}

function annotations(object: KubeObject): Record<string, string> {
  return object.metadata.annotations ?? {};
}

function hasOption(value: string | undefined, option: string): boolean {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes(option);
}

function parseDuration(text: string | undefined, fallback: number): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text ?? '');
  if (!match) return fallback;
  return Number(match[1]) * (match[2] === 'm' ? 60 : match[2] === 'h' ? 3600 : 1);
}

const PHASES: Record<string, number> = { PreSync: 0, Sync: 1, PostSync: 2 };

/**
 * Phase and wave of one object (gitops-engine pkg/sync/hook/hook.go and hook/helm/type.go): an Argo
 * CD hook annotation wins; else Helm's pre-install/pre-upgrade run as PreSync and
 * post-install/post-upgrade as PostSync, weighted by `helm.sh/hook-weight`; other Helm hooks
 * (test, pre-delete, …) are not synced. `undefined`: not part of the sync.
 */
export function syncPlacement(object: KubeObject): { phase: number; wave: number; hook: boolean } | undefined {
  const a = annotations(object);
  const argoHook = a['argocd.argoproj.io/hook'];
  if (argoHook) {
    const phase = argoHook
      .split(',')
      .map((s) => s.trim())
      .find((h) => h in PHASES);
    if (!phase) return undefined;
    return { phase: PHASES[phase]!, wave: Number(a[SYNC_WAVE] ?? 0), hook: true };
  }
  const helmHook = a['helm.sh/hook'];
  if (helmHook) {
    const types = helmHook.split(',').map((s) => s.trim());
    const phase = types.some((t) => t === 'pre-install' || t === 'pre-upgrade') ? 'PreSync' : types.some((t) => t === 'post-install' || t === 'post-upgrade') ? 'PostSync' : undefined;
    if (!phase) return undefined;
    return { phase: PHASES[phase]!, wave: Number(a['helm.sh/hook-weight'] ?? 0), hook: true };
  }
  return { phase: PHASES.Sync!, wave: Number(a[SYNC_WAVE] ?? 0), hook: false };
}

/** gitops-engine pkg/sync/sync_tasks.go: within a wave, kinds apply in kindOrder (tools/argo-order.ts), then by name. */
function compareTasks(a: Task, b: Task): number {
  return a.phase - b.phase || a.wave - b.wave || kindOrder(a.object.kind) - kindOrder(b.object.kind) || (a.object.metadata.name < b.object.metadata.name ? -1 : a.object.metadata.name > b.object.metadata.name ? 1 : 0);
}

/** Argo CD's health order (gitops-engine pkg/health/health.go IsWorse): the Application takes the worst. */
const HEALTH_ORDER: HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export function parseTree(tree: DistTree): Map<string, KubeObject[]> {
  const byFolder = new Map<string, KubeObject[]>();
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path)) continue;
    const folder = path.split('/').slice(0, -1).join('/');
    for (const document of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) {
      const object = document.toJS() as KubeObject | null;
      if (!object || typeof object !== 'object' || !object.kind || !object.metadata) continue;
      const list = byFolder.get(folder) ?? [];
      list.push(object);
      byFolder.set(folder, list);
    }
  }
  return byFolder;
}

export class Simulation {
  readonly clusters = new Map<string, Cluster>();
  readonly host: Cluster;
  readonly apps = new Map<string, AppState>();
  readonly events: TimelineEvent[] = [];
  folders: Map<string, KubeObject[]>;
  /** Bumped when the tree changes (day 2): every Application compares its source again. */
  private treeGeneration = 0;
  /** What day 2 did to the live objects. */
  readonly day2 = { pruned: [] as string[], created: [] as string[], changed: [] as string[], rejected: [] as string[] };
  readonly steps: RunbookStep[];
  readonly stepsDone = new Map<string, number>();
  readonly rules: { rule: ControllerRule; declaration: string }[];
  readonly vaultContents = new Map<string, Set<string>>();
  /** Fields of Applications' objects a controller rewrites (Argo CD would see them OutOfSync forever). */
  readonly rewritten = new Map<string, { cluster: Cluster; key: string; app: string; pointer: string; controller: string }>();
  /** Unmet needs of each object a controller waits on, per cluster and object key. */
  readonly blocked = new Map<string, { controller: string; needs: Need[] }>();
  time = 0;

  constructor(readonly input: ConvergeInput) {
    this.folders = parseTree(input.tree);
    this.steps = input.declarations.flatMap((d) => d.runbook ?? []).sort((a, b) => a.section - b.section);
    this.rules = [...KUBERNETES_RULES.map((rule) => ({ rule, declaration: 'kubernetes' })), ...input.declarations.flatMap((d) => (d.rules ?? []).map((rule) => ({ rule, declaration: d.service })))];
    for (const declaration of input.declarations) {
      for (const [path, properties] of Object.entries(declaration.vaultContents ?? {})) this.vaultContents.set(path, new Set(properties));
    }
    this.host = this.addCluster('prod', IN_CLUSTER, 'prod');
  }

  private addCluster(name: string, server: string, environment: string, vcluster?: { name: string; namespace: string }, host?: Cluster): Cluster {
    const cluster = new Cluster(name, server, environment, host);
    (cluster as { vcluster?: unknown }).vcluster = vcluster;
    for (const namespace of ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(this.input.hostProvided[environment]?.namespaces ?? [])]) {
      cluster.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { by: 'cluster', name }, this.time);
    }
    for (const storageClass of this.input.hostProvided[environment]?.storageClasses ?? []) {
      // A vcluster syncs the host's classes (sync.fromHost.storageClasses), default annotation included.
      const hostClass = host?.get({ group: 'storage.k8s.io', kind: 'StorageClass', name: storageClass })?.object;
      cluster.put(hostClass ?? { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: storageClass } }, { by: 'cluster', name: 'vcluster syncer' }, this.time);
    }
    this.clusters.set(server, cluster);
    return cluster;
  }

  private view(cluster: Cluster): ClusterView {
    const view = cluster.view(
      (step) => this.stepsDone.has(step),
      (path, property) => this.stepsDone.has('vault-configuration') && (this.vaultContents.get(path)?.has(property) ?? false),
    );
    return { ...view, vcluster: (cluster as { vcluster?: { name: string; namespace: string } }).vcluster };
  }

  private log(environment: string, text: string): void {
    this.events.push({ time: this.time, environment, text });
  }

  private needMet(cluster: Cluster, need: Need): boolean {
    if (need.ref.group === 'runbook') return this.stepsDone.has(need.ref.name);
    if (need.ref.group === 'vault') return need.ready ? need.ready({} as KubeObject) : false;
    const other = need.ref.cluster && need.ref.cluster !== 'host' ? need.ref.cluster.server : undefined;
    const live = other === undefined ? cluster.get(need.ref) : this.clusters.get(other)?.get({ ...need.ref, cluster: undefined });
    if (!live) return false;
    return need.ready ? need.ready(live.object) : true;
  }

  // ── the runbook ──────────────────────────────────────────────────────────
  private runbookTick(): boolean {
    const next = this.steps.find((step) => !this.stepsDone.has(step.id));
    if (!next) return false;
    const view = this.view(this.host);
    if (!next.after(view).every((need) => this.needMet(this.host, need))) return false;
    const creator: Creator = { by: 'human', name: `§${next.section}` };
    for (const object of next.makes(view)) this.host.put(object, creator, this.time);
    for (const path of next.appliesFromDist ?? []) {
      const text = this.input.tree.get(path);
      if (text === undefined) throw new Error(`runbook §${next.section} applies ${path}, which is not in the tree`);
      for (const document of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) this.host.put(document.toJS() as KubeObject, creator, this.time);
    }
    this.stepsDone.set(next.id, this.time);
    this.log('prod', `by hand: §${next.section} ${next.title}`);
    return true;
  }

  // ── controllers ──────────────────────────────────────────────────────────
  private controllerRuns(cluster: Cluster, rule: ControllerRule): boolean {
    const runs = rule.runs;
    if ('always' in runs) return true;
    if ('chart' in runs) {
      for (const state of this.apps.values()) {
        const app = this.host.get({ group: 'argoproj.io', kind: 'Application', namespace: ARGOCD_NAMESPACE, name: state.record.name })?.object as Json | undefined;
        if (app?.spec?.source?.chart === runs.chart && (app.spec.destination?.server ?? IN_CLUSTER) === cluster.server && state.op?.phase === 'Succeeded' && state.record.health === 'Healthy') return true;
      }
      return false;
    }
    const live = cluster.get({ group: 'apps', kind: runs.workload.kind, namespace: runs.workload.namespace, name: runs.workload.name })?.object as Json | undefined;
    return (live?.status?.availableReplicas ?? live?.status?.readyReplicas ?? live?.status?.numberAvailable ?? 0) > 0;
  }

  private controllersTick(): boolean {
    let changed = false;
    for (const cluster of [...this.clusters.values()]) {
      const view = this.view(cluster);
      for (const { rule } of this.rules) {
        if (!this.controllerRuns(cluster, rule)) continue;
        for (const live of cluster.list(rule.watches.group, rule.watches.kind)) {
          if (rule.owns && !rule.owns(live.object, view)) continue;
          const reaction = rule.react(live.object, view);
          const key = `${cluster.server}|${objectKey(live.object)}|${rule.controller}`;
          const unmet = reaction.needs.filter((need) => !this.needMet(cluster, need));
          if (unmet.length > 0) {
            this.blocked.set(key, { controller: rule.controller, needs: unmet });
            if (reaction.waitingStatus) changed = cluster.setStatus(objectKey(live.object), reaction.waitingStatus) || changed;
            continue;
          }
          this.blocked.delete(key);
          if (reaction.rewrites?.length && live.creator.by === 'app') {
            for (const pointer of reaction.rewrites)
              this.rewritten.set(`${cluster.server}|${objectKey(live.object)}|${pointer}`, { cluster, key: objectKey(live.object), app: live.creator.name, pointer, controller: rule.controller });
          }
          const creator: Creator = { by: 'controller', name: rule.controller };
          const makes = rule.watches.kind === 'StatefulSet' && rule.controller === 'kube-controller-manager' ? [...reaction.makes, ...statefulSetClaims(live.object)] : reaction.makes;
          for (const object of makes) {
            if (cluster.put(object, creator, this.time)) {
              changed = true;
              this.log(cluster.environment, `${rule.controller} made ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`);
            }
          }
          for (const object of reaction.makesInHost ?? []) {
            if (cluster.host?.put(object, creator, this.time)) changed = true;
          }
          for (const { server, objects } of reaction.makesIn ?? []) {
            const remote = this.clusters.get(server);
            for (const object of remote ? objects : []) {
              if (remote!.put(object, creator, this.time)) {
                changed = true;
                this.log(remote!.environment, `${rule.controller} (${cluster.environment}) pushed ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`);
              }
            }
          }
          if (reaction.status) changed = cluster.setStatus(objectKey(live.object), reaction.status) || changed;
          if (reaction.servesCluster && !this.clusters.has(reaction.servesCluster)) {
            const environment = this.environmentOfServer(reaction.servesCluster) ?? live.object.metadata.name;
            this.addCluster(live.object.metadata.name, reaction.servesCluster, environment, { name: live.object.metadata.name, namespace: live.object.metadata.namespace! }, cluster);
            this.log(environment, `vcluster ${live.object.metadata.namespace}/${live.object.metadata.name} serves ${reaction.servesCluster}`);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  /** The environment whose Applications deploy to `server` (from the tree's roots). */
  private environmentOfServer(server: string): string | undefined {
    for (const [folder, objects] of this.folders) {
      if (!folder.endsWith('/root')) continue;
      for (const object of objects) {
        if (object.kind === 'Application' && (object as Json).spec?.destination?.server === server) return folder.split('/')[0];
      }
    }
    return undefined;
  }

  // ── Argo CD ──────────────────────────────────────────────────────────────
  /** The objects an Application's source renders to. */
  sourceObjects(app: KubeObject): KubeObject[] {
    const spec: Json = (app as Json).spec ?? {};
    const source: Json = spec.source ?? {};
    const namespace: string = spec.destination?.namespace ?? 'default';
    if (source.repoURL === this.input.repoURL && source.path && this.folders.has(source.path) && !source.path.startsWith('releases/')) {
      return (this.folders.get(source.path) ?? []).map((object) => (isClusterScoped(object) || object.metadata.namespace ? object : { ...object, metadata: { ...object.metadata, namespace } }));
    }
    const rendered = this.input.rendered?.(app);
    if (rendered) return rendered;
    // Until rendered charts plug in: the CRDs the catalogue says the source installs, what it provides, and the declared workloads.
    const upstream = this.input.upstream.find((u) => u.repoURL === source.repoURL && (source.chart ? u.chart === source.chart : u.path === source.path));
    const release: string = source.helm?.releaseName ?? app.metadata.name;
    const objects: KubeObject[] = [];
    for (const group of upstream?.crdGroups ?? []) objects.push({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `(all).${group}` }, spec: { group } });
    if (upstream?.createsNamespace) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const provides = upstream?.provides ?? {};
    const named = (name: string) => name.replace('{release}', release);
    for (const name of provides.serviceAccounts ?? []) objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: named(name), namespace } });
    for (const service of provides.services ?? []) {
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: named(service.name), namespace }, spec: { ports: service.ports.map((port) => ({ port })) } });
    }
    for (const name of provides.secrets ?? []) objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: named(name), namespace } });
    for (const name of provides.configMaps ?? []) objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: named(name), namespace } });
    for (const name of provides.storageClasses ?? []) objects.push({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: named(name) } });
    for (const name of provides.gatewayClasses ?? []) objects.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: named(name) } });
    if (source.chart) {
      for (const declaration of this.input.declarations) {
        for (const products of declaration.charts ?? []) {
          if (products.chart === source.chart) objects.push(...products.objects(release, namespace, source.helm?.valuesObject ?? {}));
        }
      }
    }
    return objects;
  }

  private destination(app: Json): Cluster | string {
    const server: string = app.spec?.destination?.server ?? IN_CLUSTER;
    if (server === IN_CLUSTER) return this.host;
    const registered = this.host.list('', 'Secret', ARGOCD_NAMESPACE).some((live) => live.object.metadata.labels?.['argocd.argoproj.io/secret-type'] === 'cluster' && (live.object as Json).data?.server === server);
    if (!registered) return `cluster ${server} is not registered (no Secret labelled argocd.argoproj.io/secret-type=cluster with that server in ${ARGOCD_NAMESPACE})`;
    const cluster = this.clusters.get(server);
    if (!cluster) return `cluster ${server} is registered but does not answer`;
    return cluster;
  }

  private appState(app: KubeObject, parent: string | undefined): AppState {
    let state = this.apps.get(app.metadata.name);
    if (!state) {
      const path: string | undefined = (app as Json).spec?.source?.path;
      const environment = path?.endsWith('/root') ? path.split('/')[0]! : (app.metadata.labels?.['platform.cedille.club/environment'] ?? 'prod');
      state = { record: { name: app.metadata.name, environment, parent, wave: Number(annotations(app)[SYNC_WAVE] ?? 0), sync: 'Unknown', health: 'Progressing', message: '', attempts: 0 } };
      state.source = this.sourceObjects(app).filter((object) => syncPlacement(object) !== undefined);
      state.sourceKey = `${this.treeGeneration}|${JSON.stringify((app as Json).spec)}`;
      this.apps.set(app.metadata.name, state);
    }
    return state;
  }

  private argoTick(): boolean {
    let changed = false;
    const applications = this.host.list('argoproj.io', 'Application', ARGOCD_NAMESPACE).sort((a, b) => (a.object.metadata.name < b.object.metadata.name ? -1 : 1));
    for (const live of applications) {
      const app = live.object as Json;
      const parent = live.creator.by === 'app' ? live.creator.name : undefined;
      const state = this.appState(live.object, parent);
      const record = state.record;
      // controller/appcontroller.go → argo.ValidatePermissions: the project must exist ("default" always does once Argo CD runs).
      const project: string = app.spec?.project ?? 'default';
      if (!this.host.get({ group: 'argoproj.io', kind: 'AppProject', namespace: ARGOCD_NAMESPACE, name: project })) {
        const message = `Application referencing project ${project} which does not exist`;
        if (record.refused !== message) {
          record.refused = message;
          this.log(record.environment, `${record.name} refused: ${message}`);
          changed = true;
        }
        continue;
      }
      const destination = this.destination(app);
      if (typeof destination === 'string') {
        if (record.refused !== destination) {
          record.refused = destination;
          changed = true;
        }
        continue;
      }
      if (record.refused) {
        record.refused = undefined;
        changed = true;
      }
      const key = `${this.treeGeneration}|${JSON.stringify(app.spec)}`;
      if (state.sourceKey !== key) {
        const source = this.sourceObjects(live.object).filter((object) => syncPlacement(object) !== undefined);
        changed = this.prune(state, app, destination, source) || changed;
        state.source = source;
        state.sourceKey = key;
        state.op = undefined;
        record.attempts = 0;
      }
      changed = this.syncStep(state, app, destination) || changed;
      changed = this.updateStatus(state, live.object, destination) || changed;
    }
    return changed;
  }

  /**
   * Objects this Application created that its new source no longer has: deleted when the sync policy
   * prunes (an Application's own resources go with it: resources-finalizer.argocd.argoproj.io).
   */
  private prune(state: AppState, app: Json, cluster: Cluster, source: KubeObject[]): boolean {
    if (state.source === undefined || !app.spec?.syncPolicy?.automated?.prune) return false;
    const wanted = new Set(source.map((object) => objectKey(object)));
    let changed = false;
    for (const [key, live] of [...cluster.objects]) {
      if (live.creator.by !== 'app' || live.creator.name !== state.record.name || wanted.has(key)) continue;
      if (live.object.kind === 'Namespace' && live.object.metadata.name === app.spec?.destination?.namespace) continue; // CreateNamespace's
      cluster.delete(key);
      this.day2.pruned.push(`${state.record.name}: ${live.object.kind} ${live.object.metadata.namespace ? `${live.object.metadata.namespace}/` : ''}${live.object.metadata.name}`);
      this.log(state.record.environment, `${state.record.name} pruned ${live.object.kind} ${live.object.metadata.name}`);
      if (live.object.kind === 'Application') this.deleteApplication(live.object.metadata.name);
      changed = true;
    }
    return changed;
  }

  private deleteApplication(name: string): void {
    const state = this.apps.get(name);
    if (!state) return;
    for (const cluster of this.clusters.values()) {
      for (const [key, live] of [...cluster.objects]) {
        if (live.creator.by === 'app' && live.creator.name === name) {
          cluster.delete(key);
          if (live.object.kind === 'Application') this.deleteApplication(live.object.metadata.name);
        }
      }
    }
    this.apps.delete(name);
  }

  /** Day 2: the tree Argo CD reads becomes `tree`; run() again converges from the current state. */
  upgrade(tree: DistTree): void {
    this.folders = parseTree(tree);
    (this.input as { tree: DistTree }).tree = tree;
    this.treeAppsCache = undefined;
    this.treeGeneration++;
  }

  private failOperation(state: AppState, app: Json, message: string): void {
    const op = state.op!;
    op.phase = 'Failed';
    op.message = message;
    const retry: Json = app.spec?.syncPolicy?.retry ?? {};
    const limit: number = retry.limit ?? 0;
    state.record.attempts++;
    state.record.message = message;
    // controller/appcontroller.go processRequestedAppOperation + v1alpha1 RetryStrategy.NextRetryAt: backoff
    // duration × factor^(attempt-1), capped at maxDuration. Past the limit the operation stays Failed, and
    // auto-sync skips a revision it already failed on ("Skipping auto-sync: failed previous sync attempt").
    if (state.record.attempts <= limit) {
      const base = parseDuration(retry.backoff?.duration, 5);
      const factor: number = retry.backoff?.factor ?? 2;
      const cap = parseDuration(retry.backoff?.maxDuration, 180);
      state.retryAt = this.time + Math.min(base * factor ** (state.record.attempts - 1), cap);
      this.log(state.record.environment, `${state.record.name} sync failed (attempt ${state.record.attempts}/${limit}, retry at +${state.retryAt - this.time}s): ${message}`);
    } else {
      state.retryAt = undefined;
      this.log(state.record.environment, `${state.record.name} sync failed, retries exhausted: ${message}`);
    }
  }

  /** One reconciliation of an automated sync (gitops-engine pkg/sync/sync_context.go Sync). */
  private syncStep(state: AppState, app: Json, cluster: Cluster): boolean {
    const policy: Json = app.spec?.syncPolicy ?? {};
    if (!policy.automated) return false;
    const appOptions: string[] = policy.syncOptions ?? [];
    let op = state.op;
    if (!op || (op.phase === 'Failed' && state.retryAt !== undefined && this.time >= state.retryAt)) {
      const tasks: Task[] = (state.source ?? []).map((object) => ({ object, ...syncPlacement(object)!, applied: false }));
      // sync_context.go autoCreateNamespace: CreateNamespace=true adds the destination namespace, PreSync,
      // with managedNamespaceMetadata (controller/sync.go).
      const namespace: string | undefined = app.spec?.destination?.namespace;
      // It creates the namespace when missing, and updates an existing one only to apply managedNamespaceMetadata.
      const managed: Json | undefined = policy.managedNamespaceMetadata;
      const exists = namespace !== undefined && cluster.get({ group: '', kind: 'Namespace', name: namespace }) !== undefined;
      if (appOptions.includes('CreateNamespace=true') && namespace && (!exists || managed) && !tasks.some((t) => t.object.kind === 'Namespace' && t.object.metadata.name === namespace)) {
        tasks.push({
          object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, ...(managed?.labels ? { labels: managed.labels } : {}), ...(managed?.annotations ? { annotations: managed.annotations } : {}) } },
          phase: -1,
          wave: 0,
          hook: false,
          applied: false,
          managedNamespace: true,
        });
      }
      tasks.sort(compareTasks);
      op = state.op = { tasks, phase: 'Running', message: '', dryRunDone: false };
      state.retryAt = undefined;
      return true;
    }
    if (op.phase !== 'Running') return false;
    const name = state.record.name;
    if (!op.dryRunDone) {
      // sync_context.go (dry run of every task): a custom resource whose CRD is missing fails, unless the
      // CRD is part of this sync (hasCRDOfGroupKind) or SkipDryRunOnMissingResource=true is set on it or the app.
      const crdGroups = new Set(op.tasks.filter((t) => t.object.kind === 'CustomResourceDefinition').map((t) => (t.object as Json).spec?.group));
      const skipAll = appOptions.includes('SkipDryRunOnMissingResource=true');
      for (const task of op.tasks) {
        const group = groupOf(task.object.apiVersion);
        if (cluster.servedGroups.has(group) || crdGroups.has(group) || skipAll || hasOption(annotations(task.object)[SYNC_OPTIONS], 'SkipDryRunOnMissingResource=true')) continue;
        this.failOperation(
          state,
          app,
          `the server could not find the requested resource: ${task.object.kind} ${task.object.metadata.name} (no CRD of group ${group} in ${cluster.name}; add SkipDryRunOnMissingResource=true or order its CRD first)`,
        );
        return true;
      }
      op.dryRunDone = true;
    }
    // sync_context.go: in a multi-step sync, wait until every task of the group just applied is
    // Healthy (or has no health); Degraded fails the operation; hooks must complete.
    const groups = [...new Set(op.tasks.map((t) => `${t.phase}|${t.wave}`))];
    const multiStep = groups.length > 1;
    if (op.current) {
      const [phase, wave] = op.current;
      for (const task of op.tasks.filter((t) => t.phase === phase && t.wave === wave)) {
        if (!multiStep && !task.hook) continue;
        // An app that manages its own Application object (prod-root) does not wait on its own health,
        // which it computes itself (modelled: a self-managed root syncs in practice).
        if (task.object.kind === 'Application' && task.object.metadata.name === name) continue;
        const live = cluster.get(refOf(task.object));
        if (!live) return false;
        const health = this.input.health.of(live.object, live.revision);
        if (!health) continue;
        if (health.status === 'Degraded' || (task.hook && health.status === 'Unknown')) {
          this.failOperation(state, app, `${task.object.kind} ${task.object.metadata.name}: ${health.message || health.status}`);
          return true;
        }
        if (health.status !== 'Healthy') return false;
      }
    }
    const remaining = op.tasks.filter((t) => !t.applied);
    if (remaining.length === 0) {
      op.phase = 'Succeeded';
      op.message = 'successfully synced (all tasks run)';
      if (state.record.syncedAt === undefined) state.record.syncedAt = this.time;
      this.log(state.record.environment, `${name} synced`);
      return true;
    }
    const { phase, wave } = remaining[0]!;
    for (const task of remaining.filter((t) => t.phase === phase && t.wave === wave)) {
      const namespace = task.object.metadata.namespace;
      if (namespace && !isClusterScoped(task.object) && !cluster.get({ group: '', kind: 'Namespace', name: namespace })) {
        this.failOperation(state, app, `namespaces "${namespace}" not found (${task.object.kind} ${task.object.metadata.name})`);
        return true;
      }
      if (!cluster.servedGroups.has(groupOf(task.object.apiVersion))) {
        this.failOperation(state, app, `the server could not find the requested resource: ${task.object.kind} ${task.object.metadata.name}`);
        return true;
      }
      // ServerSideApply=true only changes how the object is written (no last-applied annotation, so
      // large CRDs fit); an existing object is updated in place either way, and the API server refuses
      // a change to an immutable field unless the object carries Replace=true (tools/destructive.ts).
      const existing = cluster.get(refOf(task.object));
      if (existing && this.treeGeneration > 0 && !task.managedNamespace) {
        const { status: _status, ...before } = existing.object as Json;
        void _status;
        const { generation: _generation, ...beforeMetadata } = before.metadata;
        void _generation;
        const previous = { ...before, metadata: beforeMetadata } as KubeObject;
        if (JSON.stringify(previous) !== JSON.stringify(task.object)) {
          const rejected = updateFindings(identityOf(task.object), previous, task.object).filter((f) => f.severity === 'rejected');
          const description = `${name}: ${task.object.kind} ${task.object.metadata.namespace ? `${task.object.metadata.namespace}/` : ''}${task.object.metadata.name}`;
          if (rejected.length > 0 && !hasOption(annotations(task.object)[SYNC_OPTIONS], 'Replace=true')) {
            this.day2.rejected.push(`${description}: ${rejected[0]!.message}`);
            this.failOperation(state, app, `${task.object.kind} ${task.object.metadata.name} is invalid: ${rejected[0]!.message}`);
            return true;
          }
          this.day2.changed.push(description);
        }
      } else if (!existing && this.treeGeneration > 0 && !task.managedNamespace) {
        this.day2.created.push(`${name}: ${task.object.kind} ${task.object.metadata.namespace ? `${task.object.metadata.namespace}/` : ''}${task.object.metadata.name}`);
      }
      cluster.put(task.object, { by: 'app', name }, this.time);
      task.applied = true;
    }
    op.current = [phase, wave];
    return true;
  }

  private updateStatus(state: AppState, app: KubeObject, cluster: Cluster): boolean {
    const record = state.record;
    let worst: HealthStatus = 'Healthy';
    let message = '';
    let synced = true;
    for (const object of state.source ?? []) {
      const placement = syncPlacement(object)!;
      const live = cluster.get(refOf(object));
      if (placement.hook) continue; // controller/health.go: hooks do not count
      if (object.kind === 'Application' && object.metadata.name === record.name) continue;
      if (!live) {
        synced = false;
        if (HEALTH_ORDER.indexOf('Missing') > HEALTH_ORDER.indexOf(worst)) [worst, message] = ['Missing', `${object.kind} ${object.metadata.name} missing`];
        continue;
      }
      const health = this.input.health.of(live.object, live.revision);
      if (health && HEALTH_ORDER.indexOf(health.status) > HEALTH_ORDER.indexOf(worst))
        [worst, message] = [health.status, `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}: ${health.message}`];
    }
    const sync = synced && state.op?.phase === 'Succeeded' ? 'Synced' : 'OutOfSync';
    const operationPhase = state.op?.phase;
    const status = { sync: { status: sync }, health: { status: worst, ...(message ? { message } : {}) }, ...(operationPhase ? { operationState: { phase: operationPhase, message: state.op!.message } } : {}) };
    const changed = this.host.setStatus(objectKey(app), status);
    if (worst === 'Healthy' && sync === 'Synced' && record.healthyAt === undefined) {
      record.healthyAt = this.time;
      this.log(record.environment, `${record.name} Synced+Healthy`);
    }
    record.sync = sync;
    record.health = worst;
    if (state.op?.phase !== 'Failed') record.message = message;
    return changed;
  }

  run(): ConvergeResult {
    while (this.time <= MAX_SECONDS) {
      let changed = this.runbookTick();
      changed = this.controllersTick() || changed;
      changed = this.argoTick() || changed;
      if (!changed) {
        const retries = [...this.apps.values()].map((s) => s.retryAt).filter((t): t is number => t !== undefined && t > this.time);
        if (retries.length === 0) break;
        this.time = Math.min(...retries);
        continue;
      }
      this.time += STEP_SECONDS;
    }
    return {
      apps: [...this.apps.values()].map((s) => s.record),
      events: this.events,
      runbook: this.steps.map((step) => ({ step, at: this.stepsDone.get(step.id) })),
      clusters: this.clusters,
      time: this.time,
      chains: this.explainAll(),
    };
  }

  // ── why it did not converge ───────────────────────────────────────────────
  /** Where an object would come from: a tree object in an Application, a controller, or a human. */
  /** Every Application of the tree's roots with what it syncs, created or not. */
  private treeAppsCache?: { name: string; wave: number; parent: string; objects: KubeObject[] }[];
  private treeApps(): { name: string; wave: number; parent: string; objects: KubeObject[] }[] {
    if (!this.treeAppsCache) {
      this.treeAppsCache = [];
      for (const [folder, objects] of this.folders) {
        if (!folder.endsWith('/root')) continue;
        for (const app of objects) {
          if (app.kind !== 'Application') continue;
          this.treeAppsCache.push({ name: app.metadata.name, wave: Number(annotations(app)[SYNC_WAVE] ?? 0), parent: `${folder.split('/')[0]}-root`, objects: this.sourceObjects(app) });
        }
      }
    }
    return this.treeAppsCache;
  }

  producerOf(ref: ObjectRef): string | undefined {
    if (ref.group === 'runbook') {
      const step = this.steps.find((s) => s.id === ref.name);
      return step ? `done by hand (runbook §${step.section} "${step.title}")` : undefined;
    }
    for (const app of this.treeApps()) {
      for (const object of app.objects) {
        if (keyOf(refOf(object)) === keyOf({ ...ref, cluster: undefined })) {
          const own = annotations(object)[SYNC_WAVE];
          return `made by ${app.name} at wave ${app.wave}${own !== undefined ? ` (its own wave ${own} there)` : ''}`;
        }
      }
    }
    for (const app of this.treeApps()) {
      for (const object of app.objects) {
        for (const { rule } of this.rules) {
          if (rule.watches.kind !== object.kind || rule.watches.group !== groupOf(object.apiVersion)) continue;
          let made: KubeObject[] = [];
          try {
            made = [...rule.react(object, this.view(this.host)).makes];
          } catch {
            continue;
          }
          if (
            made.some((m) => keyOf(refOf(m)) === keyOf({ ...ref, cluster: undefined }) || (ref.kind === m.kind && ref.name === m.metadata.name && ref.namespace === (m.metadata.namespace ?? object.metadata.namespace)))
          ) {
            return `made by ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name} in ${app.name} at wave ${app.wave}`;
          }
        }
      }
    }
    for (const step of this.steps) {
      if (step.makes(this.view(this.host)).some((m) => keyOf(refOf(m)) === keyOf({ ...ref, cluster: undefined }))) return `made by hand (runbook §${step.section})`;
    }
    return undefined;
  }

  private explainObject(cluster: Cluster, object: KubeObject, depth: number): string {
    if (object.kind === 'Application' && groupOf(object.apiVersion) === 'argoproj.io') {
      return this.explainApp(object.metadata.name, depth + 1);
    }
    const prefix = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
    for (const [key, blocked] of this.blocked) {
      if (!key.startsWith(`${cluster.server}|${objectKey(object)}|`)) continue;
      const need = blocked.needs[0]!;
      const producer = this.producerOf(need.ref);
      const state = producer && depth < 4 ? this.whyNotProduced(need.ref) : '';
      return `${prefix} needs ${need.what}${producer ? `, ${producer}` : ', which nothing in the tree or the runbook makes'}${state}`;
    }
    const live = cluster.get(refOf(object));
    if (!live) return `${prefix} was never created`;
    const health = this.input.health.of(live.object, live.revision);
    return `${prefix} is ${health?.status ?? 'without health'}${health?.message ? ` (${health.message})` : ''}`;
  }

  /** When a runbook step that would produce a need is itself waiting, say for what. */
  private whyNotProduced(ref: ObjectRef): string {
    if (ref.group === 'runbook') {
      const step = this.steps.find((s) => s.id === ref.name);
      if (!step || this.stepsDone.has(step.id)) return '';
      const unmet = step.after(this.view(this.host)).filter((n) => !this.needMet(this.host, n));
      return unmet.length ? ` (waiting for ${unmet.map((n) => n.what).join(', ')})` : '';
    }
    return '';
  }

  explainApp(name: string, depth = 0): string {
    const state = this.apps.get(name);
    if (!state) return `${name} never created`;
    if (depth > 6) return `${name} is ${state.record.health}`;
    const record = state.record;
    if (record.refused) {
      const project = /project (\S+) which/.exec(record.refused)?.[1];
      const producer = project ? this.producerOf({ group: 'argoproj.io', kind: 'AppProject', namespace: ARGOCD_NAMESPACE, name: project }) : undefined;
      return `${name}: ${record.refused}${producer ? `; AppProject ${project} is ${producer}` : ''}`;
    }
    const op = state.op;
    if (!op) return `${name}: never synced (no automated sync policy)`;
    if (op.phase === 'Failed') return `${name}: sync failed, retries exhausted: ${op.message}`;
    const cluster = this.destination(this.host.get({ group: 'argoproj.io', kind: 'Application', namespace: ARGOCD_NAMESPACE, name })!.object as Json);
    if (typeof cluster === 'string') return `${name}: ${cluster}`;
    if (op.current && depth < 6) {
      const [phase, wave] = op.current;
      const waiting = op.tasks
        .filter((t) => t.phase === phase && t.wave === wave)
        .filter((t) => {
          const live = cluster.get(refOf(t.object));
          const health = live ? this.input.health.of(live.object, live.revision) : ({ status: 'Missing' } as Health);
          return health !== undefined && health.status !== 'Healthy' && !(t.object.kind === 'Application' && t.object.metadata.name === name);
        });
      if (waiting.length > 0) return `${name} waits at wave ${wave} on ${waiting.map((t) => this.explainObject(cluster, t.object, depth)).join('; and on ')}`;
    }
    if (record.health !== 'Healthy') {
      const unhealthy = (state.source ?? []).filter((object) => {
        const live = cluster.get(refOf(object));
        const health = live ? this.input.health.of(live.object, live.revision) : undefined;
        return (!live || (health !== undefined && health.status !== 'Healthy')) && !(object.kind === 'Application' && object.metadata.name === name);
      });
      return `${name} is ${record.health}: ${unhealthy.map((object) => this.explainObject(cluster, object, depth)).join('; ')}`;
    }
    return `${name}: ${record.sync}`;
  }

  private explainAll(): Map<string, string[]> {
    const chains = new Map<string, string[]>();
    const environments = [...new Set([...this.folders.keys()].filter((f) => f.endsWith('/root')).map((f) => f.split('/')[0]!))];
    for (const environment of environments) {
      const chain: string[] = [];
      const rootName = `${environment}-root`;
      const root = this.apps.get(rootName);
      if (!root) {
        // A hosted root is deployed by its host's root: say where that one is stuck.
        const hostRoot = [...this.apps.values()].find((s) => s.record.parent === undefined && s.record.healthyAt === undefined);
        chain.push(`${rootName} was never created${hostRoot ? ` (${this.explainApp(hostRoot.record.name)})` : ''}`);
      } else if (root.record.healthyAt === undefined || root.record.health !== 'Healthy') {
        chain.push(this.explainApp(rootName));
      }
      for (const state of this.apps.values()) {
        if (state.record.environment !== environment || state.record.name === rootName) continue;
        if (state.record.health !== 'Healthy' || state.record.sync !== 'Synced') {
          if (!chain.some((c) => c.includes(state.record.name))) chain.push(this.explainApp(state.record.name));
        }
      }
      chains.set(environment, chain);
    }
    return chains;
  }
}
