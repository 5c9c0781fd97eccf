import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  ExternalSecretV1Beta1,
  ExternalSecretV1Beta1SpecTargetCreationPolicy,
  ExternalSecretV1Beta1SpecTargetDeletionPolicy,
  ExternalSecretV1Beta1SpecTargetTemplateEngineVersion,
} from '../../../imports/eso-externalsecret-external-secrets.io.ts';
import { SecretStoreV1Beta1, SecretStoreV1Beta1SpecProviderKubernetesServerCaProviderType } from '../../../imports/eso-secretstore-external-secrets.io.ts';
import { CHARTS, IMAGES } from '../../environments/catalogue.ts';
import type { Environment, SandboxSize } from '../../environments/types.ts';
import { ConfigErrors, formatValue } from '../../lib/config-errors.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import type { MeshMembership } from '../../lib/namespace.ts';
import { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';
import { environmentVCluster, sandboxUserVCluster, type VClusterAddress } from '../../lib/vcluster.ts';
import { memberGroup } from '../cluster-access/cluster-access.ts';
import { compare } from '../../lib/render.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { DNS_SUBDOMAIN, isDnsLabel } from '../../lib/names.ts';
import { EXTERNAL_SECRETS, WORKLOAD_READER_SERVICE_ACCOUNT } from '../../lib/vault.ts';

/** An environment whose whole cluster is a vcluster on this host. */
export interface HostedVCluster {
  /** The environment (its `cluster.host` must be this environment, its `cluster.kind` vcluster). */
  readonly environment: Environment;
  /** Quota of its host namespace. @default 'medium' */
  readonly size?: SandboxSize;
  /**
   * Whether the host namespace is mesh-injected (the pods the vcluster syncs to the host run there).
   * @default 'excluded'
   */
  readonly mesh?: MeshMembership;
  /**
   * Host Services made visible inside the vcluster (e.g. prod's telemetry collector for staging's
   * collector to forward to), and reachable from the vcluster's pods. @default none
   */
  readonly hostServices?: readonly HostService[];
  /**
   * Secrets from Vault delivered into the vcluster, which runs no External Secrets of its own
   * (decision 0303): the host's External Secrets reads each one from Vault into the host namespace,
   * then pushes it into the vcluster through the vcluster's API. @default none
   */
  readonly secrets?: readonly HostedSecret[];
}

/**
 * A Secret `namespace/name` inside a vcluster, from Vault. Vault path (workloads mount `kv`):
 * `<host namespace>/external-secrets/<namespace>/<name>`, readable by that host namespace only
 * (Vault's templated `secret-reader` policy); one property per key.
 */
export interface HostedSecret {
  readonly namespace: string;
  readonly name: string;
  /** The Secret's keys (also the Vault secret's properties). */
  readonly keys: readonly string[];
}

/** Vault path (inside the `kv` mount) of a Secret delivered into a vcluster. */
export function hostedSecretVaultPath(vclusterNamespace: string, secret: Pick<HostedSecret, 'namespace' | 'name'>): string {
  return `${vclusterNamespace}/${WORKLOAD_READER_SERVICE_ACCOUNT}/${secret.namespace}/${secret.name}`;
}

/** A host Service replicated into a vcluster as `to` (both `namespace/name`). */
export interface HostService {
  readonly from: string;
  readonly to: string;
  /** Ports the vcluster's pods may open to it. */
  readonly ports: readonly number[];
}

export interface VClusterProps {
  /**
   * The environments this host runs as vclusters (in prod: staging and sandbox). Each hosted
   * environment's `sandboxUsers` also get one vcluster each, of their own size.
   */
  readonly hosted: readonly HostedVCluster[];
  /**
   * Let pods of vcluster namespaces reach public addresses (not the host's private networks).
   * @default true
   */
  readonly internetEgress?: boolean;
}

/**
 * What a sandbox owner may do in their vcluster's host namespace: read the workloads, their logs and
 * events; port-forward (vcluster connect); read the vcluster's kubeconfig Secrets (`vc-<name>`, the
 * one `vcluster connect` reads, and the exported one) and no other Secret. No write on NetworkPolicies, ResourceQuotas,
 * LimitRanges, Roles or RoleBindings: the isolation of the namespace is not theirs to change.
 */
export function sandboxOwnerRules(kubeconfigSecrets: readonly string[]): k8s.PolicyRule[] {
  const read = ['get', 'list', 'watch'];
  return [
    { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'events', 'configmaps', 'persistentvolumeclaims', 'resourcequotas', 'limitranges'], verbs: read },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], resourceNames: [...new Set(kubeconfigSecrets)].sort(), verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['statefulsets', 'deployments', 'replicasets'], verbs: read },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: read },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: read },
  ];
}

/** Host-namespace budget of a vcluster, by size (the vcluster control plane counts against it). */
export const VCLUSTER_SIZES: Record<SandboxSize, { readonly quota: Record<string, string>; readonly container: { readonly cpu: string; readonly memory: string } }> = {
  small: {
    quota: { 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.cpu': '4', 'limits.memory': '8Gi', 'requests.storage': '20Gi', persistentvolumeclaims: '10', pods: '30' },
    container: { cpu: '500m', memory: '512Mi' },
  },
  medium: {
    quota: { 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '8', 'limits.memory': '16Gi', 'requests.storage': '50Gi', persistentvolumeclaims: '20', pods: '60' },
    container: { cpu: '500m', memory: '512Mi' },
  },
  large: {
    quota: { 'requests.cpu': '8', 'requests.memory': '16Gi', 'limits.cpu': '16', 'limits.memory': '32Gi', 'requests.storage': '100Gi', persistentvolumeclaims: '40', pods: '120' },
    container: { cpu: '1', memory: '1Gi' },
  },
};

/** Keys of the kubeconfig Secret vcluster writes (loft-sh/vcluster pkg/util/kubeconfig at v0.21.6). */
export const VCLUSTER_KUBECONFIG_KEYS = { ca: 'certificate-authority', cert: 'client-certificate', key: 'client-key' } as const;

/** Private, loopback and shared address ranges: the host's networks, closed to vcluster pods. */
const PRIVATE_RANGES = ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];

/** Only the chart values we set (keys checked against vcluster 0.21.6 chart/values.yaml). */
export interface VClusterValues {
  readonly controlPlane: {
    readonly distro: { readonly k8s: { readonly enabled: boolean; readonly version: string } };
    readonly backingStore: { readonly database: { readonly embedded: { readonly enabled: boolean } } };
    readonly proxy: { readonly extraSANs: readonly string[] };
  };
  readonly sync: { readonly fromHost: { readonly storageClasses: { readonly enabled: boolean } } };
  readonly networking?: { readonly replicateServices: { readonly fromHost: readonly { readonly from: string; readonly to: string }[] } };
  readonly policies: {
    readonly resourceQuota: { readonly enabled: boolean };
    readonly limitRange: { readonly enabled: boolean };
    readonly networkPolicy: { readonly enabled: boolean };
  };
  readonly exportKubeConfig: { readonly server: string; readonly secret: { readonly name: string } };
}

/** One vcluster to install: an environment's, or a user's sandbox. */
interface VirtualClusterSpec {
  readonly address: VClusterAddress;
  readonly size: SandboxSize;
  readonly mesh: MeshMembership;
  readonly kubernetesVersion: string;
  /** GitHub login that administers it (personal sandboxes only). */
  readonly owner?: string;
  readonly hostServices?: readonly HostService[];
  readonly secrets?: readonly HostedSecret[];
}

/**
 * The vclusters a host runs: one per hosted environment and one per active personal sandbox, each
 * from the pinned chart at the Kubernetes version its environment declares, in a host namespace
 * with a quota, a limit range and a default-deny network policy, and each registered in Argo CD
 * from its own kubeconfig Secret, inside the cluster (docs/decisions/0601-vcluster-registration.md).
 */
export class VCluster extends Construct {
  /** The vclusters this host runs, environments first, then personal sandboxes. */
  readonly clusters: readonly VClusterAddress[];

  constructor(scope: PlatformChart, id: string, props: VClusterProps) {
    super(scope, id);
    const host = scope.environment;
    const errors = ConfigErrors.of(this);
    const pinnedVersion = IMAGES.vclusterKubernetes.tag;
    const pinnedMinor = pinnedVersion.replace(/^v/, '').split('.').slice(0, 2).join('.');
    const specs: VirtualClusterSpec[] = [];
    const seen = new Set<string>();

    for (const [index, hosted] of props.hosted.entries()) {
      const env = hosted.environment;
      const field = `hosted[${index}]`;
      const address = environmentVCluster(env.name);
      const checks = [
        errors.check(!seen.has(env.name), {
          field: `${field}.environment`,
          value: env.name,
          problem: 'this environment is already listed',
          fix: 'list each hosted environment once',
        }),
        errors.check(env.cluster.kind === 'vcluster', {
          field: `${field}.environment`,
          value: env.name,
          problem: `its cluster.kind is ${env.cluster.kind}, not vcluster`,
          fix: 'list only environments that run as vclusters',
        }),
        errors.check(env.cluster.host === host.name, {
          field: `${field}.environment`,
          value: env.name,
          problem: `its cluster.host is ${formatValue(env.cluster.host)}, not ${host.name}`,
          fix: `set cluster.host: '${host.name}' in its data, or list it under the services of its host`,
        }),
        errors.check(env.platform.kubernetesVersion === pinnedMinor, {
          field: `${field}.environment.platform.kubernetesVersion`,
          value: env.platform.kubernetesVersion,
          problem: `the catalogue pins vcluster's Kubernetes at ${pinnedVersion} (IMAGES.vclusterKubernetes)`,
          fix: `pin a ${env.platform.kubernetesVersion} patch release in the catalogue`,
        }),
        errors.check(env.destination.server === address.server && env.destination.name === address.name, {
          field: `${field}.environment.destination`,
          value: env.destination,
          problem: `Argo CD registers this vcluster as ${address.name} at ${address.server}, so its roots would deploy nowhere`,
          fix: `set destination: { name: '${address.name}', server: '${address.server}' }`,
        }),
      ];
      if (hosted.size !== undefined) {
        checks.push(
          errors.check(hosted.size in VCLUSTER_SIZES, {
            field: `${field}.size`,
            value: hosted.size,
            problem: `sizes are ${Object.keys(VCLUSTER_SIZES).join(', ')}`,
            fix: 'pick one of those sizes',
          }),
        );
      }
      // A sandbox is reached through the host API: its owner must be a member Omni lets in.
      const members = host.services['cluster-access']?.members;
      if (members !== undefined) {
        const logins = new Set(members.map((member) => member.github.toLowerCase()));
        for (const [userIndex, user] of (env.sandboxUsers ?? []).entries()) {
          checks.push(
            errors.check(logins.has(user.github.toLowerCase()), {
              field: `${field}.environment.sandboxUsers[${userIndex}].github`,
              value: user.github,
              problem: `${user.github} is not a member of ${host.name} (charts/environments/cluster-access.ts), so nobody could reach this sandbox`,
              fix: 'add them to CLUSTER_MEMBERS, or remove the sandbox',
            }),
          );
        }
      }
      for (const [secretIndex, secret] of (hosted.secrets ?? []).entries()) {
        checks.push(
          errors.check(isDnsLabel(secret.namespace) && DNS_SUBDOMAIN.test(secret.name), {
            field: `${field}.secrets[${secretIndex}]`,
            value: `${secret.namespace}/${secret.name}`,
            problem: 'a namespace is a DNS label and a Secret name a DNS subdomain',
            fix: 'name the namespace and the Secret the consumer in the vcluster reads',
          }),
          errors.check(secret.keys.length > 0 && secret.keys.every((key) => /^[-._a-zA-Z0-9]+$/.test(key)), {
            field: `${field}.secrets[${secretIndex}].keys`,
            value: secret.keys,
            problem: 'a Secret needs at least one key, each of letters, digits, "-", "_" or "."',
            fix: 'list the keys the consumer reads',
          }),
        );
      }
      seen.add(env.name);
      if (!checks.every(Boolean)) continue;
      for (const [serviceIndex, service] of (hosted.hostServices ?? []).entries()) {
        for (const [key, ref] of [
          ['from', service.from],
          ['to', service.to],
        ] as const) {
          errors.check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ref), {
            field: `${field}.hostServices[${serviceIndex}].${key}`,
            value: ref,
            problem: 'a Service is named "<namespace>/<name>"',
            fix: 'write it like "opentelemetry/telemetry-collector"',
          });
        }
      }
      specs.push({
        address,
        size: hosted.size ?? 'medium',
        mesh: hosted.mesh ?? 'excluded',
        kubernetesVersion: pinnedVersion,
        ...(hosted.hostServices?.length ? { hostServices: hosted.hostServices } : {}),
        ...(hosted.secrets?.length ? { secrets: hosted.secrets } : {}),
      });
      for (const user of env.sandboxUsers ?? []) {
        specs.push({ address: sandboxUserVCluster(user.github), size: user.size ?? 'small', mesh: 'excluded', kubernetesVersion: pinnedVersion, owner: user.github });
      }
    }
    const names = new Map<string, number>();
    for (const spec of specs) names.set(spec.address.namespace, (names.get(spec.address.namespace) ?? 0) + 1);
    for (const [namespace, count] of names) {
      errors.check(count === 1, {
        field: 'hosted',
        value: namespace,
        problem: `${count} vclusters would share this host namespace`,
        fix: 'give each environment and sandbox user its own name',
      });
    }
    errors.throwIfAny();

    this.clusters = specs.map((spec) => spec.address);
    for (const spec of specs) {
      new VirtualCluster(this, spec.address.name, { ...spec, internetEgress: props.internetEgress ?? true });
    }
  }
}

interface VirtualClusterProps extends VirtualClusterSpec {
  readonly internetEgress: boolean;
}

/** One vcluster: chart, host-namespace guard rails, owner binding, Argo CD registration. */
class VirtualCluster extends Construct {
  constructor(scope: Construct, id: string, props: VirtualClusterProps) {
    super(scope, id);
    const { environment } = PlatformChart.of(this);
    const { platform } = environment;
    const { address } = props;
    const namespace = address.namespace;
    const size = VCLUSTER_SIZES[props.size];

    new HelmApplication<VClusterValues>(this, 'Chart', {
      chart: CHARTS.vcluster,
      name: `vcluster-${address.name}`,
      releaseName: address.name,
      namespace,
      // The vcluster control plane runs as root (chart default) and the pods it syncs are whatever
      // its users deploy: baseline forbids host access and privilege, restricted would break both.
      createNamespace: { podSecurity: 'baseline', mesh: props.mesh },
      values: {
        controlPlane: {
          distro: { k8s: { enabled: true, version: props.kubernetesVersion } },
          backingStore: { database: { embedded: { enabled: true } } },
          // vcluster's serving certificate names `<svc>` and `<svc>.<ns>` only; Argo CD dials
          // `<svc>.<ns>.svc`, so that name must be in the certificate too.
          proxy: { extraSANs: [`${address.name}.${namespace}.svc`] },
        },
        sync: { fromHost: { storageClasses: { enabled: true } } },
        ...(props.hostServices?.length ? { networking: { replicateServices: { fromHost: props.hostServices.map(({ from, to }) => ({ from, to })) } } } : {}),
        // Quota, limits and network policy are ours (below), visible and reviewed in dist/.
        policies: { resourceQuota: { enabled: false }, limitRange: { enabled: false }, networkPolicy: { enabled: false } },
        exportKubeConfig: { server: address.server, secret: { name: address.kubeconfigSecret } },
      },
    });

    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'vcluster-quota', namespace },
      spec: {
        hard: Object.fromEntries(
          Object.entries({ ...size.quota, 'services.loadbalancers': '0', 'services.nodeports': '0' })
            .sort(([a], [b]) => compare(a, b))
            .map(([key, value]) => [key, k8s.Quantity.fromString(value)]),
        ),
      },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'vcluster-limits', namespace },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: k8s.Quantity.fromString(size.container.cpu), memory: k8s.Quantity.fromString(size.container.memory) },
            defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
          },
        ],
      },
    });
    this.networkPolicies(address, platform.argocdNamespace, platform.gateway.namespace, props.internetEgress, (props.secrets?.length ?? 0) > 0);
    if (props.hostServices?.length) {
      // Replicated host Services are only names: the pods still need the path to the host's pods.
      new k8s.KubeNetworkPolicy(this, 'HostServices', {
        metadata: { name: 'allow-host-services', namespace },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: props.hostServices.map((service) => ({
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': service.from.split('/')[0]! } } }],
            ports: service.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          })),
        },
      });
    }

    if (props.owner !== undefined) {
      // The owner reaches their vcluster (`vcluster connect` reads its kubeconfig Secret and
      // port-forwards to its pod) and sees what runs in the host namespace, nothing more: not the
      // built-in `admin`, which would let them replace the NetworkPolicies, quota and limits that
      // isolate the namespace, or bind others (docs/decisions/0906-least-privilege.md). Their
      // identity is the group `member:<login>` Omni impersonates (docs/decisions/0603-sandbox-owner-identity.md).
      const role = new k8s.KubeRole(this, 'OwnerRole', {
        metadata: { name: 'sandbox-owner', namespace },
        rules: sandboxOwnerRules([`vc-${address.name}`, address.kubeconfigSecret]),
      });
      // Named after the Role it binds: roleRef is immutable, and the binding of the earlier trees
      // (`sandbox-owner`, to the ClusterRole `admin`) is replaced by a rename, not refused as an update.
      new k8s.KubeRoleBinding(this, 'Owner', {
        metadata: { name: 'sandbox-owner-role', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: memberGroup(props.owner) }],
      });
    }

    new ArgoCdClusterRegistration(this, 'Registration', { address, argocdNamespace: platform.argocdNamespace });
    if (props.secrets?.length) new HostedSecrets(this, 'Secrets', { address, secrets: props.secrets });
  }

  private networkPolicies(address: VClusterAddress, argocdNamespace: string, gatewayNamespace: string, internetEgress: boolean, pushedSecrets: boolean): void {
    const namespace = address.namespace;
    const controlPlane = { matchLabels: { app: 'vcluster', release: address.name } };
    const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) => new k8s.KubeNetworkPolicy(this, id, { metadata: { name, namespace }, spec });

    policy('DefaultDeny', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // The control plane and the pods it syncs here talk to each other (API, CoreDNS, workloads).
    policy('SameNamespace', 'allow-same-namespace', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    policy('Dns', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ...inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
        },
      ],
    });
    // Argo CD (application controller, server) reaches the vcluster API through its Service (443 → 8443).
    policy('ArgoCd', 'allow-argocd-to-api', {
      podSelector: controlPlane,
      policyTypes: ['Ingress'],
      ingress: [{ from: [inNamespace(argocdNamespace)], ports: [tcp(8443)] }],
    });
    // The syncer writes to the host API. Its endpoints are the control-plane nodes (6443 behind the
    // kubernetes Service's 443), whose addresses are not environment data: allowed by port, for the
    // control plane pod only.
    policy('HostApi', 'allow-host-api', {
      podSelector: controlPlane,
      policyTypes: ['Egress'],
      egress: [{ ports: [tcp(443), tcp(6443)] }],
    });
    // The host's External Secrets controller pushes Vault-sourced Secrets into the vcluster through
    // its API (HostedSecrets below): only where the vcluster has such Secrets, only the controller's
    // pods (not the webhook's or cert-controller's), only the API port.
    if (pushedSecrets)
      policy('ExternalSecrets', 'allow-external-secrets-to-api', {
        podSelector: controlPlane,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ...inNamespace(EXTERNAL_SECRETS.namespace), podSelector: { matchLabels: { ...EXTERNAL_SECRETS.controllerPods } } }], ports: [tcp(8443)] }],
      });
    // Workloads published through the host's Gateway (Envoy runs in the Gateway's namespace).
    policy('Gateway', 'allow-gateway', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [inNamespace(gatewayNamespace)] }],
    });
    if (internetEgress) {
      policy('Internet', 'allow-internet-egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }] }],
      });
    }
  }
}

interface RegistrationProps {
  readonly address: VClusterAddress;
  readonly argocdNamespace: string;
}

/**
 * Registers a vcluster in Argo CD without a credential in git: External Secrets reads the
 * kubeconfig Secret vcluster writes in its namespace (Kubernetes provider, as a ServiceAccount
 * allowed to get that one Secret) and renders Argo CD's cluster Secret in the Argo CD namespace.
 */
class ArgoCdClusterRegistration extends Construct {
  constructor(scope: Construct, id: string, props: RegistrationProps) {
    super(scope, id);
    const { address, argocdNamespace } = props;
    const reader = `vcluster-${address.name}-reader`;

    const serviceAccount = new k8s.KubeServiceAccount(this, 'Reader', {
      metadata: { name: reader, namespace: argocdNamespace },
      automountServiceAccountToken: false,
    });
    setSyncWave(serviceAccount, Wave.FOUNDATION);
    const role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: 'argocd-kubeconfig-reader', namespace: address.namespace },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [address.kubeconfigSecret], verbs: ['get'] }],
    });
    setSyncWave(role, Wave.FOUNDATION);
    const binding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: 'argocd-kubeconfig-reader', namespace: address.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'argocd-kubeconfig-reader' },
      subjects: [{ kind: 'ServiceAccount', name: reader, namespace: argocdNamespace }],
    });
    setSyncWave(binding, Wave.FOUNDATION);

    const store = new SecretStoreV1Beta1(this, 'Store', {
      metadata: { name: `vcluster-${address.name}`, namespace: argocdNamespace },
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: address.namespace,
            // The host API server, trusted through the CA every namespace gets.
            server: { caProvider: { type: SecretStoreV1Beta1SpecProviderKubernetesServerCaProviderType.CONFIG_MAP, name: 'kube-root-ca.crt', key: 'ca.crt' } },
            auth: { serviceAccount: { name: reader } },
          },
        },
      },
    });
    setSyncWave(store, Wave.DEFAULT);

    const fetched = (secretKey: keyof typeof VCLUSTER_KUBECONFIG_KEYS) => ({
      secretKey,
      remoteRef: { key: address.kubeconfigSecret, property: VCLUSTER_KUBECONFIG_KEYS[secretKey] },
    });
    const external = new ExternalSecretV1Beta1(this, 'ClusterSecret', {
      metadata: { name: `cluster-${address.name}`, namespace: argocdNamespace },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'SecretStore', name: `vcluster-${address.name}` },
        target: {
          name: `cluster-${address.name}`,
          creationPolicy: ExternalSecretV1Beta1SpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretV1Beta1SpecTargetDeletionPolicy.RETAIN,
          template: {
            engineVersion: ExternalSecretV1Beta1SpecTargetTemplateEngineVersion.V2,
            metadata: { labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
            data: {
              name: address.name,
              server: address.server,
              // Argo CD wants base64 PEM in tlsClientConfig; the provider hands over raw bytes.
              config: '{"tlsClientConfig":{"caData":"{{ .ca | b64enc }}","certData":"{{ .cert | b64enc }}","keyData":"{{ .key | b64enc }}"}}',
            },
          },
        },
        data: [fetched('ca'), fetched('cert'), fetched('key')],
      },
    });
    setSyncWave(external, Wave.AFTER_CRDS);
  }
}

interface HostedSecretsProps {
  readonly address: VClusterAddress;
  readonly secrets: readonly HostedSecret[];
}

/**
 * Vault-sourced Secrets inside a vcluster without External Secrets of its own (decision 0303), and
 * without vcluster's External Secrets integration (a vCluster Pro feature in 0.21): in the host
 * namespace, an ExternalSecret on the workloads store reads Vault as the namespace's
 * `external-secrets` service account (Vault's templated policy: `kv/<host namespace>/external-secrets/…`
 * only), and a PushSecret writes the result into the vcluster through a SecretStore on the
 * vcluster's API (External Secrets' Kubernetes provider, with the kubeconfig Secret vcluster writes
 * and Argo CD's registration already reads; decision 0601).
 */
class HostedSecrets extends Construct {
  constructor(scope: Construct, id: string, props: HostedSecretsProps) {
    super(scope, id);
    const { address } = props;
    const namespace = address.namespace;
    const reader = new k8s.KubeServiceAccount(this, 'VaultReader', {
      metadata: { name: WORKLOAD_READER_SERVICE_ACCOUNT, namespace },
      automountServiceAccountToken: false,
    });
    setSyncWave(reader, Wave.FOUNDATION);
    const stores = new Map<string, string>();
    for (const secret of props.secrets) {
      const storeName = `vcluster-${address.name}-${secret.namespace}`;
      if (!stores.has(secret.namespace)) {
        stores.set(secret.namespace, storeName);
        const store = new SecretStoreV1Beta1(this, `Store-${secret.namespace}`, {
          metadata: { name: storeName, namespace },
          spec: {
            provider: {
              kubernetes: {
                remoteNamespace: secret.namespace,
                server: {
                  url: address.server,
                  caProvider: { type: SecretStoreV1Beta1SpecProviderKubernetesServerCaProviderType.SECRET, name: address.kubeconfigSecret, key: VCLUSTER_KUBECONFIG_KEYS.ca },
                },
                auth: {
                  cert: {
                    clientCert: { name: address.kubeconfigSecret, key: VCLUSTER_KUBECONFIG_KEYS.cert },
                    clientKey: { name: address.kubeconfigSecret, key: VCLUSTER_KUBECONFIG_KEYS.key },
                  },
                },
              },
            },
          },
        });
        setSyncWave(store, Wave.DEFAULT);
      }
      const hostName = `${address.name}-${secret.namespace}-${secret.name}`;
      const fromVault = new VaultSecret(this, `Vault-${secret.namespace}-${secret.name}`, {
        namespace,
        secretName: hostName,
        store: 'workloads',
        path: hostedSecretVaultPath(namespace, secret),
        keys: Object.fromEntries(secret.keys.map((key) => [key, key])),
      });
      setSyncWave(fromVault.resource, Wave.AFTER_CRDS);
      const push = new ApiObject(this, `Push-${secret.namespace}-${secret.name}`, {
        apiVersion: 'external-secrets.io/v1alpha1',
        kind: 'PushSecret',
        metadata: { name: hostName, namespace },
      });
      push.addJsonPatch(
        JsonPatch.add('/spec', {
          refreshInterval: '1h',
          // the Secret in the vcluster goes with the PushSecret; Vault keeps the value
          deletionPolicy: 'Delete',
          updatePolicy: 'Replace',
          secretStoreRefs: [{ kind: 'SecretStore', name: stores.get(secret.namespace)! }],
          selector: { secret: { name: hostName } },
          data: [...secret.keys].sort().map((key) => ({ match: { secretKey: key, remoteRef: { remoteKey: secret.name, property: key } } })),
        }),
      );
      setSyncWave(push, Wave.AFTER_CRDS);
    }
  }
}
