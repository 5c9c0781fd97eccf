import { externalSecretTarget } from './kinds.ts';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ChartPin, ManifestPin } from '../environments/catalogue.ts';
import { type ApplicationEscapeHatches, ArgoApplication, type IgnoreDifference } from './argocd-application.ts';
import { ConfigErrors } from './config-errors.ts';
import { FOLDER_WAVE_OFFSET, PlatformChart, SERVICE_WAVE_SPAN } from './platform-chart.ts';
import { podSecurityLabels, type PodSecurityLevel } from './labels.ts';
import { isDnsLabel } from './names.ts';
import { claimNamespace, meshLabels, PlatformNamespace, validateMeshMembership, type MeshMembership } from './namespace.ts';

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

interface UpstreamApplicationProps extends Omit<ApplicationEscapeHatches, 'ignoreDifferences'> {
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
   * Fields Argo CD must not compare nor overwrite (`ignoreDifferences` with
   * `RespectIgnoreDifferences=true`), each with the reason: what owns the field instead.
   * `npm run render` accepts a field that changes between two renders only when it is listed here.
   */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
  /**
   * Sync right after this service's own folder instead of before it: for a chart whose pods need
   * something the folder creates (its namespace and the ExternalSecret of its credentials), which
   * would otherwise never become healthy and hold back the folder's wave. The folder must then
   * create the namespace (omit `createNamespace`). @default false
   */
  readonly afterFolder?: boolean;
}

/** A field of an upstream object that Argo CD leaves as it is live, and why. */
export type IgnoredDifference = IgnoreDifference & {
  /** What owns the field and why a render does not (shown to reviewers, required). */
  readonly reason: string;
};

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
    if (props.createNamespace) claimNamespace(this, props.namespace, this.managedNamespaceLabels(props.createNamespace));
    this.syncOptions = props.syncOptions ?? [];
    this.ignoreDifferences = props.ignoreDifferences ?? [];
    this.cascadeDelete = props.cascadeDelete;
  }

  readonly wave: number;
  private readonly createNamespace: ManagedNamespace | undefined;
  private readonly syncOptions: readonly string[];
  private readonly ignoreDifferences: readonly IgnoredDifference[];
  private readonly cascadeDelete: boolean | undefined;

  /** The labels of the namespace Argo CD creates (Pod Security, mesh, extra). */
  private managedNamespaceLabels(namespace: ManagedNamespace): Record<string, string> {
    return {
      ...podSecurityLabels(namespace.podSecurity, this.chart.environment.platform.kubernetesVersion),
      ...meshLabels(namespace.mesh, namespace.meshName),
      ...namespace.labels,
    };
  }

  protected render(source: ConstructorParameters<typeof ArgoApplication>[2]['source']): ArgoApplication {
    const environment = this.chart.environment;
    const syncOptions = [...this.syncOptions];
    if (this.createNamespace) syncOptions.push('CreateNamespace=true');
    // Without it a sync triggered by any other change would still overwrite the ignored fields.
    if (this.ignoreDifferences.length > 0) syncOptions.push('RespectIgnoreDifferences=true');
    return new ArgoApplication(this, 'Application', {
      name: this.applicationName,
      argocdNamespace: environment.platform.argocdNamespace,
      project: environment.name,
      source,
      destination: { server: environment.destination.server, namespace: this.namespace },
      wave: this.wave,
      syncOptions,
      ...(this.ignoreDifferences.length > 0
        ? {
            ignoreDifferences: this.ignoreDifferences.map(({ reason: _reason, ...entry }) => entry),
            ignoreDifferencesReason: this.ignoreDifferences.map((entry) => `${entry.kind} ${entry.name ?? '*'}: ${entry.reason}`).join(' | '),
          }
        : {}),
      ...(this.cascadeDelete !== undefined ? { cascadeDelete: this.cascadeDelete } : {}),
      ...(this.createNamespace
        ? {
            managedNamespaceMetadata: { labels: this.managedNamespaceLabels(this.createNamespace) },
          }
        : {}),
    });
  }
}

/** Every string in a values object. */
function valueStrings(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) valueStrings(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) valueStrings(item, into);
  return into;
}

/**
 * Secrets the construct declaring the chart creates in `namespace` (ExternalSecret targets,
 * Certificate secretNames, Secrets) that `values` name. Only the declaring construct's subtree is
 * read, not the whole folder: a folder holding one vcluster per sandbox would otherwise be walked
 * once per sandbox (quadratic). A Secret made elsewhere in the folder is still ordered by the
 * rendered-pod check of `npm run render` and by `npm run converge`.
 */
export function consumedFolderSecrets(scope: Construct, namespace: string, values: object): string[] {
  const wanted = valueStrings(values);
  if (wanted.size === 0) return [];
  const created = new Set<string>();
  // Kind and namespace are read off the construct: only the few candidates are rendered (toJson).
  for (const node of scope.node.findAll()) {
    if (!(node instanceof ApiObject) || !SECRET_MAKERS.has(node.kind) || node.metadata.namespace !== namespace) continue;
    const object = node.toJson() as { kind: string; apiVersion: string; metadata: { name: string }; spec?: any };
    const spec = object.spec;
    if (object.kind === 'ExternalSecret') created.add(externalSecretTarget(object));
    else if (object.kind === 'Certificate' && spec?.secretName) created.add(spec.secretName);
    else if (object.kind === 'Secret' && object.apiVersion === 'v1') created.add(object.metadata.name);
  }
  return [...wanted].filter((text) => created.has(text)).sort();
}

const SECRET_MAKERS = new Set(['ExternalSecret', 'Certificate', 'Secret']);

/** An Argo CD Application installing an upstream Helm chart at its catalogue version with typed values. */
export class HelmApplication<Values extends object> extends UpstreamApplication {
  readonly argo: ArgoApplication;

  /** Secrets of this service's folder that the values name (so the chart syncs after the folder). */
  readonly consumedFolderSecrets: readonly string[];

  constructor(scope: Construct, id: string, props: HelmApplicationProps<Values>) {
    // A chart whose values name a Secret that this service's folder creates (an ExternalSecret
    // target, a Certificate's secretName) has pods that cannot start before the folder has synced:
    // it syncs after the folder, which then creates the namespace. Derived from the values, so a
    // new consumed Secret cannot be forgotten; `npm run render` proves it on the rendered pods.
    const consumed = consumedFolderSecrets(scope, props.namespace, props.values);
    const afterFolder = props.afterFolder ?? consumed.length > 0;
    if (afterFolder && props.createNamespace && props.afterFolder === undefined) {
      new PlatformNamespace(scope, `${id}Namespace`, { name: props.namespace, ...props.createNamespace });
    }
    const derived = afterFolder && props.afterFolder === undefined ? { ...props, afterFolder, createNamespace: undefined } : props;
    super(scope, id, derived, props.chart.chart, 'chart', props.chart.crdGroups);
    this.consumedFolderSecrets = consumed;
    const errors = ConfigErrors.of(this);
    errors.check(props.afterFolder !== false || consumed.length === 0, {
      field: 'afterFolder',
      value: false,
      problem: `the values name ${consumed.join(', ')}, which this service's folder creates: the chart's pods would wait for a later wave forever`,
      fix: 'drop afterFolder: false (the chart then syncs after its folder)',
    });
    errors.throwIfAny();
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

/**
 * `value` with every Go-template action (`{{ … }}`) quoted for Helm's `tpl`, which some charts run
 * over values (grafana 8.15.0 `alerting`): `{{ $labels.node }}` reaches the application as written
 * instead of failing the render (`undefined variable "$labels"`).
 */
export function helmTplLiteral<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\{\{(.*?)\}\}/g, '{{`{{$1}}`}}') as T;
  if (Array.isArray(value)) return value.map(helmTplLiteral) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, helmTplLiteral(item)])) as T;
  return value;
}
