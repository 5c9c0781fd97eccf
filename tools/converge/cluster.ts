import type { KubeObject } from '../../charts/lib/manifest.ts';
import { groupOf } from '../../charts/lib/kinds.ts';
import type { ClusterView, ObjectRef } from '../../charts/lib/controller-model.ts';

/** Who created an object: an Argo CD Application, a controller, or a human (runbook step). */
export type Creator =
  | { readonly by: 'app'; readonly name: string }
  | { readonly by: 'controller'; readonly name: string }
  | { readonly by: 'human'; readonly name: string }
  | { readonly by: 'cluster'; readonly name: string };

export interface LiveObject {
  object: KubeObject;
  readonly creator: Creator;
  readonly createdAt: number;
  /** Bumped on every write: health is cached per revision. */
  revision: number;
  /** `object` serialised without status, and its status: writes that change nothing are skipped cheaply. */
  specJson: string;
  statusJson: string;
}

export function keyOf(ref: ObjectRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function objectKey(object: KubeObject): string {
  return keyOf({ group: groupOf(object.apiVersion), kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
}

/** Kinds that are cluster-scoped (enough for the kinds in our trees; unknown kinds with no namespace are treated the same). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'GatewayClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'PersistentVolume',
]);
export function isClusterScoped(object: KubeObject): boolean {
  return CLUSTER_SCOPED.has(object.kind) || object.metadata.namespace === undefined;
}

/** One simulated API server: the host (in-cluster) or a vcluster. */
export class Cluster {
  readonly objects = new Map<string, LiveObject>();
  /** API groups whose CRDs are installed (core groups are always served). */
  readonly servedGroups = new Set<string>([
    '',
    'apps',
    'batch',
    'rbac.authorization.k8s.io',
    'policy',
    'networking.k8s.io',
    'storage.k8s.io',
    'apiextensions.k8s.io',
    'admissionregistration.k8s.io',
    'scheduling.k8s.io',
    'autoscaling',
    'coordination.k8s.io',
    'apiregistration.k8s.io',
    'discovery.k8s.io',
    'node.k8s.io',
  ]);
  revisionCounter = 0;

  constructor(
    readonly name: string,
    readonly server: string,
    readonly environment: string,
    /** The cluster a vcluster runs on. */
    readonly host?: Cluster,
  ) {}

  get(ref: ObjectRef): LiveObject | undefined {
    if (ref.cluster === 'host') return this.host?.get({ ...ref, cluster: undefined });
    // Another cluster's API (`{ server }`): only the Simulation knows every cluster (Simulation.needMet).
    if (ref.cluster) return undefined;
    return this.objects.get(keyOf(ref));
  }

  list(group: string, kind: string, namespace?: string): LiveObject[] {
    const out: LiveObject[] = [];
    for (const live of this.objects.values()) {
      if (live.object.kind === kind && groupOf(live.object.apiVersion) === group && (namespace === undefined || live.object.metadata.namespace === namespace)) out.push(live);
    }
    return out;
  }

  /** Creates or replaces; returns true when something changed. */
  put(object: KubeObject, creator: Creator, time: number): boolean {
    const key = objectKey(object);
    const existing = this.objects.get(key);
    const { status: _ignored, ...rest } = object as KubeObject & { status?: unknown };
    void _ignored;
    if (existing) {
      // A writer never sets status or generation: those stay the server's and the controllers'.
      const specJson = JSON.stringify(rest);
      if (specJson === existing.specJson) return false;
      const current = existing.object as { status?: unknown; metadata: { generation?: number } };
      existing.object = { ...rest, metadata: { ...rest.metadata, generation: current.metadata.generation }, ...(current.status !== undefined ? { status: current.status } : {}) } as KubeObject;
      existing.specJson = specJson;
      existing.revision = ++this.revisionCounter;
      return true;
    }
    const withGeneration = { ...rest, metadata: { ...rest.metadata, generation: 1 } } as KubeObject;
    this.objects.set(key, { object: withGeneration, creator, createdAt: time, revision: ++this.revisionCounter, specJson: JSON.stringify(rest), statusJson: '' });
    if (object.kind === 'CustomResourceDefinition') {
      const group = (object as { spec?: { group?: string } }).spec?.group;
      if (group) this.servedGroups.add(group);
    }
    return true;
  }

  delete(key: string): boolean {
    return this.objects.delete(key);
  }

  setStatus(key: string, status: Record<string, unknown>): boolean {
    const live = this.objects.get(key);
    if (!live) return false;
    const statusJson = JSON.stringify(status);
    if (statusJson === live.statusJson) return false;
    live.object = { ...live.object, status } as KubeObject;
    live.statusJson = statusJson;
    live.revision = ++this.revisionCounter;
    return true;
  }

  view(done: (step: string) => boolean, vaultHolds: (path: string, property: string) => boolean): ClusterView {
    return {
      environment: this.environment,
      get: (ref) => this.get(ref)?.object,
      list: (group, kind, namespace) => this.list(group, kind, namespace).map((live) => live.object),
      done,
      vaultHolds,
    };
  }
}
