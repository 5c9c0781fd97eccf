import { App } from 'cdk8s';
import type { Environment } from '../environments/types.ts';
import { ConfigError, ConfigErrors } from '../lib/config-errors.ts';
import { isDistFileContributor } from '../lib/dist-file.ts';
import { isArgoControlObject, type Manifest } from '../lib/manifest.ts';
import { PlatformChart } from '../lib/platform-chart.ts';
import { assignFileNames, chartObjects, sortManifests } from '../lib/render.ts';
import { ROOT_FOLDER, SERVICES, type ServiceName } from '../platform/registry.ts';
import { RootChart, type RootFolder } from './roots.ts';
import { dropExpiredSandboxes } from './sandboxes.ts';
import { serviceWaves } from './service-waves.ts';
import { validateEnvironments } from './validate-environment.ts';
import type { ExtraFile, ExtraOutputGenerator } from './extra-outputs.ts';
import { EXTRA_OUTPUTS } from '../platform/outputs.ts';

export interface BuildOptions {
  /** YYYY-MM-DD: sandboxes past their expiry are dropped. */
  readonly today: string;
  /** Generators of non-Kubernetes files. @default EXTRA_OUTPUTS */
  readonly extraOutputs?: readonly ExtraOutputGenerator[];
}

export interface PlatformBuild {
  readonly app: App;
  /** The platform's one Kubernetes minor (environment data). */
  readonly kubernetesVersion: string;
  readonly manifests: Manifest[];
  /** Per environment, the services it runs (in registry order). */
  readonly services: Map<string, ServiceName[]>;
  readonly warnings: string[];
  /** Files beside the manifests that are not Kubernetes objects (see extra-outputs.ts). */
  readonly extraFiles: readonly ExtraFile[];
}

/**
 * Environment data → constructs → objects in memory. Every chart of every environment is built
 * before anything is rendered, so a construct may read what others declared (e.g. the Gateway
 * lists the routes of its environment). Throws one ConfigError carrying every problem; writes nothing.
 */
export function buildPlatform(environments: readonly Environment[], options: BuildOptions): PlatformBuild {
  const dataProblems = validateEnvironments(environments);
  if (dataProblems.length > 0) throw new ConfigError(dataProblems);

  const waves = serviceWaves();
  const app = new App({ outdir: 'unused', recordConstructMetadata: false });
  const problems: string[] = [];
  const warnings: string[] = [];
  const servicesByEnvironment = new Map<string, ServiceName[]>();
  const built: { environment: Environment; charts: PlatformChart[] }[] = [];

  for (const original of environments) {
    const { environment, warnings: sandboxWarnings } = dropExpiredSandboxes(original, options.today);
    warnings.push(...sandboxWarnings);
    const enabled = (Object.keys(SERVICES) as ServiceName[]).filter((name) => environment.services[name] !== undefined);
    servicesByEnvironment.set(environment.name, enabled);
    const charts: PlatformChart[] = [];
    for (const service of enabled) {
      const chart = new PlatformChart(app, `${environment.name}-${service}`, { environment, service, wave: waves.get(service)! });
      try {
        const definition = SERVICES[service] as { build: (chart: PlatformChart, settings: unknown) => void };
        definition.build(chart, environment.services[service]);
        charts.push(chart);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.messages);
      }
    }
    built.push({ environment, charts });
  }
  const extraFiles: ExtraFile[] = [];
  for (const generate of options.extraOutputs ?? EXTRA_OUTPUTS) {
    try {
      extraFiles.push(...generate(built.map((b) => b.environment)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.messages);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const manifests: Manifest[] = [];
  for (const { environment, charts } of built) {
    const folders: RootFolder[] = [];
    const upstreamRepos = new Set<string>();
    for (const chart of charts) {
      for (const node of chart.node.findAll()) {
        // Constructs may contribute non-Kubernetes files too (e.g. the kustomization of release assets).
        if (isDistFileContributor(node)) extraFiles.push(...node.distFiles());
      }
      let ownObjects = 0;
      for (const { path, object } of chartObjects(chart)) {
        const folder = isArgoControlObject(object) ? ROOT_FOLDER : chart.service;
        // The AppProject allows our repository and exactly the upstream ones the Applications read.
        const source = object.kind === 'Application' ? (object as { spec?: { source?: { repoURL?: string } } }).spec?.source : undefined;
        if (source?.repoURL && source.repoURL !== environment.platform.source.repoURL) upstreamRepos.add(source.repoURL);
        if (folder !== ROOT_FOLDER) ownObjects++;
        manifests.push({ environment: environment.name, folder, file: '', source: path, object });
      }
      if (ownObjects > 0) folders.push({ service: chart.service, wave: chart.folderWave });
    }
    const root = new RootChart(app, `${environment.name}-${ROOT_FOLDER}`, {
      environment,
      folders,
      upstreamRepos: [...upstreamRepos],
      hostedEnvironments: environments.filter((candidate) => candidate.cluster.host === environment.name),
    });
    for (const { path, object } of chartObjects(root)) {
      manifests.push({ environment: environment.name, folder: ROOT_FOLDER, file: '', source: path, object });
    }
  }
  const invalid = ConfigErrors.ofValidations(app);
  if (invalid.length > 0) throw new ConfigError(invalid);
  return { app, kubernetesVersion: environments[0]?.platform.kubernetesVersion ?? '', manifests: nameFiles(manifests), services: servicesByEnvironment, warnings, extraFiles };
}

/** File names are assigned per folder once every object of the folder is known. */
function nameFiles(manifests: Manifest[]): Manifest[] {
  const byFolder = new Map<string, Manifest[]>();
  for (const manifest of manifests) {
    const key = `${manifest.environment}/${manifest.folder}`;
    const group = byFolder.get(key);
    if (group) group.push(manifest);
    else byFolder.set(key, [manifest]);
  }
  const named: Manifest[] = [];
  for (const group of byFolder.values()) {
    const files = assignFileNames(group.map((m) => m.object));
    group.forEach((manifest, index) => {
      named.push({ ...manifest, file: files[index]! });
    });
  }
  return sortManifests(named);
}
