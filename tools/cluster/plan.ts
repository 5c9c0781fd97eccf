/**
 * What Argo CD will sync, and where, from a dist tree: starting at the host's root Application (the
 * one object applied by hand at bootstrap), each Application's resources (a folder of ours, an
 * environment's root, an upstream chart or release) with the cluster they land in. Pure: no API
 * server here; tools/cluster/apply.ts walks the plan.
 */
import { SCHEMALESS_KINDS } from '../../charts/environments/catalogue.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import type { GateFacts, UpstreamSource } from '../../gate/facts.ts';
import { ROOT, inventories, isOwnSource } from '../../gate/inventory.ts';

/** One object to apply and where it comes from (a dist file, a pinned CRD, a rendered chart). */
export interface PlannedObject {
  readonly source: string;
  readonly object: KubeObject;
}

export interface ApplicationSync {
  readonly name: string;
  /** Environment whose root holds the Application. */
  readonly environment: string;
  readonly project: string;
  /** Cluster the resources land in (an environment name: the host or a vcluster). */
  readonly cluster: string;
  /** `spec.destination.server` (or `.name`): the AppProject destinations it is matched against. */
  readonly server: string;
  readonly destinationNamespace?: string;
  /** `CreateNamespace=true`: Argo CD creates the destination namespace (with managedNamespaceMetadata) before syncing. */
  readonly createNamespace?: { readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
  readonly syncOptions: readonly string[];
  /** How its resources were found: our own folder, rendered chart objects, or only the CRDs of its catalogue entry. */
  readonly content: 'folder' | 'rendered' | 'catalogue-crds';
  readonly objects: readonly PlannedObject[];
  /** CRDs the chart's controller registers when it starts (catalogue `crdGroupsAtRuntime`): applied once the Application is synced. */
  readonly runtimeCrds: readonly PlannedObject[];
}

export interface ClusterPlan {
  /** The host (Argo CD's own cluster) and every vcluster environment. */
  readonly clusters: readonly string[];
  readonly host: string;
  /** Namespaces that exist before any sync, per cluster (built-in, Argo CD's, declared provided by the host). */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
  /** CRDs installed with Argo CD at bootstrap (on the host). */
  readonly bootstrapCrds: readonly PlannedObject[];
  /** Application name → its sync. */
  readonly applications: ReadonlyMap<string, ApplicationSync>;
  /** The Application applied by hand at bootstrap (`<host>-root`). */
  readonly rootApplication: string;
  /** AppProjects of the tree by name (what each Application's service account may do). */
  readonly projects: ReadonlyMap<string, KubeObject>;
  /** Crossplane packages: `package:version` prefix → the CRDs its package manager installs once the Provider is applied. */
  readonly packageCrds: ReadonlyMap<string, readonly PlannedObject[]>;
  /** What the plan had to approximate (e.g. a chart without rendered objects). */
  readonly notices: readonly string[];
}

export interface CrdSource {
  /** Every pinned CRD of an API group (empty when none is pinned). */
  crdsOfGroup(group: string): PlannedObject[];
}

/** Pinned CRDs read from `<dir>/<group>/*.yaml` folders (../shared/schemas/crds, ../shared/crds-extra). */
export function crdFolders(dirs: readonly string[]): CrdSource {
  const cache = new Map<string, PlannedObject[]>();
  return {
    crdsOfGroup(group) {
      let found = cache.get(group);
      if (found) return found;
      found = [];
      for (const dir of dirs) {
        const folder = join(dir, group);
        if (!existsSync(folder)) continue;
        for (const file of readdirSync(folder).sort()) {
          if (!/\.ya?ml$/.test(file)) continue;
          for (const document of parseAllDocuments(readFileSync(join(folder, file), 'utf8'))) {
            const object = document.toJS() as KubeObject | null;
            if (object?.kind === 'CustomResourceDefinition') found.push({ source: join(folder, file), object });
          }
        }
      }
      cache.set(group, found);
      return found;
    },
  };
}

export interface PlanOptions {
  readonly facts: GateFacts;
  /** The environment whose cluster is the host (runs Argo CD). */
  readonly host: string;
  readonly crds: CrdSource;
  /** Rendered objects of an upstream Application (tools/render), when available. */
  readonly rendered?: (environment: string, application: string) => PlannedObject[] | undefined;
  /** Crossplane packages (`package` OCI reference without tag → CRD groups its package manager installs). */
  readonly packages?: readonly { readonly package: string; readonly crdGroups: readonly string[] }[];
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

function sourcesOf(application: any): any[] {
  return application.spec?.source ? [application.spec.source] : (application.spec?.sources ?? []);
}

export function buildPlan(manifests: readonly Manifest[], options: PlanOptions): ClusterPlan {
  const { facts, host } = options;
  const notices: string[] = [];
  const byInventory = inventories(manifests, facts);
  const environments = [...new Set(manifests.map((m) => m.environment))].sort();
  const clusters = [host, ...environments.filter((e) => e !== host)];
  const folderObjects = (environment: string, folder: string): PlannedObject[] =>
    manifests.filter((m) => m.environment === environment && m.folder === folder).map((m) => ({ source: `${m.environment}/${m.folder}/${m.file}`, object: m.object }));

  const applications = new Map<string, ApplicationSync>();
  const projects = new Map<string, KubeObject>();
  for (const manifest of manifests) {
    if (manifest.folder !== ROOT || !manifest.object.apiVersion.startsWith('argoproj.io/')) continue;
    if (manifest.object.kind === 'AppProject') projects.set(manifest.object.metadata.name, manifest.object);
  }
  for (const environment of environments) {
    const inventory = byInventory.get(environment)!;
    const upstreamByName = new Map(inventory.upstreamApplications.map((a) => [a.name, a.upstream]));
    // Kinds whose CRD a rendered chart of the environment brings (e.g. Kuma's MeshTLS, pinned nowhere else).
    const renderedKinds = new Set(
      inventory.upstreamApplications
        .flatMap((a) => options.rendered?.(environment, a.name) ?? [])
        .filter((o) => o.object.kind === 'CustomResourceDefinition')
        .flatMap((o) => ((o.object as any).spec?.versions ?? []).map((v: any) => `${(o.object as any).spec?.group}/${v.name}|${(o.object as any).spec?.names?.kind}`)),
    );
    for (const manifest of manifests) {
      const app = manifest.object as any;
      if (manifest.environment !== environment || manifest.folder !== ROOT || app.kind !== 'Application' || !app.apiVersion.startsWith('argoproj.io/')) continue;
      const name: string = app.metadata.name;
      const destination = app.spec?.destination ?? {};
      const cluster = destination.server === IN_CLUSTER || destination.name === 'in-cluster' ? host : environment;
      const syncOptions: string[] = app.spec?.syncPolicy?.syncOptions ?? [];
      const own = sourcesOf(app).find((s) => isOwnSource(s, facts));
      const upstream: UpstreamSource | undefined = upstreamByName.get(name);
      let content: ApplicationSync['content'];
      let objects: PlannedObject[];
      let runtimeCrds: PlannedObject[] = [];
      if (own && !upstream) {
        const [env, folder] = String(own.path).split('/') as [string, string];
        content = 'folder';
        objects = folderObjects(env, folder).filter((planned) => {
          // A kind the catalogue declares schemaless (its CRD is not pinned, e.g. Kuma's MeshTLS, which
          // only the chart ships) cannot reach an API server that has only the pinned CRDs: said, not
          // applied, unless a rendered chart of the environment brings its CRD.
          const gap = !renderedKinds.has(`${planned.object.apiVersion}|${planned.object.kind}`) && SCHEMALESS_KINDS.find((k) => k.apiVersion === planned.object.apiVersion && k.kind === planned.object.kind);
          if (gap) notices.push(`${name}: ${planned.object.kind} ${planned.object.metadata.name} not applied: ${gap.reason}`);
          return !gap;
        });
      } else {
        const rendered = options.rendered?.(environment, name);
        if (rendered) {
          content = 'rendered';
          objects = rendered;
          const renderedGroups = new Set(rendered.filter((o) => o.object.kind === 'CustomResourceDefinition').map((o) => String((o.object as any).spec?.group)));
          const atRuntime = upstream?.crdGroupsAtRuntime ?? [];
          runtimeCrds = atRuntime.flatMap((group) => options.crds.crdsOfGroup(group));
          const absent = (upstream?.crdGroups ?? []).filter((group) => !renderedGroups.has(group) && !atRuntime.includes(group));
          if (absent.length > 0)
            notices.push(`${name}: the catalogue says ${upstream!.name} brings CRDs of ${absent.join(', ')}, the rendered chart has none (declare crdGroupsAtRuntime if its controller registers them)`);
          if (atRuntime.length > 0) notices.push(`${name}: CRDs of ${atRuntime.join(', ')} registered by the chart's controller at start (crdGroupsAtRuntime), applied once the Application is synced`);
        } else {
          content = 'catalogue-crds';
          const groups = upstream?.crdGroups ?? [];
          objects = groups.flatMap((group) => options.crds.crdsOfGroup(group));
          const missing = groups.filter((group) => options.crds.crdsOfGroup(group).length === 0);
          notices.push(
            `${name}: no rendered objects; applies only the pinned CRDs of ${upstream ? upstream.name : 'its source'} (${groups.join(', ') || 'none'})` +
              (missing.length > 0 ? `; no pinned CRD for ${missing.join(', ')}` : ''),
          );
        }
      }
      const managed = app.spec?.syncPolicy?.managedNamespaceMetadata ?? {};
      applications.set(name, {
        name,
        environment,
        project: app.spec?.project ?? 'default',
        cluster,
        server: destination.server ?? destination.name ?? '',
        ...(destination.namespace ? { destinationNamespace: destination.namespace } : {}),
        // A release that creates its namespace itself (catalogue `createsNamespace`) does so even when only its CRDs are modelled.
        ...((syncOptions.includes('CreateNamespace=true') || (content === 'catalogue-crds' && upstream?.createsNamespace)) && destination.namespace
          ? { createNamespace: { labels: managed.labels ?? {}, annotations: managed.annotations ?? {} } }
          : {}),
        syncOptions,
        content,
        objects,
        runtimeCrds,
      });
    }
  }

  const namespaces = new Map<string, string[]>();
  for (const cluster of clusters) {
    const inventory = byInventory.get(cluster);
    const provided = [...(inventory?.namespaces.entries() ?? [])].filter(([, sources]) => sources.some((s) => s.kind === 'provided')).map(([n]) => n);
    namespaces.set(cluster, [...new Set([...provided, ...(cluster === host ? [facts.argocdNamespace] : [])])].sort());
  }
  const packageCrds = new Map<string, PlannedObject[]>();
  for (const pin of options.packages ?? [])
    packageCrds.set(
      pin.package,
      pin.crdGroups.flatMap((g) => options.crds.crdsOfGroup(g)),
    );

  const rootApplication = `${host}-root`;
  if (!applications.has(rootApplication)) notices.push(`no Application ${rootApplication} in ${host}/root: nothing is synced`);
  return {
    clusters,
    host,
    namespaces,
    bootstrapCrds: facts.bootstrapCrdGroups.flatMap((group) => options.crds.crdsOfGroup(group)),
    applications,
    rootApplication,
    projects,
    packageCrds,
    notices,
  };
}
