/**
 * The one version catalogue: every upstream chart, image and manifest release the platform installs.
 * Nothing is pinned anywhere else; a version bump is one edit here (and a decision record when it is
 * not a patch). Chart versions are the releases that ship the application versions whose CRDs are in
 * ../shared/schemas (see docs/decisions/0002-version-catalogue.md).
 */

/**
 * Objects an upstream chart or release creates in the namespace it is installed in (names; `{release}`
 * stands for the Helm release name). The validation gate resolves references to them; it cannot see
 * inside charts, so a reference to anything not declared here is an error.
 */
export type { UpstreamProvides } from '../../gate/facts.ts';
import type { UpstreamProvides } from '../../gate/facts.ts';

/** A Helm chart at a pinned version, installed by an Argo CD Application. */
export interface ChartPin {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  /** The application version the chart ships (what the schemas were taken from). */
  readonly appVersion: string;
  /** API groups whose CRDs the chart installs: lets the gate prove custom resources come after it. */
  readonly crdGroups: readonly string[];
  /**
   * Those of `crdGroups` whose CRDs are not manifests of the chart: its controller registers them
   * when it starts (the cluster test applies their pinned CRDs once the chart's Application is synced).
   * @default none
   */
  readonly crdGroupsAtRuntime?: readonly string[];
  /** What the chart creates that our objects may reference. @default nothing */
  readonly provides?: UpstreamProvides;
  /**
   * Values whose keys are free-form although the chart's defaults list some (dotted paths, `*` for
   * one key, e.g. `grafana.ini`): `npm run render` does not check the keys we set under them.
   * @default none
   */
  readonly freeFormValues?: readonly string[];
}

/** Upstream manifests in a git repository at a pinned tag, installed by an Argo CD Application. */
export interface ManifestPin {
  readonly repoURL: string;
  readonly tag: string;
  readonly path: string;
  /** Only these files of `path` (Argo CD directory include glob). */
  readonly include?: string;
  readonly crdGroups: readonly string[];
  /** What the manifests create that our objects may reference. @default nothing */
  readonly provides?: UpstreamProvides;
}

/** A container image at a pinned tag. */
export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

export const CHARTS = {
  argoCd: {
    repoURL: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-cd',
    // No argo-helm release ships v2.14.21 (the 2.14 line ends at 7.9.1 = v2.14.11, 8.0 is Argo CD 3);
    // the Argo CD service sets the image tag to IMAGES.argoCd (docs/decisions/0002-version-catalogue.md).
    version: '7.9.1',
    appVersion: 'v2.14.11',
    crdGroups: ['argoproj.io'],
    // Names with the chart's default `nameOverride: argocd` and a release named argocd; Argo CD's
    // own ConfigMaps and Secret have fixed names.
    provides: {
      services: [
        { name: '{release}-server', ports: [80, 443] },
        { name: '{release}-repo-server', ports: [8081] },
      ],
      configMaps: ['argocd-cm', 'argocd-rbac-cm', 'argocd-cmd-params-cm'],
      // argocd-redis: written by the chart's redis-secret-init Job (a pre-install hook, PreSync in Argo CD).
      secrets: ['argocd-secret', 'argocd-redis'],
    },
    // argocd-cm and argocd-cmd-params-cm take any Argo CD setting as a key.
    freeFormValues: ['configs.cm', 'configs.params'],
  },
  certManager: {
    repoURL: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.16.5',
    appVersion: 'v1.16.5',
    crdGroups: ['cert-manager.io', 'acme.cert-manager.io'],
  },
  vault: {
    repoURL: 'https://helm.releases.hashicorp.com',
    chart: 'vault',
    // Newest chart tested on Kubernetes 1.28 (0.30.1 moves to 1.29-1.33).
    version: '0.30.0',
    appVersion: '1.19.0',
    crdGroups: [],
    // Services and ServiceAccount are named after the chart's fullname, the release name.
    provides: {
      services: [
        { name: '{release}', ports: [8200, 8201] },
        { name: '{release}-ui', ports: [8200] },
        { name: '{release}-internal', ports: [8200, 8201] },
        { name: '{release}-active', ports: [8200, 8201] },
        { name: '{release}-standby', ports: [8200, 8201] },
      ],
      serviceAccounts: ['{release}'],
    },
  },
  vaultConfigOperator: {
    repoURL: 'https://redhat-cop.github.io/vault-config-operator',
    chart: 'vault-config-operator',
    version: 'v0.8.52',
    appVersion: 'v0.8.52',
    crdGroups: ['redhatcop.redhat.io'],
    // A Kubernetes PodSecurityContext, passed through as it is.
    freeFormValues: ['podSecurityContext'],
  },
  externalSecrets: {
    repoURL: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '0.10.7',
    appVersion: 'v0.10.7',
    crdGroups: ['external-secrets.io', 'generators.external-secrets.io'],
    // The controller's ServiceAccount is the chart's fullname, the release name.
    provides: { serviceAccounts: ['{release}'] },
  },
  grafana: {
    repoURL: 'https://grafana.github.io/helm-charts',
    chart: 'grafana',
    // Last chart on Grafana 11.x.
    version: '8.15.0',
    appVersion: '11.6.1',
    crdGroups: [],
    // The chart's fullname is the release name when it contains "grafana".
    provides: { services: [{ name: '{release}', ports: [80] }], serviceAccounts: ['{release}'] },
    // Grafana's own configuration file, one map per section: any section and key.
    freeFormValues: ['grafana.ini'],
  },
  opentelemetryOperator: {
    repoURL: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
    chart: 'opentelemetry-operator',
    version: '0.75.1',
    appVersion: '0.114.1',
    crdGroups: ['opentelemetry.io'],
  },
  clickhouseOperator: {
    repoURL: 'https://docs.altinity.com/clickhouse-operator/',
    chart: 'altinity-clickhouse-operator',
    version: '0.24.5',
    appVersion: '0.24.5',
    crdGroups: ['clickhouse.altinity.com', 'clickhouse-keeper.altinity.com'],
  },
  kuma: {
    repoURL: 'https://kumahq.github.io/charts',
    chart: 'kuma',
    version: '2.9.19',
    appVersion: '2.9.19',
    crdGroups: ['kuma.io'],
    // Kubernetes SecurityContexts, passed through as they are (the defaults list a few fields).
    freeFormValues: ['controlPlane.podSecurityContext', 'controlPlane.containerSecurityContext'],
  },
  openebs: {
    repoURL: 'https://openebs.github.io/openebs',
    chart: 'openebs',
    // Ships Mayastor 2.7.1 (4.1.2 moves to 2.7.2).
    version: '4.1.1',
    appVersion: '4.1.1',
    crdGroups: ['openebs.io', 'snapshot.storage.k8s.io'],
    // Mayastor's diskpool operator registers DiskPool from code (docs/decisions/0203-diskpools-skip-dry-run.md).
    crdGroupsAtRuntime: ['openebs.io'],
  },
  crossplane: {
    repoURL: 'https://charts.crossplane.io/stable',
    chart: 'crossplane',
    version: '1.18.5',
    appVersion: 'v1.18.5',
    crdGroups: ['pkg.crossplane.io', 'apiextensions.crossplane.io'],
    // The chart has no CRDs: Crossplane's init container (`crossplane core init`) installs them.
    crdGroupsAtRuntime: ['pkg.crossplane.io', 'apiextensions.crossplane.io'],
  },
  vcluster: {
    repoURL: 'https://charts.loft.sh',
    chart: 'vcluster',
    version: '0.21.6',
    appVersion: '0.21.6',
    crdGroups: [],
  },
  externalDns: {
    repoURL: 'https://kubernetes-sigs.github.io/external-dns/',
    chart: 'external-dns',
    // Ships external-dns 0.15.1; 1.15.2 only fixes the chart (affinity regression).
    version: '1.15.2',
    appVersion: '0.15.1',
    crdGroups: ['externaldns.k8s.io'],
  },
} as const satisfies Record<string, ChartPin>;

export const MANIFESTS = {
  gatewayApiStandard: {
    repoURL: 'https://github.com/kubernetes-sigs/gateway-api',
    tag: 'v1.2.1',
    // Holds only the five standard CRD files (no kustomization), so Argo CD applies it as a directory.
    path: 'config/crd/standard',
    crdGroups: ['gateway.networking.k8s.io'],
  },
  gatewayApiTcpRoute: {
    repoURL: 'https://github.com/kubernetes-sigs/gateway-api',
    tag: 'v1.2.1',
    // The one experimental CRD Contour needs: a provisioned Contour 1.30 starts a TCPRoute informer
    // and exits when the CRD is missing, and ContourDeployment cannot disable it (its
    // disabledFeatures enum lacks tcproutes). Same release as the standard CRDs: one version.
    path: 'config/crd/experimental',
    include: 'gateway.networking.k8s.io_tcproutes.yaml',
    crdGroups: ['gateway.networking.k8s.io'],
  },
  contourCrds: {
    repoURL: 'https://github.com/projectcontour/contour',
    tag: 'v1.30.5',
    // Only Contour's own CRDs: the provisioner bundle also carries Gateway API v1.1.0 experimental
    // CRDs, which would fight the one standard-channel version above.
    path: 'examples/contour',
    include: '01-crds.yaml',
    crdGroups: ['projectcontour.io'],
  },
} as const satisfies Record<string, ManifestPin>;

export const IMAGES = {
  argoCd: { repository: 'quay.io/argoproj/argocd', tag: 'v2.14.21' },
  argocdLovelyPlugin: { repository: 'ghcr.io/crumbhole/argocd-lovely-plugin-cmp', tag: '1.2.2' },
  // Mayastor's wait-for-dependency init containers (the chart defaults to busybox:latest).
  busybox: { repository: 'docker.io/library/busybox', tag: '1.37.0' },
  contour: { repository: 'ghcr.io/projectcontour/contour', tag: 'v1.30.5' },
  // The Envoy that Contour v1.30.5's gateway provisioner deploys by default (cmd/contour/gatewayprovisioner.go).
  envoy: { repository: 'docker.io/envoyproxy/envoy', tag: 'v1.31.10' },
  merbridge: { repository: 'ghcr.io/merbridge/merbridge', tag: '0.8.1' },
  // Firewall-only NetworkPolicy enforcement beside flannel (docs/decisions/0604-networkpolicy-enforcement.md).
  kubeRouter: { repository: 'docker.io/cloudnativelabs/kube-router', tag: 'v2.1.1' },
  clickhouseServer: { repository: 'clickhouse/clickhouse-server', tag: '24.8.14.39' },
  clickhouseKeeper: { repository: 'clickhouse/clickhouse-keeper', tag: '24.8.14.39' },
  otelCollector: { repository: 'otel/opentelemetry-collector-contrib', tag: '0.114.0' },
  sampleApp: { repository: 'jaegertracing/example-hotrod', tag: '1.64.0' },
  // GitHub SSO in front of the sample (decision 0907).
  oauth2Proxy: { repository: 'quay.io/oauth2-proxy/oauth2-proxy', tag: 'v7.7.1' },
  // The server image the vault chart 0.30.0 ships; set explicitly so a chart bump cannot move it.
  vault: { repository: 'hashicorp/vault', tag: '1.19.0' },
  vclusterKubernetes: { repository: 'registry.k8s.io/kube-apiserver', tag: 'v1.28.11' },
  // gcloud (uploads to the backup bucket) and curl (reports a backup's success): the backup jobs.
  googleCloudCli: { repository: 'gcr.io/google.com/cloudsdktool/google-cloud-cli', tag: '502.0.0-alpine' },
} as const satisfies Record<string, ImagePin>;

/**
 * A Crossplane package (a Provider) at a pinned version, installed by a `pkg.crossplane.io/v1`
 * Provider object. Crossplane's package manager installs the package's CRDs at runtime, so no chart
 * or manifest carries them: `crdGroups` is the declaration the gate reads to accept custom resources
 * of those groups in a later sync wave of the same folder (docs/decisions/0700-crossplane-provider-ordering.md).
 */
export interface PackagePin {
  /** OCI repository of the package, without tag. */
  readonly package: string;
  readonly version: string;
  /**
   * API groups whose CRDs the package installs once its revision is healthy. A family member lists
   * only its own groups; the family's shared groups (e.g. `gcp.upbound.io`, the ProviderConfig) belong
   * to the family package.
   */
  readonly crdGroups: readonly string[];
  /** Packages this one depends on (catalogue keys); they are installed explicitly at their own pin. */
  readonly dependsOn?: readonly string[];
}

export const PACKAGES = {
  /**
   * The GCP family provider. Every GCP subpackage depends on it; installing it explicitly at the same
   * version keeps Crossplane's dependency resolution from choosing a version for us. It owns the
   * family's ProviderConfig CRD (`providerconfigs.gcp.upbound.io`).
   */
  providerFamilyGcp: {
    package: 'xpkg.upbound.io/upbound/provider-family-gcp',
    version: 'v1.11.2',
    crdGroups: ['gcp.upbound.io'],
  },
  providerGcpDns: {
    package: 'xpkg.upbound.io/upbound/provider-gcp-dns',
    version: 'v1.11.2',
    crdGroups: ['dns.gcp.upbound.io'],
    dependsOn: ['providerFamilyGcp'],
  },
  providerGcpStorage: {
    package: 'xpkg.upbound.io/upbound/provider-gcp-storage',
    version: 'v1.11.2',
    crdGroups: ['storage.gcp.upbound.io'],
    dependsOn: ['providerFamilyGcp'],
  },
  providerKubernetes: {
    package: 'xpkg.upbound.io/crossplane-contrib/provider-kubernetes',
    version: 'v0.15.3',
    crdGroups: ['kubernetes.crossplane.io'],
  },
} as const satisfies Record<string, PackagePin>;

export type PackageKey = keyof typeof PACKAGES;

/** `package:version` of a pinned Crossplane package. */
export function packageRef(pin: PackagePin): string {
  return `${pin.package}:${pin.version}`;
}

/**
 * Upstream manifests published as release assets (not files of the git tree), at a pinned release.
 * Argo CD fetches them at sync time through a generated kustomization that lists their URLs
 * (charts/lib/remote-manifests.ts; docs/decisions/0702-kubevirt-release-assets.md).
 */
export interface ReleaseAssetPin {
  /** The project's repository (also what a maintainer reads the release notes in). */
  readonly repository: string;
  readonly tag: string;
  /** Asset file names of the release, e.g. `kubevirt-operator.yaml`. */
  readonly assets: readonly string[];
  /** API groups whose CRDs the assets install (the rest are created by the operator at runtime). */
  readonly crdGroups: readonly string[];
}

export const RELEASE_ASSETS = {
  kubevirtOperator: {
    repository: 'https://github.com/kubevirt/kubevirt',
    tag: 'v1.3.1',
    assets: ['kubevirt-operator.yaml'],
    crdGroups: ['kubevirt.io'],
  },
  cdiOperator: {
    repository: 'https://github.com/kubevirt/containerized-data-importer',
    tag: 'v1.60.5',
    assets: ['cdi-operator.yaml'],
    crdGroups: ['cdi.kubevirt.io'],
  },
} as const satisfies Record<string, ReleaseAssetPin>;

/** `https://github.com/<org>/<repo>/releases/download/<tag>/<asset>` */
export function releaseAssetURL(pin: ReleaseAssetPin, asset: string): string {
  return `${pin.repository}/releases/download/${pin.tag}/${asset}`;
}

/**
 * Kinds we emit that have no pinned schema in schemas.lock.json, with the reason (none today). The gate reports
 * each object of these kinds as skipped (never silently passed) instead of failing on a missing
 * schema. Adding the CRD to the schemas (and importing it) removes the entry.
 */
export interface SchemalessKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly reason: string;
}

export const SCHEMALESS_KINDS: readonly SchemalessKind[] = [
  {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    reason:
      "installed by the external-secrets chart 0.10.7 (templates/crds/pushsecret.yaml, crds.createPushSecret defaults to true); the pinned schemas carry its other CRDs and not this one (a vcluster's Vault-sourced Secrets, docs/decisions/0907-public-endpoints.md)",
  },
  {
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'MeshTLS',
    reason:
      "installed by the kuma chart 2.9.19 (deployments/charts/kuma/crds/kuma.io_meshtlses.yaml); the pinned schemas carry 11 of Kuma's CRDs and not this one (docs/decisions/0503-strict-mtls-with-dated-migrations.md)",
  },
];

/** Grafana plugins, pinned like images. */
export const GRAFANA_PLUGINS = {
  clickhouse: { id: 'grafana-clickhouse-datasource', version: '4.8.2' },
} as const;

export type ChartKey = keyof typeof CHARTS;

/** `repository:tag` of a pinned image. */
export function imageRef(image: ImagePin): string {
  return `${image.repository}:${image.tag}`;
}

/** Every API group whose CRDs something in the catalogue installs, sorted. */
export function catalogueCrdGroups(): string[] {
  const pins: readonly { readonly crdGroups: readonly string[] }[] = [...Object.values(CHARTS), ...Object.values(MANIFESTS), ...Object.values(PACKAGES), ...Object.values(RELEASE_ASSETS)];
  return [...new Set(pins.flatMap((pin) => pin.crdGroups))].sort();
}
