import { Construct } from 'constructs';
import { releaseAssetURL, type ReleaseAssetPin } from '../environments/catalogue.ts';
import { ArgoApplication } from './argocd-application.ts';
import { ConfigErrors } from './config-errors.ts';
import { generatedHeader, type DistFile, type DistFileContributor } from './dist-file.ts';
import { podSecurityLabels, type PodSecurityLevel } from './labels.ts';
import { meshLabels, type MeshMembership } from './namespace.ts';
import { isDnsLabel } from './names.ts';
import { yamlText } from './yaml-text.ts';
import { FOLDER_WAVE_OFFSET, PlatformChart } from './platform-chart.ts';

export interface RemoteManifestsApplicationProps {
  /** Release name, unique in the environment: Application `<env>-<name>-release`, folder `dist/releases/<env>-<name>/`. */
  readonly name: string;
  /** The pinned release and its assets, from the catalogue's RELEASE_ASSETS. */
  readonly release: ReleaseAssetPin;
  /** Destination namespace for namespaced objects that name none (the upstream files usually do). */
  readonly namespace: string;
  /**
   * Pod Security level of the namespace the release itself creates (a `Namespace` object named
   * `namespace` in the assets): the generated kustomization patches its labels, since Argo CD's
   * managed namespace metadata only applies to namespaces it creates.
   */
  readonly podSecurity: PodSecurityLevel;
  /** Mesh membership of the release's namespace. @default 'excluded' (operators stay out of the mesh) */
  readonly mesh?: MeshMembership;
  /** Extra Argo CD sync options (`ServerSideApply=true` for large CRDs, …). */
  readonly syncOptions?: readonly string[];
  /** Order among this service's upstream Applications, 0 to 4. @default 0 */
  readonly waveOffset?: number;
}

/** Top folder of dist/ holding the generated kustomizations of release assets. */
export const RELEASES_FOLDER = 'releases';

/**
 * Upstream manifests published as release assets (not files of the git tree: e.g. KubeVirt's
 * `kubevirt-operator.yaml` is generated from a `.yaml.in` template at release time). Nothing is
 * copied into the repository: synth writes a tiny `kustomization.yaml` listing the pinned release
 * URLs as remote resources into `dist/releases/<env>-<name>/` (outside the environment folders, which
 * hold Kubernetes objects only), and an Argo CD Application whose source is that folder of the dist
 * branch. Argo CD's repo-server runs kustomize, which downloads
 * the assets at sync time (docs/decisions/0702-kubevirt-release-assets.md).
 */
export class RemoteManifestsApplication extends Construct implements DistFileContributor {
  readonly applicationName: string;
  /** Folder of the kustomization, relative to dist/. */
  readonly folder: string;
  readonly namespace: string;
  readonly wave: number;
  /** API groups whose CRDs the release installs (for the gate's ordering proof). */
  readonly crdGroups: readonly string[];
  readonly argo: ArgoApplication;
  private readonly kustomization: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: RemoteManifestsApplicationProps) {
    super(scope, id);
    const chart = PlatformChart.of(this);
    const environment = chart.environment;
    const offset = props.waveOffset ?? 0;
    const errors = ConfigErrors.of(this);
    errors.check(isDnsLabel(`${props.name}-release`), {
      field: 'name',
      value: props.name,
      problem: 'it names a dist/ folder and an Application, so it must be a DNS label',
      fix: 'use lower-case letters, digits and dashes',
    });
    errors.check(isDnsLabel(props.namespace), { field: 'namespace', value: props.namespace, problem: 'it is not a DNS label', fix: 'use lower-case letters, digits and dashes' });
    errors.check(Number.isInteger(offset) && offset >= 0 && offset < FOLDER_WAVE_OFFSET, {
      field: 'waveOffset',
      value: offset,
      problem: `upstream Applications of a service use offsets 0 to ${FOLDER_WAVE_OFFSET - 1} (the folder syncs at ${FOLDER_WAVE_OFFSET})`,
      fix: `choose an offset between 0 and ${FOLDER_WAVE_OFFSET - 1}`,
    });
    errors.check(props.release.assets.length > 0 && props.release.assets.every((asset) => /^[A-Za-z0-9._-]+\.ya?ml$/.test(asset)), {
      field: 'release.assets',
      value: props.release.assets,
      problem: 'a release needs at least one YAML asset, named without a path',
      fix: 'list the asset file names of the release in the catalogue',
    });
    errors.throwIfAny();

    this.applicationName = `${environment.name}-${props.name}-release`;
    this.folder = `${RELEASES_FOLDER}/${environment.name}-${props.name}`;
    this.namespace = props.namespace;
    this.wave = chart.wave + offset;
    this.crdGroups = props.release.crdGroups;
    this.kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: props.release.assets.map((asset) => releaseAssetURL(props.release, asset)),
      patches: [
        {
          target: { version: 'v1', kind: 'Namespace', name: props.namespace },
          patch: yamlText({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: props.namespace, labels: { ...podSecurityLabels(props.podSecurity, environment.platform.kubernetesVersion), ...meshLabels(props.mesh ?? 'excluded') } },
          }),
        },
      ],
    };
    this.argo = new ArgoApplication(this, 'Application', {
      name: this.applicationName,
      argocdNamespace: environment.platform.argocdNamespace,
      project: environment.name,
      source: { repoUrl: environment.platform.source.repoURL, targetRevision: environment.platform.source.distBranch, path: this.folder },
      destination: { server: environment.destination.server, namespace: props.namespace },
      wave: this.wave,
      syncOptions: props.syncOptions ?? [],
    });
  }

  distFiles(): readonly DistFile[] {
    const header = generatedHeader(`the release assets of one pinned upstream release, read by Argo CD Application ${this.applicationName}`);
    return [{ path: `${this.folder}/kustomization.yaml`, content: header + yamlText(this.kustomization) }];
  }
}
