/**
 * Walks a cluster plan the way Argo CD syncs it, against real API servers: the host's root
 * Application first, each Application's resources in gitops-engine's order (tools/argo-order.ts),
 * server-side dry-run of the whole sync before anything is applied, then server-side apply wave by
 * wave with Argo CD's field manager, the Applications of a wave synced before the next wave starts
 * (Argo CD waits for their health). Every refusal is recorded with the file, the object and the API
 * server's message.
 */
import { HttpMethod, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { formatIdentity, identityKey, identityOf } from '../dist-tree.ts';
import { compareTasks, phaseOf, waveOf } from '../argo-order.ts';
import type { RunningCluster } from './control-plane.ts';
import type { ApplicationSync, ClusterPlan, PlannedObject } from './plan.ts';
import { DEFAULT_PROJECT, PROJECT_ACCOUNTS_NAMESPACE, escalationAllowance, projectAccount, projectRbac } from './project-rbac.ts';

/** The field manager of Argo CD's server-side apply (argo-cd common/common.go `ArgoCDSSAManager`, v2.14.21). */
export const ARGO_CD_FIELD_MANAGER = 'argocd-controller';

export interface Rejection {
  readonly cluster: string;
  readonly application: string;
  readonly source: string;
  /** `Kind.group namespace/name` */
  readonly object: string;
  /** `group|Kind|namespace|name` */
  readonly key: string;
  readonly step: 'dry-run' | 'apply' | 're-apply';
  /** HTTP status of the refusal (0 when no request could be made). */
  readonly status: number;
  readonly message: string;
}

export interface WalkResult {
  readonly rejections: Rejection[];
  /** Objects applied, by `cluster|key` → resourceVersion after the apply. */
  readonly versions: Map<string, string>;
  /** `cluster|key` → the object as applied, and the source file. */
  readonly applied: Map<string, { source: string; object: KubeObject; cluster: string; application: string }>;
  /** Applications not synced (dry-run failed, or a parent failed), with why. */
  readonly skipped: string[];
  /** Objects a second apply left unchanged in content but the API server wrote anew (new resourceVersion). */
  readonly rewritten: string[];
  readonly counts: { applications: number; objects: number };
}

/** The API server's message of a failed request (client-node wraps it in an ApiException). */
export function apiMessage(error: unknown): { status: number; message: string } {
  const e = error as { code?: number; body?: unknown; message?: string };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // a plain-text body is the message itself
    }
  }
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : typeof body === 'string' && body
        ? body
        : (e.message ?? String(error)).split('\n')[0]!;
  return { status: typeof e.code === 'number' ? e.code : 0, message: message.trim() };
}

function strip(object: KubeObject): KubernetesObject {
  const { status: _status, ...rest } = object as KubeObject & { status?: unknown };
  return structuredClone(rest) as KubernetesObject;
}

/** The object API with discovery's answer to "is this kind namespaced?" (client-node keeps `resource` protected). */
class ObjectApi extends KubernetesObjectApi {
  static forConfig(config: KubeConfig): ObjectApi {
    return config.makeApiClient(ObjectApi);
  }

  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind).catch(() => undefined))?.namespaced;
  }

  /**
   * Why the API server does not serve this kind (its discovery document for the group version), or
   * undefined when it does: the message kubectl gives a kind without a CRD.
   */
  async missingKind(apiVersion: string, kind: string): Promise<string | undefined> {
    try {
      if (await this.resource(apiVersion, kind)) return undefined;
      return `no matches for kind "${kind}" in version "${apiVersion}" (the API server serves ${apiVersion} without it): ensure CRDs are installed first`;
    } catch (error) {
      return `no matches for kind "${kind}" in version "${apiVersion}" (GET ${this.apiVersionPath(apiVersion)}: ${apiMessage(error).message}): ensure CRDs are installed first`;
    }
  }

  /** The live object as the API server returns it (no client-node model in between), or undefined. */
  async live(spec: KubernetesObject): Promise<KubernetesObject | undefined> {
    const request = this.configuration.baseServer.makeRequestContext(await this.specUriPath(spec, 'read'), HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    return this.requestPromise<KubernetesObject>(request, 'KubernetesObject').catch(() => undefined);
  }

  /**
   * Server-side apply of the object exactly as written. client-node's `patch` serializes known kinds
   * through its models, which drops keys the models spell differently (`x-kubernetes-int-or-string`,
   * `$ref` in a CRD schema) and any unknown field, so the API server would judge another object.
   */
  async apply(spec: KubernetesObject, dryRun: boolean): Promise<KubernetesObject> {
    const path = await this.specUriPath(spec, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    request.setQueryParam('fieldManager', ARGO_CD_FIELD_MANAGER);
    request.setQueryParam('force', 'true');
    // kubectl apply (Argo CD's `validate=true`) asks for strict field validation: an unknown or duplicate field is refused, not pruned.
    request.setQueryParam('fieldValidation', 'Strict');
    if (dryRun) request.setQueryParam('dryRun', 'All');
    request.setBody(JSON.stringify(spec));
    return this.requestPromise(request, 'KubernetesObject');
  }
}

interface Session {
  readonly cluster: RunningCluster;
  readonly admin: ObjectApi;
  readonly projects: Map<string, ObjectApi>;
}

export interface WalkOptions {
  /** `apply` (dry-run, then apply) or `re-apply` (apply again; versions must not move). */
  readonly mode: 'apply' | 're-apply';
  /** resourceVersions of the previous walk (re-apply). */
  readonly previous?: Map<string, string>;
  readonly log?: (line: string) => void;
}

export class PlanWalker {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly plan: ClusterPlan,
    clusters: ReadonlyMap<string, RunningCluster>,
  ) {
    for (const name of plan.clusters) {
      const cluster = clusters.get(name);
      if (!cluster) throw new Error(`no API server for cluster ${name}`);
      this.sessions.set(name, { cluster, admin: ObjectApi.forConfig(cluster.kubeConfig), projects: new Map() });
    }
  }

  /** Namespaces and CRDs that exist before the first sync (Argo CD installed by hand, the host's namespaces). */
  async bootstrap(): Promise<Rejection[]> {
    const rejections: Rejection[] = [];
    for (const [cluster, namespaces] of this.plan.namespaces) {
      const session = this.sessions.get(cluster)!;
      for (const name of [...namespaces, PROJECT_ACCOUNTS_NAMESPACE]) {
        await this.adminApply(session, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, `bootstrap of ${cluster}`, 'bootstrap', rejections);
      }
    }
    const host = this.sessions.get(this.plan.host)!;
    for (const crd of this.plan.bootstrapCrds) await this.adminApply(host, crd.object, crd.source, 'bootstrap', rejections);
    return rejections;
  }

  private async adminApply(session: Session, object: KubeObject, source: string, application: string, rejections: Rejection[]): Promise<void> {
    try {
      await session.admin.apply(strip(object), false);
      if (object.kind === 'CustomResourceDefinition') await this.established(session, object.metadata.name);
    } catch (error) {
      const { status, message } = apiMessage(error);
      const id = identityOf(object);
      rejections.push({ cluster: session.cluster.name, application, source, object: formatIdentity(id), key: identityKey(id), step: 'apply', status, message });
    }
  }

  private async established(session: Session, name: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const crd = (await session.admin.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })) as any;
      if ((crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private plurals?: Map<string, string>;

  /** The resource (plural) of a custom kind, from the CRDs the plan applies: what an AppProject's whitelist names in RBAC. */
  private resourceOf(group: string, kind: string): string | undefined {
    if (!this.plurals) {
      this.plurals = new Map();
      const crds = [...this.plan.bootstrapCrds, ...[...this.plan.applications.values()].flatMap((a) => a.objects), ...[...this.plan.packageCrds.values()].flat()];
      for (const { object } of crds) {
        if (object.kind !== 'CustomResourceDefinition') continue;
        const spec = (object as any).spec;
        this.plurals.set(`${spec.group}/${spec.names.kind}`, spec.names.plural);
      }
    }
    return this.plurals.get(`${group}/${kind}`);
  }

  /** The project's service account in this cluster, holding only what the AppProject allows (tools/cluster/project-rbac.ts). */
  private async projectApi(session: Session, app: ApplicationSync, rejections: Rejection[]): Promise<ObjectApi> {
    const key = `${app.project}|${app.server}`;
    const existing = session.projects.get(key);
    if (existing) return existing;
    const account = projectAccount(app.project);
    const project = this.plan.projects.get(app.project) ?? (app.project === DEFAULT_PROJECT.metadata.name ? DEFAULT_PROJECT : undefined);
    const rbac = project ? projectRbac(project, app.server, (group, kind) => this.resourceOf(group, kind)) : { clusterRules: [], namespaceRules: [], namespaces: [], unresolved: [] };
    if (rbac.unresolved.length > 0) {
      // Named kinds would need discovery of their resource; no project of ours names one yet: say so, loudly.
      rejections.push({
        cluster: session.cluster.name,
        application: app.name,
        source: `AppProject ${app.project}`,
        object: `AppProject argocd/${app.project}`,
        key: `argoproj.io|AppProject|argocd|${app.project}`,
        step: 'apply',
        status: 0,
        message: `the cluster test cannot express ${rbac.unresolved.join(', ')} as RBAC (only \`*\` kinds are modelled, tools/cluster/project-rbac.ts)`,
      });
    }
    const name = `${account.name}-${session.projects.size}`;
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account.name, namespace: account.namespace } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: rbac.clusterRules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }],
      },
    ];
    if (rbac.namespaceRules.length > 0) {
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${name}-namespaced` }, rules: rbac.namespaceRules });
      for (const namespace of rbac.namespaces) {
        objects.push({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name, namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${name}-namespaced` },
          subjects: [{ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }],
        });
      }
    }
    for (const object of objects) await this.adminApply(session, object, `AppProject ${app.project} as RBAC`, app.name, rejections);
    const api = ObjectApi.forConfig(session.cluster.as(account.user));
    session.projects.set(key, api);
    return api;
  }

  /** The namespace Argo CD gives a namespaced resource without one: the Application's destination namespace. */
  private async withNamespace(api: ObjectApi, object: KubeObject, app: ApplicationSync): Promise<KubernetesObject> {
    const spec = strip(object);
    if (!spec.metadata?.namespace) {
      if (await api.namespaced(object.apiVersion, object.kind)) spec.metadata = { ...spec.metadata, namespace: app.destinationNamespace ?? 'default' };
    }
    return spec;
  }

  private reject(rejections: Rejection[], app: ApplicationSync, task: PlannedObject, step: Rejection['step'], error: unknown): void {
    const { status, message } = apiMessage(error);
    const id = identityOf(task.object);
    rejections.push({ cluster: app.cluster, application: app.name, source: task.source, object: formatIdentity(id), key: identityKey(id), step, status, message });
  }

  async walk(options: WalkOptions): Promise<WalkResult> {
    const result: WalkResult = { rejections: [], versions: new Map(), applied: new Map(), skipped: [], rewritten: [], counts: { applications: 0, objects: 0 } };
    await this.sync(this.plan.rootApplication, options, result, new Set());
    return result;
  }

  private async sync(name: string, options: WalkOptions, result: WalkResult, seen: Set<string>): Promise<void> {
    if (seen.has(name)) return;
    seen.add(name);
    const app = this.plan.applications.get(name);
    if (!app) {
      result.skipped.push(`${name}: no such Application in the tree`);
      return;
    }
    result.counts.applications++;
    const session = this.sessions.get(app.cluster)!;
    const api = await this.projectApi(session, app, result.rejections);
    const log = options.log ?? (() => {});
    if (app.createNamespace && app.destinationNamespace) {
      // Argo CD creates it with its own credentials before the sync (controller/sync.go, v2.14.21).
      await this.adminApply(
        session,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.destinationNamespace, labels: app.createNamespace.labels, annotations: app.createNamespace.annotations } },
        `${app.name} (CreateNamespace=true)`,
        app.name,
        result.rejections,
      );
    }
    const tasks = app.objects.filter((t) => phaseOf(t.object) !== 'Skip').sort((a, b) => compareTasks(a.object, b.object));
    const crdsHere = new Set(tasks.filter((t) => t.object.kind === 'CustomResourceDefinition').map((t) => `${(t.object as any).spec?.group}/${(t.object as any).spec?.names?.kind}`));
    const skipDryRun = (object: KubeObject) =>
      crdsHere.has(`${object.apiVersion.split('/')[0]}/${object.kind}`) ||
      app.syncOptions.includes('SkipDryRunOnMissingResource=true') ||
      (object.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').includes('SkipDryRunOnMissingResource=true');

    if (options.mode === 'apply') {
      // Argo CD first dry-runs the whole sync on the client side (gitops-engine pkg/sync/sync_context.go
      // `applyObject`, DryRunClient since argo-cd#13874): the one thing that needs the server is the kind
      // itself, so a resource whose kind the API server does not serve fails the sync before anything is
      // applied, unless its CRD is in the same sync or SkipDryRunOnMissingResource=true.
      const before = result.rejections.length;
      for (const task of tasks) {
        if (skipDryRun(task.object)) continue;
        const missing = await api.missingKind(task.object.apiVersion, task.object.kind);
        if (missing) this.reject(result.rejections, app, task, 'dry-run', { code: 404, body: { message: missing } });
      }
      if (result.rejections.length > before) {
        result.skipped.push(`${app.name}: not synced, its dry-run failed (${result.rejections.length - before} object(s)); Applications it holds are not synced either`);
        return;
      }
    }
    log(`${options.mode} ${app.name} → ${app.cluster} (${tasks.length} objects, ${app.content})`);
    const waves = new Map<string, PlannedObject[]>();
    for (const task of tasks) {
      const key = `${phaseOf(task.object)}|${waveOf(task.object)}`;
      waves.set(key, [...(waves.get(key) ?? []), task]);
    }
    for (const wave of waves.values()) {
      const failedBefore = result.rejections.length;
      const children: string[] = [];
      for (const task of wave) {
        const id = identityOf(task.object);
        const key = `${app.cluster}|${identityKey(id)}`;
        // A grant the project's RBAC cannot hold, reviewed and allowed (tools/cluster/project-rbac.ts): applied with Argo CD's own rights.
        const allowed = escalationAllowance(app.project, task.object);
        const applier = allowed ? session.admin : api;
        try {
          const spec = await this.withNamespace(applier, task.object, app);
          // Each object: server-side dry-run, then the apply itself (a refused dry-run applies nothing).
          if (options.mode === 'apply') {
            try {
              await applier.apply(spec, true);
            } catch (error) {
              this.reject(result.rejections, app, task, 'dry-run', error);
              continue;
            }
          }
          // Controllers of the API server itself (CRD conditions, defaulted status) may write between two
          // syncs: a no-op is judged on this apply alone, from the version just before it to the one after.
          const live = options.mode === 're-apply' ? await session.admin.live(spec) : undefined;
          const applied = await applier.apply(spec, false);
          const version = applied.metadata?.resourceVersion ?? '';
          if (options.mode === 're-apply' && live?.metadata?.resourceVersion !== version) {
            const changed = contentDifference(live, applied);
            if (changed) {
              result.rejections.push({
                cluster: app.cluster,
                application: app.name,
                source: task.source,
                object: formatIdentity(id),
                key: identityKey(id),
                step: 're-apply',
                status: 0,
                message: `applying it again changed ${changed}: the sync is not idempotent`,
              });
            } else {
              // Same content, new resourceVersion: the API server rewrote it (observed for custom resources whose CRD schema has defaults).
              result.rewritten.push(`${task.source} ${formatIdentity(id)}`);
            }
          }
          result.versions.set(key, version);
          result.applied.set(key, { source: task.source, object: task.object, cluster: app.cluster, application: app.name });
          result.counts.objects++;
          if (task.object.kind === 'CustomResourceDefinition') await this.established(session, task.object.metadata.name);
          if (task.object.kind === 'Provider' && task.object.apiVersion.startsWith('pkg.crossplane.io/')) await this.installPackage(session, task.object, app.name, result.rejections);
          if (task.object.kind === 'Application' && task.object.apiVersion.startsWith('argoproj.io/')) children.push(task.object.metadata.name);
        } catch (error) {
          this.reject(result.rejections, app, task, options.mode === 're-apply' ? 're-apply' : 'apply', error);
        }
      }
      if (result.rejections.length > failedBefore) {
        result.skipped.push(`${app.name}: stopped after a failed wave; later waves and the Applications of that wave are not synced`);
        return;
      }
      for (const child of children) await this.sync(child, options, result, seen);
    }
  }

  /** Crossplane's package manager installs the package's CRDs once the Provider exists (modelled: immediately). */
  private async installPackage(session: Session, provider: KubeObject, application: string, rejections: Rejection[]): Promise<void> {
    const reference = String((provider as any).spec?.package ?? '');
    for (const [pkg, crds] of this.plan.packageCrds) {
      if (reference === pkg || reference.startsWith(`${pkg}:`) || reference.startsWith(`${pkg}@`)) {
        for (const crd of crds) await this.adminApply(session, withPackageWebhook(crd.object, provider), `${crd.source} (installed by Crossplane for ${reference})`, application, rejections);
      }
    }
  }

  /** Deletes what a newer tree no longer has, as Argo CD's prune does (foreground of nothing: background propagation). */
  async prune(keys: Iterable<[string, { object: KubeObject }]>): Promise<Rejection[]> {
    const rejections: Rejection[] = [];
    for (const [key, { object }] of keys) {
      const cluster = key.split('|')[0]!;
      const session = this.sessions.get(cluster);
      if (!session) continue;
      try {
        await session.admin.delete(strip(object), undefined, undefined, undefined, undefined, 'Background');
      } catch (error) {
        const { status, message } = apiMessage(error);
        if (status === 404) continue;
        const id = identityOf(object);
        rejections.push({ cluster, application: 'prune', source: '(prune)', object: formatIdentity(id), key: identityKey(id), step: 'apply', status, message });
      }
    }
    return rejections;
  }
}

/**
 * A package CRD converted by webhook names no service until Crossplane's package manager installs it
 * and points it at the provider's webhook service in Crossplane's namespace (crossplane/crossplane
 * internal/controller/pkg/revision/establisher.go, v1.18).
 */
function withPackageWebhook(crd: KubeObject, provider: KubeObject): KubeObject {
  const conversion = (crd as any).spec?.conversion;
  if (conversion?.strategy !== 'Webhook' || conversion.webhook?.clientConfig?.service?.name) return crd;
  const copy = structuredClone(crd) as any;
  copy.spec.conversion.webhook = {
    ...copy.spec.conversion.webhook,
    clientConfig: { ...copy.spec.conversion.webhook?.clientConfig, service: { name: provider.metadata.name, namespace: 'crossplane-system', path: '/convert', port: 9443 } },
  };
  return copy;
}

/** The top-level fields (and metadata keys) that differ between two versions of an object, ignoring the bookkeeping of a write; undefined when none. */
export function contentDifference(before: KubernetesObject | undefined, after: KubernetesObject): string | undefined {
  if (!before) return 'it (it did not exist)';
  const bookkeeping = new Set(['resourceVersion', 'managedFields']);
  const meta = (o: KubernetesObject) => Object.fromEntries(Object.entries(o.metadata ?? {}).filter(([k]) => !bookkeeping.has(k)));
  const fields: string[] = [];
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'metadata') {
      const [x, y] = [meta(before), meta(after)];
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) fields.push(`metadata.${k}`);
    } else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) fields.push(key);
  }
  return fields.length > 0 ? fields.join(', ') : undefined;
}
