import { Construct } from 'constructs';
import type { ChartPin, ManifestPin } from '../environments/catalogue.ts';
import { type ApplicationEscapeHatches, ArgoApplication } from './argocd-application.ts';
import { ConfigErrors } from './config-errors.ts';
import { FOLDER_WAVE_OFFSET, PlatformChart, SERVICE_WAVE_SPAN } from './platform-chart.ts';
import { podSecurityLabels, type PodSecurityLevel } from './labels.ts';
import { isDnsLabel } from './names.ts';
import { meshLabels, validateMeshMembership, type MeshMembership } from './namespace.ts';

/** The namespace an upstream Application creates, with the labels every namespace must carry. */
export interface ManagedNamespace {
  readonly podSecurity: PodSecurityLevel;
  /** Mesh membership of the namespace's pods. */
  readonly mesh?: MeshMembership;
  /** The mesh an injected namespace joins (label `kuma.io/mesh`). @default Kuma's mesh `default` */
  readonly meshName?: string;
  /** Extra labels. */
  readonly labels?: Record<string, string>;
}

interface UpstreamApplicationProps extends ApplicationEscapeHatches {
  /**
   * Release name, unique in the environment. The Application is `<env>-<name>-chart` (Helm) or
   * `<env>-<name>-release` (upstream manifests), apart from the `<env>-<service>` folder Application.
   */
  readonly name?: string;
  /** Target namespace in the environment's cluster. */
  readonly namespace: string;
  /** Let Argo CD create `namespace` with these labels. Omit when the namespace is created elsewhere. */
  readonly createNamespace?: ManagedNamespace;
  /** Extra Argo CD sync options (`ServerSideApply=true` for large CRD bundles, …). */
  readonly syncOptions?: readonly string[];
  /** Order among this service's upstream Applications, 0 to 4. @default 0 */
  readonly waveOffset?: number;
  /**
   * Sync right after this service's own folder instead of before it: for a chart whose pods need
   * something the folder creates (its namespace and the ExternalSecret of its credentials), which
   * would otherwise never become healthy and hold back the folder's wave. The folder must then
   * create the namespace (omit `createNamespace`). @default false
   */
  readonly afterFolder?: boolean;
}

export interface HelmApplicationProps<Values extends object> extends UpstreamApplicationProps {
  /** The pinned chart from the catalogue. */
  readonly chart: ChartPin;
  /** The values we set; typed by the service, checked against the chart's values.yaml. */
  readonly values: Values;
  /**
   * Helm release name, when it must differ from `name` (charts that name everything after the
   * release, e.g. one vcluster per release). @default `name`, else the chart name
   */
  readonly releaseName?: string;
}

export interface ManifestApplicationProps extends UpstreamApplicationProps {
  /** Upstream release manifests at a pinned tag, from the catalogue. */
  readonly manifests: ManifestPin;
  readonly name: string;
}

abstract class UpstreamApplication extends Construct {
  readonly applicationName: string;
  readonly namespace: string;
  readonly crdGroups: readonly string[];
  protected readonly chart: PlatformChart;

  constructor(scope: Construct, id: string, props: UpstreamApplicationProps, defaultName: string, suffix: 'chart' | 'release', crdGroups: readonly string[]) {
    super(scope, id);
    this.chart = PlatformChart.of(this);
    const name = props.name ?? defaultName;
    const offset = props.waveOffset ?? 0;
    const errors = ConfigErrors.of(this);
    errors.check(Number.isInteger(offset) && offset >= 0 && offset < FOLDER_WAVE_OFFSET, {
      field: 'waveOffset',
      value: offset,
      problem: `upstream Applications of a service use offsets 0 to ${FOLDER_WAVE_OFFSET - 1} (the folder syncs at ${FOLDER_WAVE_OFFSET})`,
      fix: `choose an offset between 0 and ${FOLDER_WAVE_OFFSET - 1}`,
    });
    const lastAfterFolder = SERVICE_WAVE_SPAN - FOLDER_WAVE_OFFSET - 2;
    errors.check(!props.afterFolder || offset <= lastAfterFolder, {
      field: 'waveOffset',
      value: offset,
      problem: `Applications synced after the folder use offsets 0 to ${lastAfterFolder} (the next service level starts at ${SERVICE_WAVE_SPAN})`,
      fix: `choose an offset between 0 and ${lastAfterFolder}`,
    });
    errors.check(isDnsLabel(props.namespace), {
      field: 'namespace',
      value: props.namespace,
      problem: 'it is not a DNS label',
      fix: 'use lower-case letters, digits and dashes',
    });
    if (props.createNamespace) validateMeshMembership(this, errors, props.createNamespace.mesh, props.createNamespace.meshName);
    errors.throwIfAny();
    this.applicationName = `${this.chart.environmentName}-${name}-${suffix}`;
    this.namespace = props.namespace;
    this.crdGroups = crdGroups;
    // After the folder: the wave just after it (offsets keep their order among such Applications).
    this.wave = props.afterFolder ? this.chart.folderWave + 1 + offset : this.chart.wave + offset;
    this.createNamespace = props.createNamespace;
    this.syncOptions = props.syncOptions ?? [];
    this.escapeHatches = { ...(props.ignoreDifferences ? { ignoreDifferences: props.ignoreDifferences } : {}), ...(props.cascadeDelete !== undefined ? { cascadeDelete: props.cascadeDelete } : {}) };
  }

  readonly wave: number;
  private readonly createNamespace: ManagedNamespace | undefined;
  private readonly syncOptions: readonly string[];
  private readonly escapeHatches: ApplicationEscapeHatches;

  protected render(source: ConstructorParameters<typeof ArgoApplication>[2]['source']): ArgoApplication {
    const environment = this.chart.environment;
    const syncOptions = [...this.syncOptions];
    if (this.createNamespace) syncOptions.push('CreateNamespace=true');
    return new ArgoApplication(this, 'Application', {
      name: this.applicationName,
      argocdNamespace: environment.platform.argocdNamespace,
      project: environment.name,
      source,
      destination: { server: environment.destination.server, namespace: this.namespace },
      wave: this.wave,
      syncOptions,
      ...this.escapeHatches,
      ...(this.createNamespace
        ? {
            managedNamespaceMetadata: {
              labels: {
                ...podSecurityLabels(this.createNamespace.podSecurity, environment.platform.kubernetesVersion),
                ...meshLabels(this.createNamespace.mesh, this.createNamespace.meshName),
                ...this.createNamespace.labels,
              },
            },
          }
        : {}),
    });
  }
}

/** An Argo CD Application installing an upstream Helm chart at its catalogue version with typed values. */
export class HelmApplication<Values extends object> extends UpstreamApplication {
  readonly argo: ArgoApplication;

  constructor(scope: Construct, id: string, props: HelmApplicationProps<Values>) {
    super(scope, id, props, props.chart.chart, 'chart', props.chart.crdGroups);
    this.argo = this.render({
      repoUrl: props.chart.repoURL,
      chart: props.chart.chart,
      targetRevision: props.chart.version,
      helm: { releaseName: props.releaseName ?? props.name ?? props.chart.chart, valuesObject: props.values },
    });
  }
}

/** An Argo CD Application installing upstream release manifests from git at a pinned tag. */
export class ManifestApplication extends UpstreamApplication {
  readonly argo: ArgoApplication;

  constructor(scope: Construct, id: string, props: ManifestApplicationProps) {
    super(scope, id, props, props.name, 'release', props.manifests.crdGroups);
    this.argo = this.render({
      repoUrl: props.manifests.repoURL,
      path: props.manifests.path,
      targetRevision: props.manifests.tag,
      ...(props.manifests.include ? { directory: { include: props.manifests.include } } : {}),
    });
  }
}
