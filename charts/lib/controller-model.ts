import { groupOf } from './kinds.ts';
import type { KubeObject } from './manifest.ts';

/**
 * Controllers as data: what a service's controllers (and the humans of the runbook) produce, from
 * what, and when. Each service declares this once, beside its construct
 * (`charts/platform/<service>/controller.ts`); `npm run converge` (tools/converge/) runs every
 * declaration against a simulated cluster while it simulates Argo CD's sync. A declaration reads
 * objects only through a `ClusterView`, so it stays a description, not a client of any cluster.
 */

/** Which object, in which cluster (`undefined`: the cluster the rule runs in). */
export interface ObjectRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Another cluster: `host` is the cluster a vcluster runs on; `{ server }` the cluster serving that API (a vcluster, from its host). */
  readonly cluster?: 'host' | { readonly server: string };
}

/** Something a rule waits for, with the reason a reader of the deadlock chain sees. */
export interface Need {
  readonly ref: ObjectRef;
  /** What must hold beyond existence (e.g. "Ready"), checked on the live object. */
  readonly ready?: (live: KubeObject) => boolean;
  /** `needs <what>`: e.g. "Secret vault/vault-gcp-kms", "ready ClusterIssuer letsencrypt-prod". */
  readonly what: string;
}

/** What a rule does once its needs hold: objects it creates (or replaces) and the status it writes. */
export interface Reaction {
  readonly needs: readonly Need[];
  /** Objects the controller creates; computed from the spec, so a reader knows them before they exist. */
  readonly makes: readonly KubeObject[];
  /** Status written on the watched object when the needs hold (e.g. Ready conditions). */
  readonly status?: Record<string, unknown>;
  /** Status written on the watched object while a need is missing (e.g. SecretSyncedError). */
  readonly waitingStatus?: Record<string, unknown>;
  /**
   * JSON pointers of fields of the watched object the controller rewrites (e.g. an injected
   * `caBundle`): Argo CD sees them differ from git forever unless the Application ignores them.
   */
  readonly rewrites?: readonly string[];
  /** Objects it creates in the host cluster (a vcluster's syncer). */
  readonly makesInHost?: readonly KubeObject[];
  /** Objects it creates through another cluster's API (`server`), e.g. External Secrets pushing into a vcluster. */
  readonly makesIn?: readonly { readonly server: string; readonly objects: readonly KubeObject[] }[];
  /** The rule makes a cluster's API reachable at this server URL (vcluster). */
  readonly servesCluster?: string;
}

/** Read-only access to the simulated cluster a rule runs in. */
export interface ClusterView {
  readonly environment: string;
  /** Set in a vcluster: its name and namespace on the host. */
  readonly vcluster?: { readonly name: string; readonly namespace: string };
  get(ref: ObjectRef): KubeObject | undefined;
  list(group: string, kind: string, namespace?: string): KubeObject[];
  /** Runbook steps done so far (by id). */
  done(step: string): boolean;
  /** Whether Vault holds `property` at `<mount>/<path>` now (declared contents, once the runbook wrote them). */
  vaultHolds(path: string, property: string): boolean;
}

/** When a controller runs: always (Kubernetes itself), once a chart is installed, or once one of our workloads is Ready. */
export type ControllerRuns =
  | { readonly always: true }
  | { readonly chart: string }
  | { readonly workload: { readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet'; readonly namespace: string; readonly name: string } };

export interface ControllerRule {
  /** Who acts (for the timeline): `cert-manager`, `external-secrets`, `contour-provisioner`… */
  readonly controller: string;
  readonly runs: ControllerRuns;
  /** The kind it watches. */
  readonly watches: { readonly group: string; readonly kind: string };
  /** Only objects it owns (e.g. a GatewayClass's controller name); default every object of the kind. */
  readonly owns?: (object: KubeObject, view: ClusterView) => boolean;
  readonly react: (object: KubeObject, view: ClusterView) => Reaction;
}

/** What an upstream chart's Application creates, until its rendered objects are available (tools/render). */
export interface ChartProducts {
  readonly chart: string;
  /** Objects the chart creates in its Application's destination namespace (workloads with what they mount). */
  readonly objects: (release: string, namespace: string, values: Record<string, unknown>) => KubeObject[];
}

/** A manual runbook step, in docs/bootstrap.md order: a human acts once `after` holds. */
export interface RunbookStep {
  /** Section number in docs/bootstrap.md (the test keeps both in step). */
  readonly section: number;
  /** Heading of that section, verbatim. */
  readonly title: string;
  readonly id: string;
  /** What the human waits for (e.g. "the namespace vault exists"). */
  readonly after: (view: ClusterView) => readonly Need[];
  /** Objects the human creates in the host cluster (`kubectl apply`, `kubectl create secret`…). */
  readonly makes: (view: ClusterView) => readonly KubeObject[];
  /** Applied from dist/ by hand (paths relative to dist/): the objects are read from the tree being simulated. */
  readonly appliesFromDist?: readonly string[];
}

export interface ControllerDeclaration {
  /** The service folder it sits in. */
  readonly service: string;
  readonly rules?: readonly ControllerRule[];
  readonly charts?: readonly ChartProducts[];
  readonly runbook?: readonly RunbookStep[];
  /** Secrets Vault is declared to hold after the runbook (`<mount>/<path>` → property names). */
  readonly vaultContents?: Readonly<Record<string, readonly string[]>>;
}

/** `status.conditions` with one condition of `type` set to True (what most controllers write). */
export function readyStatus(type = 'Ready', reason = 'Ready', message = ''): Record<string, unknown> {
  return { conditions: [{ type, status: 'True', reason, message }] };
}

export function notReadyStatus(type: string, reason: string, message: string): Record<string, unknown> {
  return { conditions: [{ type, status: 'False', reason, message }] };
}

/** True when `status.conditions` has `type` with status True. */
export function hasCondition(object: KubeObject, type = 'Ready'): boolean {
  const conditions = (object as { status?: { conditions?: { type?: string; status?: string }[] } }).status?.conditions ?? [];
  return conditions.some((condition) => condition.type === type && condition.status === 'True');
}

export function refOf(object: KubeObject): ObjectRef {
  return { group: groupOf(object.apiVersion), kind: object.kind, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name };
}
