/**
 * Walks a cluster plan the way Argo CD syncs it, against real API servers: the host's root
 * Application first, each Application's resources in gitops-engine's order (tools/argo-order.ts),
 * server-side dry-run of the whole sync before anything is applied, then server-side apply wave by
 * wave with Argo CD's field manager, the Applications of a wave synced before the next wave starts
 * (Argo CD waits for their health). Every refusal is recorded with the file, the object and the API
 * server's message.
 */
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { formatIdentity, identityKey, identityOf } from '../dist-tree.ts';
import { compareTasks, phaseOf, waveOf } from '../argo-order.ts';
import type { RunningCluster } from './control-plane.ts';
import { ApiError, type ObjectClient } from './http.ts';
import type { ApplicationSync, ClusterPlan, PlannedObject } from './plan.ts';
import { DEFAULT_PROJECT, PROJECT_ACCOUNTS_NAMESPACE, projectAccount, projectRbac } from './project-rbac.ts';

export { ARGO_CD_FIELD_MANAGER } from './http.ts';

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
  /** Admission webhook configurations held back to the end of the walk (docs/decisions/0813-webhooks-last.md). */
  readonly deferred: { readonly app: ApplicationSync; readonly task: PlannedObject }[];
  readonly counts: { applications: number; objects: number };
}

/** The API server's message of a failed request (client-node wraps it in an ApiException). */
export function apiMessage(error: unknown): { status: number; message: string } {
  if (error instanceof ApiError) return apiMessage({ code: error.code, body: error.body });
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

function strip(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object as KubeObject & { status?: unknown };
  return structuredClone(rest) as KubeObject;
}

/** Admission webhook configurations: applied after every other object of their API server (decision 0813). */
export function isWebhookConfiguration(object: KubeObject): boolean {
  return object.apiVersion.startsWith('admissionregistration.k8s.io/') && (object.kind === 'MutatingWebhookConfiguration' || object.kind === 'ValidatingWebhookConfiguration');
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

/** Requests in flight per Application group of same-kind objects (gitops-engine applies such a group concurrently). */
const CONCURRENCY = 8;

interface Session {
  readonly cluster: RunningCluster;
  readonly admin: ObjectClient;
  readonly projects: Map<string, ObjectClient>;
}

export interface WalkOptions {
  /** `apply` (dry-run, then apply) or `re-apply` (apply again; the content must not move). */
  readonly mode: 'apply' | 're-apply';
  /** resourceVersions of the previous walk (re-apply). */
  readonly previous?: Map<string, string>;
  /**
   * `last` (default): the admission webhook configurations are applied at the end of this walk;
   * `hold`: left in `deferred` for `applyDeferred`, so that a later walk (the re-apply, the upgrade)
   * still meets no webhook its API server cannot call.
   */
  readonly webhooks?: 'last' | 'hold';
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
      this.sessions.set(name, { cluster, admin: cluster.api.as(), projects: new Map() });
    }
  }

  /** Namespaces and CRDs that exist before the first sync (Argo CD installed by hand, the host's namespaces). */
  async bootstrap(): Promise<Rejection[]> {
    const rejections: Rejection[] = [];
    await Promise.all(
      [...this.plan.namespaces].map(async ([cluster, namespaces]) => {
        const session = this.sessions.get(cluster)!;
        await pool([...namespaces, PROJECT_ACCOUNTS_NAMESPACE], CONCURRENCY, (name) =>
          this.adminApply(session, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, `bootstrap of ${cluster}`, 'bootstrap', rejections),
        );
      }),
    );
    const host = this.sessions.get(this.plan.host)!;
    await pool(this.plan.bootstrapCrds, CONCURRENCY, (crd) => this.adminApply(host, crd.object, crd.source, 'bootstrap', rejections));
    return rejections;
  }

  private async adminApply(session: Session, object: KubeObject, source: string, application: string, rejections: Rejection[]): Promise<void> {
    try {
      await session.admin.apply(strip(object), false);
      if (object.kind === 'CustomResourceDefinition') await this.established(session, object);
    } catch (error) {
      const { status, message } = apiMessage(error);
      const id = identityOf(object);
      rejections.push({ cluster: session.cluster.name, application, source, object: formatIdentity(id), key: identityKey(id), step: 'apply', status, message });
    }
  }

  /**
   * Waits until the CRD's kind is served (discovery lists it, which follows its Established
   * condition): what Argo CD needs before the resources of a later wave. Discovery answers are small;
   * reading the CRD itself would send its whole schema back on every poll.
   */
  private async established(session: Session, crd: KubeObject): Promise<void> {
    const spec = (crd as any).spec ?? {};
    const version = (spec.versions ?? []).find((v: any) => v.served !== false)?.name;
    if (!spec.group || !spec.names?.kind || !version) return;
    for (let i = 0, delay = 10; i < 200; i++, delay = Math.min(delay * 2, 100)) {
      if ((await session.admin.missingKind(`${spec.group}/${version}`, spec.names.kind)) === undefined) return;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private plurals?: Map<string, string>;

  /** The resource (plural) of a custom kind, from the CRDs the plan applies: what an AppProject's whitelist names in RBAC. */
  private customResourceOf(group: string, kind: string): string | undefined {
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

  /** The resources of a project's named kinds: built-in kinds from discovery, custom kinds from the plan's CRDs. */
  private async resolver(session: Session, project: KubeObject): Promise<(group: string, kind: string) => string | undefined> {
    const spec = (project as any).spec ?? {};
    const named: { group?: string; kind?: string }[] = [...(spec.clusterResourceWhitelist ?? []), ...(spec.namespaceResourceWhitelist ?? [])].filter((e) => e.kind !== '*');
    const found = new Map<string, string>();
    for (const { group = '', kind = '' } of named) {
      const custom = this.customResourceOf(group, kind);
      if (custom) {
        found.set(`${group}/${kind}`, custom);
        continue;
      }
      const versions =
        group === ''
          ? ['v1']
          : (((await session.admin.server.request<{ versions?: { groupVersion: string }[] }>('GET', `/apis/${group}`).catch(() => ({}))) as { versions?: { groupVersion: string }[] }).versions?.map(
              (v) => v.groupVersion,
            ) ?? []);
      for (const apiVersion of versions) {
        const resource = await session.admin.server.discovery.resource(apiVersion, kind);
        if (!('missing' in resource)) {
          found.set(`${group}/${kind}`, resource.name);
          break;
        }
      }
    }
    return (group, kind) => found.get(`${group}/${kind}`);
  }

  /** The project's service account in this cluster, holding what Argo CD lets the AppProject do (tools/cluster/project-rbac.ts). */
  private async projectApi(session: Session, app: ApplicationSync, rejections: Rejection[]): Promise<ObjectClient> {
    const key = `${app.project}|${app.server}`;
    const existing = session.projects.get(key);
    if (existing) return existing;
    const account = projectAccount(app.project);
    const project = this.plan.projects.get(app.project) ?? (app.project === DEFAULT_PROJECT.metadata.name ? DEFAULT_PROJECT : undefined);
    const rbac = project ? projectRbac(project, app.server, await this.resolver(session, project)) : { clusterRules: [], namespaceRules: [], namespaces: [], unresolved: [] };
    if (rbac.unresolved.length > 0) {
      rejections.push({
        cluster: session.cluster.name,
        application: app.name,
        source: `AppProject ${app.project}`,
        object: `AppProject argocd/${app.project}`,
        key: `argoproj.io|AppProject|argocd|${app.project}`,
        step: 'apply',
        status: 0,
        message: `the cluster test cannot express ${rbac.unresolved.join(', ')} as RBAC (tools/cluster/project-rbac.ts)`,
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
    await this.authorized(session, account.user, rbac.clusterRules[0] ?? rbac.namespaceRules[0], rbac.namespaces[0]);
    const api = session.cluster.api.as(account.user);
    session.projects.set(key, api);
    return api;
  }

  /**
   * Waits until the RBAC authorizer (fed by informers, so a moment behind the writes) grants the
   * account its first rule: Argo CD's account exists long before a sync, ours was just bound.
   */
  private async authorized(session: Session, user: string, rule: { apiGroups?: string[]; resources?: string[]; verbs: string[] } | undefined, namespace: string | undefined): Promise<void> {
    if (!rule?.resources?.length || !rule.apiGroups?.length) return;
    const star = (v: string) => (v === '*' ? 'x-any' : v);
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${PROJECT_ACCOUNTS_NAMESPACE}`, 'system:authenticated'],
        resourceAttributes: { group: star(rule.apiGroups[0]!), resource: star(rule.resources[0]!), verb: star(rule.verbs[0]!), ...(namespace && namespace !== '*' ? { namespace } : {}) },
      },
    };
    for (let i = 0, delay = 10; i < 100; i++, delay = Math.min(delay * 2, 100)) {
      const review = await session.admin.server.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify(body) }).catch(() => undefined);
      if (review?.status?.allowed) return;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** The namespace Argo CD gives a namespaced resource without one: the Application's destination namespace. */
  private async withNamespace(api: ObjectClient, object: KubeObject, app: ApplicationSync): Promise<KubeObject> {
    const spec = strip(object);
    if (!spec.metadata?.namespace && (await api.namespaced(object.apiVersion, object.kind))) return { ...spec, metadata: { ...spec.metadata, namespace: app.destinationNamespace ?? 'default' } };
    return spec;
  }

  private reject(rejections: Rejection[], app: ApplicationSync, task: PlannedObject, step: Rejection['step'], error: unknown): void {
    const { status, message } = apiMessage(error);
    const id = identityOf(task.object);
    rejections.push({ cluster: app.cluster, application: app.name, source: task.source, object: formatIdentity(id), key: identityKey(id), step, status, message });
  }

  async walk(options: WalkOptions): Promise<WalkResult> {
    const result: WalkResult = { rejections: [], versions: new Map(), applied: new Map(), skipped: [], rewritten: [], deferred: [], counts: { applications: 0, objects: 0 } };
    await this.sync(this.plan.rootApplication, options, result, new Set());
    if ((options.webhooks ?? 'last') === 'last') await this.applyDeferred(result, options);
    return result;
  }

  /** Applies the admission webhook configurations a walk held back, as their Applications would (decision 0813). */
  async applyDeferred(result: WalkResult, options: WalkOptions): Promise<void> {
    const held = result.deferred.splice(0);
    await pool(held, CONCURRENCY, async ({ app, task }) => {
      const session = this.sessions.get(app.cluster)!;
      await this.applyTask(session, await this.projectApi(session, app, result.rejections), app, task, options, result);
    });
  }

  /**
   * One object: the server-side apply (a refused apply writes nothing; Argo CD's own dry-run is the
   * client-side one of `sync`, so the server sees each object once per sync); on a re-apply, the
   * content must not move.
   */
  private async applyTask(session: Session, api: ObjectClient, app: ApplicationSync, task: PlannedObject, options: WalkOptions, result: WalkResult): Promise<boolean> {
    const id = identityOf(task.object);
    const key = `${app.cluster}|${identityKey(id)}`;
    try {
      const spec = await this.withNamespace(api, task.object, app);
      // Controllers of the API server itself (CRD conditions, defaulted status) may write between two
      // syncs: a no-op is judged on this apply alone, from the version just before it to the one after.
      const live = options.mode === 're-apply' ? await session.admin.live(spec) : undefined;
      const applied = await api.apply(spec, false);
      const version = String(applied.metadata?.resourceVersion ?? '');
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
      return true;
    } catch (error) {
      this.reject(result.rejections, app, task, options.mode === 're-apply' ? 're-apply' : 'apply', error);
      return false;
    }
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
    const all = app.objects.filter((t) => phaseOf(t.object) !== 'Skip').sort((a, b) => compareTasks(a.object, b.object));
    const tasks = all.filter((t) => !isWebhookConfiguration(t.object));
    const crdsHere = new Set(all.filter((t) => t.object.kind === 'CustomResourceDefinition').map((t) => `${(t.object as any).spec?.group}/${(t.object as any).spec?.names?.kind}`));
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
      const missing = await Promise.all(all.map((task) => (skipDryRun(task.object) ? undefined : api.missingKind(task.object.apiVersion, task.object.kind))));
      all.forEach((task, i) => {
        if (missing[i]) this.reject(result.rejections, app, task, 'dry-run', new ApiError(404, { message: missing[i] }));
      });
      if (result.rejections.length > before) {
        result.skipped.push(`${app.name}: not synced, its dry-run failed (${result.rejections.length - before} object(s)); Applications it holds are not synced either`);
        return;
      }
    }
    result.deferred.push(...all.filter((t) => isWebhookConfiguration(t.object)).map((task) => ({ app, task })));
    log(`${options.mode} ${app.name} → ${app.cluster} (${all.length} objects, ${app.content})`);
    const waves = new Map<string, PlannedObject[]>();
    for (const task of tasks) {
      const key = `${phaseOf(task.object)}|${waveOf(task.object)}`;
      waves.set(key, [...(waves.get(key) ?? []), task]);
    }
    for (const wave of waves.values()) {
      const failedBefore = result.rejections.length;
      const children: string[] = [];
      // gitops-engine (sync_context.go `runTasks`) applies consecutive tasks of the same kind concurrently and waits between kinds.
      const groups: PlannedObject[][] = [];
      for (const task of wave) {
        const last = groups.at(-1);
        if (last && last[0]!.object.kind === task.object.kind) last.push(task);
        else groups.push([task]);
      }
      for (const group of groups) {
        await pool(group, CONCURRENCY, async (task) => {
          if (!(await this.applyTask(session, api, app, task, options, result))) return;
          if (task.object.kind === 'CustomResourceDefinition') await this.established(session, task.object);
          if (task.object.kind === 'Provider' && task.object.apiVersion.startsWith('pkg.crossplane.io/')) await this.installPackage(session, task.object, app.name, result.rejections);
        });
        for (const task of group)
          if (task.object.kind === 'Application' && task.object.apiVersion.startsWith('argoproj.io/') && result.applied.has(`${app.cluster}|${identityKey(identityOf(task.object))}`))
            children.push(task.object.metadata.name);
      }
      if (result.rejections.length > failedBefore) {
        result.skipped.push(`${app.name}: stopped after a failed wave; later waves and the Applications of that wave are not synced`);
        return;
      }
      for (const child of children) await this.sync(child, options, result, seen);
    }
    // The chart's controller starts (modelled: at once) and registers its CRDs; Argo CD's next wave waits for its health.
    await pool(app.runtimeCrds, CONCURRENCY, (crd) => this.adminApply(session, crd.object, `${crd.source} (registered by the controller of ${app.name})`, app.name, result.rejections));
  }

  /** Crossplane's package manager installs the package's CRDs once the Provider exists (modelled: immediately). */
  private async installPackage(session: Session, provider: KubeObject, application: string, rejections: Rejection[]): Promise<void> {
    const reference = String((provider as any).spec?.package ?? '');
    for (const [pkg, crds] of this.plan.packageCrds) {
      if (reference === pkg || reference.startsWith(`${pkg}:`) || reference.startsWith(`${pkg}@`)) {
        await pool(crds, CONCURRENCY, (crd) => this.adminApply(session, withPackageWebhook(crd.object, provider), `${crd.source} (installed by Crossplane for ${reference})`, application, rejections));
      }
    }
  }

  /** Deletes what a newer tree no longer has, as Argo CD's prune does (background propagation). */
  async prune(keys: Iterable<[string, { object: KubeObject }]>): Promise<Rejection[]> {
    const rejections: Rejection[] = [];
    await pool([...keys], CONCURRENCY, async ([key, { object }]) => {
      const cluster = key.split('|')[0]!;
      const session = this.sessions.get(cluster);
      if (!session) return;
      try {
        await session.admin.delete(strip(object));
      } catch (error) {
        const { status, message } = apiMessage(error);
        if (status === 404) return;
        const id = identityOf(object);
        rejections.push({ cluster, application: 'prune', source: '(prune)', object: formatIdentity(id), key: identityKey(id), step: 'apply', status, message });
      }
    });
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
export function contentDifference(before: KubeObject | undefined, after: KubeObject): string | undefined {
  if (!before) return 'it (it did not exist)';
  const bookkeeping = new Set(['resourceVersion', 'managedFields']);
  const meta = (o: KubeObject) => Object.fromEntries(Object.entries(o.metadata ?? {}).filter(([k]) => !bookkeeping.has(k)));
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
