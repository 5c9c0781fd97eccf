import { App } from 'cdk8s';
import type { Environment } from '../environments/types.ts';
import { ConfigError } from '../lib/config-errors.ts';
import { ArgoApplication } from '../lib/argocd-application.ts';
import { HelmApplication, ManifestApplication } from '../lib/helm-application.ts';
import { isArgoControlObject, type KubeObject, type Manifest } from '../lib/manifest.ts';
import { PlatformChart } from '../lib/platform-chart.ts';
import { assignFileNames, chartObjects, sortManifests } from '../lib/render.ts';
import { ROOT_FOLDER, SERVICES, type ServiceName } from '../platform/registry.ts';
import { RootChart, type RootFolder } from './roots.ts';
import { dropExpiredSandboxes } from './sandboxes.ts';
import { serviceWaves } from './service-waves.ts';
import { validateEnvironments } from './validate-environment.ts';

export interface BuildOptions {
  /** YYYY-MM-DD: sandboxes past their expiry are dropped. */
  readonly today: string;
}

export interface PlatformBuild {
  readonly app: App;
  readonly manifests: Manifest[];
  /** Per environment, the services it runs (in registry order). */
  readonly services: Map<string, ServiceName[]>;
  readonly warnings: string[];
}

/**
 * Environment data → constructs → objects in memory. Throws one ConfigError carrying every problem
 * of every environment; writes nothing.
 */
export function buildPlatform(environments: readonly Environment[], options: BuildOptions): PlatformBuild {
  const dataProblems = validateEnvironments(environments);
  if (dataProblems.length > 0) throw new ConfigError(dataProblems);

  const waves = serviceWaves();
  const app = new App({ outdir: 'unused', recordConstructMetadata: false });
  const problems: string[] = [];
  const warnings: string[] = [];
  const manifests: Manifest[] = [];
  const servicesByEnvironment = new Map<string, ServiceName[]>();

  for (const original of environments) {
    const { environment, warnings: sandboxWarnings } = dropExpiredSandboxes(original, options.today);
    warnings.push(...sandboxWarnings);
    const enabled = (Object.keys(SERVICES) as ServiceName[]).filter((name) => environment.services[name] !== undefined);
    servicesByEnvironment.set(environment.name, enabled);
    const folders: RootFolder[] = [];
    const upstreamRepos = new Set<string>();

    for (const service of enabled) {
      const chart = new PlatformChart(app, `${environment.name}-${service}`, { environment, service, wave: waves.get(service)! });
      try {
        const definition = SERVICES[service] as { build: (chart: PlatformChart, settings: unknown) => void };
        definition.build(chart, environment.services[service]);
      } catch (error) {
        if (error instanceof ConfigError) {
          problems.push(...error.messages);
          continue;
        }
        throw error;
      }
      for (const node of chart.node.findAll()) {
        if (node instanceof HelmApplication || node instanceof ManifestApplication) {
          const source = (node.argo as ArgoApplication).application.toJson().spec.source;
          upstreamRepos.add(source.repoURL);
        }
      }
      const objects = chartObjects(chart);
      const own = objects.filter(({ object }) => !isArgoControlObject(object));
      manifests.push(...placeObjects(environment.name, service, own));
      manifests.push(...objects.filter(({ object }) => isArgoControlObject(object)).map((o) => ({ ...o, folder: ROOT_FOLDER })).map((o) => toManifest(environment.name, o)));
      if (own.length > 0) folders.push({ service, wave: chart.folderWave });
    }

    const hostedEnvironments = environments.filter((candidate) => candidate.cluster.host === environment.name);
    const root = new RootChart(app, `${environment.name}-${ROOT_FOLDER}`, {
      environment,
      folders,
      upstreamRepos: [...upstreamRepos],
      hostedEnvironments,
    });
    manifests.push(...chartObjects(root).map((o) => toManifest(environment.name, { ...o, folder: ROOT_FOLDER })));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return { app, manifests: nameFiles(manifests), services: servicesByEnvironment, warnings };
}

function toManifest(environment: string, o: { path: string; object: KubeObject; folder: string }): Manifest {
  return { environment, folder: o.folder, file: '', source: o.path, object: o.object };
}

function placeObjects(environment: string, folder: string, objects: { path: string; object: KubeObject }[]): Manifest[] {
  return objects.map((o) => toManifest(environment, { ...o, folder }));
}

/** File names are assigned per folder once every object of the folder is known. */
function nameFiles(manifests: Manifest[]): Manifest[] {
  const byFolder = new Map<string, Manifest[]>();
  for (const manifest of manifests) {
    const key = `${manifest.environment}/${manifest.folder}`;
    byFolder.set(key, [...(byFolder.get(key) ?? []), manifest]);
  }
  const named: Manifest[] = [];
  for (const group of byFolder.values()) {
    const files = assignFileNames(group.map((m) => m.object));
    group.forEach((manifest, index) => named.push({ ...manifest, file: files[index]! }));
  }
  return sortManifests(named);
}
