import { App } from 'cdk8s';
import type { Environment } from '../environments/types.ts';
import { ConfigError, ConfigErrors } from '../lib/config-errors.ts';
import { isDistFileContributor } from '../lib/dist-file.ts';
import { groupBy } from '../lib/group-by.ts';
import { isArgoControlObject, type Manifest } from '../lib/manifest.ts';
import { withOneStepObjectJson } from '../lib/object-json.ts';
import { PlatformChart } from '../lib/platform-chart.ts';
import { assignFileNames, chartObjects, sortManifests } from '../lib/render.ts';
import { ROOT_FOLDER, SERVICES, type ServiceName } from '../platform/registry.ts';
import { RootChart, type RootFolder } from './roots.ts';
import { networkPolicyEnforcementProblems } from './network-policy-enforcement.ts';
import { dropExpiredSandboxes, sandboxLifetimeProblems } from './sandboxes.ts';
import { serviceWaves } from './service-waves.ts';
import { validateEnvironments } from './validate-environment.ts';
import type { ExtraFile, ExtraOutputGenerator } from './extra-outputs.ts';
import { EXTRA_OUTPUTS } from '../platform/outputs.ts';
import { DATA_WARNINGS } from '../platform/warnings.ts';
import { InternalError, lastConstructPath } from './internal-error.ts';
import { capacityProblems } from './capacity.ts';

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
  const dataProblems = locate('all environments › environment data (charts/environments/)', () => [...validateEnvironments(environments), ...sandboxLifetimeProblems(environments, options.today)]);
  if (dataProblems.length > 0) throw new ConfigError(dataProblems);
  // Quotas alone, before building: a runaway sandbox list stops here, not after a long build.
  const quotaProblems = locate('all environments › capacity check (charts/app/capacity.ts)', () => capacityProblems(environments, options.today));
  if (quotaProblems.length > 0) throw new ConfigError(quotaProblems);

  const waves = serviceWaves(); // throws a ConfigError on a registry cycle or unknown dependency
  const app = new App({ outdir: 'unused', recordConstructMetadata: false });
  const problems: string[] = [];
  const warnings: string[] = [];
  const servicesByEnvironment = new Map<string, ServiceName[]>();
  const built: { environment: Environment; charts: PlatformChart[] }[] = [];

  for (const original of environments) {
    const { environment, warnings: sandboxWarnings } = locate(`${original.name} › environment (sandbox expiry, charts/app/sandboxes.ts)`, () => dropExpiredSandboxes(original, options.today));
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
        if (!(error instanceof ConfigError)) throw new InternalError(`${environment.name} › ${lastConstructPath(chart, service)}`, error);
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
      if (!(error instanceof ConfigError)) throw new InternalError(`all environments › ${generate.name || 'extra output'} (charts/platform/outputs.ts)`, error);
      problems.push(...error.messages);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  for (const warn of DATA_WARNINGS)
    warnings.push(
      ...warn(
        built.map((b) => b.environment),
        options.today,
      ),
    );

  // Rendering runs cdk8s' own code (toJson of every object): an exception there is located too.
  let manifests: Manifest[];
  try {
    manifests = nameFiles(withOneStepObjectJson(app, () => renderAll(app, environments, built, extraFiles)));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof InternalError) throw error;
    throw new InternalError('all environments › rendering (charts/app/build.ts)', error);
  }
  // The construct tree's own validations (node.addValidation), with their construct paths.
  const invalid = ConfigErrors.ofValidations(app);
  if (invalid.length > 0) throw new ConfigError(invalid);
  const capacity = locate('all environments › capacity check (charts/app/capacity.ts)', () => capacityProblems(environments, options.today, manifests));
  if (capacity.length > 0) throw new ConfigError(capacity);
  const unenforced = locate('all environments › NetworkPolicy enforcement (charts/app/network-policy-enforcement.ts)', () =>
    networkPolicyEnforcementProblems(
      built.map((b) => b.environment),
      manifests,
    ),
  );
  if (unenforced.length > 0) throw new ConfigError(unenforced);
  return { app, kubernetesVersion: environments[0]?.platform.kubernetesVersion ?? '', manifests, services: servicesByEnvironment, warnings, extraFiles };
}

/** Runs `step`, turning an unexpected exception into an InternalError that says where it happened. */
function locate<T>(where: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof InternalError) throw error;
    throw new InternalError(where, error);
  }
}

/** Every chart's objects, then each environment's root (which lists the folders that have objects). */
function renderAll(app: App, environments: readonly Environment[], built: { environment: Environment; charts: PlatformChart[] }[], extraFiles: ExtraFile[]): Manifest[] {
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
      const definition: { readonly withHostedRoots?: boolean } = SERVICES[chart.service as ServiceName];
      if (ownObjects > 0) folders.push({ service: chart.service, wave: chart.folderWave, ...(definition.withHostedRoots ? { withHostedRoots: true } : {}) });
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
  return manifests;
}

/** File names are assigned per folder once every object of the folder is known. */
function nameFiles(manifests: Manifest[]): Manifest[] {
  const byFolder = groupBy(manifests, (manifest) => `${manifest.environment}/${manifest.folder}`);
  const named: Manifest[] = [];
  for (const group of byFolder.values()) {
    const files = assignFileNames(group.map((m) => m.object));
    group.forEach((manifest, index) => {
      named.push({ ...manifest, file: files[index]! });
    });
  }
  return sortManifests(named);
}
