import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DeploymentRuntimeConfig } from '../../../imports/crossplane-deploymentruntimeconfig-pkg.crossplane.io.ts';
import { ProviderConfig as KubernetesProviderConfig, ProviderConfigSpecCredentialsSource } from '../../../imports/crossplane-kubernetes-providerconfig-kubernetes.crossplane.io.ts';
import { ProviderConfig as GcpProviderConfig, ProviderConfigSpecCredentialsSource as GcpCredentialsSource } from '../../../imports/crossplane-gcp-providerconfig-gcp.upbound.io.ts';
import { Provider } from '../../../imports/crossplane-provider-pkg.crossplane.io.ts';
import { CHARTS, PACKAGES, packageRef, type PackageKey } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { DNS_SUBDOMAIN } from '../../lib/names.ts';
import { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave, skipDryRunOnMissingResource } from '../../lib/sync-wave.ts';

/** Crossplane chart values we set (each key checked in the 1.18.5 chart's values.yaml). */
export interface CrossplaneValues {
  readonly replicas: number;
  readonly leaderElection: boolean;
  readonly metrics: { readonly enabled: boolean };
}

export interface CrossplaneProps {
  /** Crossplane core replicas (leader-elected). @default 1 */
  readonly replicas?: number;
  /**
   * Path of the GCP service-account key inside the `kv-system` mount. The secret's property
   * `service-account-key` holds the key JSON. @default 'crossplane/gcp'
   */
  readonly gcpCredentialsPath?: string;
  /**
   * ClusterRole granted to provider-kubernetes' service account: what Crossplane may create in this
   * cluster through `kubernetes.crossplane.io` Objects. @default KUBERNETES_PROVIDER_CLUSTER_ROLE (scoped, created here)
   */
  readonly kubernetesProviderClusterRole?: string;
}

/** Namespace of Crossplane and of its provider pods. */
export const CROSSPLANE_NAMESPACE = 'crossplane-system';
/** Secret holding the GCP key, and the key inside it. */
export const GCP_CREDENTIALS_SECRET = 'gcp-credentials';
export const GCP_CREDENTIALS_KEY = 'credentials.json';
/** Names of the ProviderConfigs: GCP managed resources use `default` without saying so. */
export const GCP_PROVIDER_CONFIG = 'default';
export const KUBERNETES_PROVIDER_CONFIG = 'in-cluster';
/** Service account of provider-kubernetes' pods (set through its DeploymentRuntimeConfig). */
export const KUBERNETES_PROVIDER_SERVICE_ACCOUNT = 'provider-kubernetes';

/** The providers we install, in order; the family first so its dependants find it installed. */
const PROVIDERS: readonly { key: PackageKey; name: string }[] = [
  { key: 'providerFamilyGcp', name: 'provider-family-gcp' },
  { key: 'providerGcpDns', name: 'provider-gcp-dns' },
  { key: 'providerGcpStorage', name: 'provider-gcp-storage' },
  { key: 'providerKubernetes', name: 'provider-kubernetes' },
];

/** GCP project ids: 6 to 30 lower-case letters, digits and dashes, starting with a letter. */
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** The ClusterRole provider-kubernetes gets by default (docs/decisions/0906-least-privilege.md). */
export const KUBERNETES_PROVIDER_CLUSTER_ROLE = 'crossplane-provider-kubernetes-scoped';

/**
 * What provider-kubernetes may do through `kubernetes.crossplane.io` Objects: no platform Object
 * uses it yet, so ConfigMaps (the smallest useful thing) and reading namespaces. A future Object
 * that needs more adds exactly that here, reviewed; never cluster-admin (gate rule no-cluster-admin).
 */
export const KUBERNETES_PROVIDER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
];

/**
 * Crossplane from its pinned chart, the GCP (DNS, storage) and Kubernetes providers at pinned
 * package versions, and their ProviderConfigs. A Provider installs its CRDs at runtime, so the
 * ProviderConfigs sync in a later wave than the Providers (Argo CD waits for the Providers to be
 * healthy, i.e. installed) and skip the dry run that would fail before the CRD exists
 * (docs/decisions/0700-crossplane-provider-ordering.md). GCP credentials come from Vault.
 */
export class Crossplane extends Construct {
  readonly providers: Map<PackageKey, Provider> = new Map();
  readonly providerConfigs: { readonly gcp: GcpProviderConfig; readonly kubernetes: KubernetesProviderConfig };

  constructor(scope: Construct, id: string, props: CrossplaneProps = {}) {
    super(scope, id);
    const { environment } = PlatformChart.of(this);
    const replicas = props.replicas ?? 1;
    const clusterRole = props.kubernetesProviderClusterRole ?? KUBERNETES_PROVIDER_CLUSTER_ROLE;
    const project = environment.platform.gcp.project;
    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 3, 'Crossplane runs 1 to 3 leader-elected pods');
    errors.check(DNS_SUBDOMAIN.test(clusterRole), {
      field: 'kubernetesProviderClusterRole',
      value: clusterRole,
      problem: 'it is not a ClusterRole name',
      fix: `name an existing ClusterRole, e.g. "${KUBERNETES_PROVIDER_CLUSTER_ROLE}"`,
    });
    errors.check(GCP_PROJECT.test(project), {
      field: 'platform.gcp.project',
      value: project,
      problem: 'GCP project ids are 6 to 30 lower-case letters, digits and dashes, starting with a letter',
      fix: 'set the project id (not its number) in charts/environments/platform.ts',
    });
    errors.throwIfAny();

    new HelmApplication<CrossplaneValues>(this, 'Chart', {
      chart: CHARTS.crossplane,
      namespace: CROSSPLANE_NAMESPACE,
      // baseline, not restricted: Crossplane's and the providers' pods set no seccomp profile and do
      // not drop every capability, which `restricted` requires.
      createNamespace: { podSecurity: 'baseline', mesh: 'excluded' },
      values: { replicas, leaderElection: true, metrics: { enabled: true } },
    });

    // provider-kubernetes acts with its own service account (InjectedIdentity): name it, and bind it.
    const runtime = new DeploymentRuntimeConfig(this, 'KubernetesRuntime', {
      metadata: { name: KUBERNETES_PROVIDER_SERVICE_ACCOUNT },
      spec: { serviceAccountTemplate: { metadata: { name: KUBERNETES_PROVIDER_SERVICE_ACCOUNT } } },
    });
    setSyncWave(runtime, Wave.FOUNDATION);
    if (clusterRole === KUBERNETES_PROVIDER_CLUSTER_ROLE) {
      const role = new k8s.KubeClusterRole(this, 'KubernetesProviderRole', { metadata: { name: KUBERNETES_PROVIDER_CLUSTER_ROLE }, rules: [...KUBERNETES_PROVIDER_RULES] });
      setSyncWave(role, Wave.FOUNDATION);
    }
    // roleRef is immutable: the binding is named after the role it binds, so binding another role is a
    // rename (Argo CD creates the new binding and prunes the old) instead of an update the API server
    // refuses (the cluster test's upgrade from a tree bound to cluster-admin, issue #17).
    const binding = new k8s.KubeClusterRoleBinding(this, 'KubernetesProviderBinding', {
      metadata: { name: clusterRole === KUBERNETES_PROVIDER_CLUSTER_ROLE ? clusterRole : `crossplane-${KUBERNETES_PROVIDER_SERVICE_ACCOUNT}-${clusterRole}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: KUBERNETES_PROVIDER_SERVICE_ACCOUNT, namespace: CROSSPLANE_NAMESPACE }],
    });
    setSyncWave(binding, Wave.FOUNDATION);

    for (const { key, name } of PROVIDERS) {
      const pin = PACKAGES[key];
      const provider = new Provider(this, `Provider-${name}`, {
        metadata: { name },
        spec: {
          package: packageRef(pin),
          packagePullPolicy: 'IfNotPresent',
          revisionActivationPolicy: 'Automatic',
          // Dependencies are installed explicitly at their catalogue pin (the GCP family).
          skipDependencyResolution: 'dependsOn' in pin,
          ...(key === 'providerKubernetes' ? { runtimeConfigRef: { apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'DeploymentRuntimeConfig', name: runtime.name } } : {}),
        },
      });
      setSyncWave(provider, Wave.DEFAULT);
      this.providers.set(key, provider);
    }

    const credentials = new VaultSecret(this, 'GcpCredentials', {
      namespace: CROSSPLANE_NAMESPACE,
      secretName: GCP_CREDENTIALS_SECRET,
      path: props.gcpCredentialsPath ?? 'crossplane/gcp',
      keys: { [GCP_CREDENTIALS_KEY]: 'service-account-key' },
    });

    const gcp = new GcpProviderConfig(this, 'GcpProviderConfig', {
      metadata: { name: GCP_PROVIDER_CONFIG },
      spec: {
        projectId: project,
        credentials: {
          source: GcpCredentialsSource.SECRET,
          secretRef: { namespace: credentials.namespace, name: credentials.secretName, key: GCP_CREDENTIALS_KEY },
        },
      },
    });
    const kubernetes = new KubernetesProviderConfig(this, 'KubernetesProviderConfig', {
      metadata: { name: KUBERNETES_PROVIDER_CONFIG },
      spec: { credentials: { source: ProviderConfigSpecCredentialsSource.INJECTED_IDENTITY } },
    });
    // Their CRDs exist only once the Providers above are installed: a later wave, without dry run.
    for (const config of [gcp, kubernetes]) {
      setSyncWave(config, Wave.AFTER_CUSTOM_RESOURCES);
      skipDryRunOnMissingResource(config);
    }
    this.providerConfigs = { gcp, kubernetes };
  }
}
