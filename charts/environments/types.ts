import type { ServiceSettings } from '../platform/registry.ts';

export const ENVIRONMENT_NAMES = ['prod', 'staging', 'sandbox'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export type NodeRole = 'controlplane' | 'worker' | 'edge';

export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** A static route of a node (Talos `machine.network.interfaces[].routes[]`). */
export interface NodeRoute {
  /** Destination as a CIDR, `0.0.0.0/0` for the default route. */
  readonly network: string;
  /** Next hop, an address of the same family as `network`. */
  readonly gateway: string;
  /** Route priority (lower wins). @default Talos' default (1024) */
  readonly metric?: number;
}

/** A network interface of a node whose Talos configuration we generate (the routes it carries). */
export interface NodeInterface {
  /** Link name as Talos sees it (`talosctl get links`), e.g. `enp3s0`. */
  readonly interface: string;
  /**
   * Keep DHCP on this interface. Once the machine config names an interface, Talos configures it only
   * as told, so say explicitly whether its address still comes from DHCP.
   */
  readonly dhcp: boolean;
  readonly routes: readonly NodeRoute[];
}

/** A machine of the Talos cluster, as Omni names it. */
export interface ClusterNode {
  readonly name: string;
  readonly role: NodeRole;
  readonly taints?: readonly NodeTaint[];
  /** Data disks for storage pools, as stable `/dev/disk/by-id/…` paths (device letters move). */
  readonly disks?: readonly string[];
  /** Interfaces with static routes, written to the node's Talos patch (dist/talos/<node>.yaml). @default none */
  readonly interfaces?: readonly NodeInterface[];
  /**
   * Allocatable cpu and memory (`kubectl describe node`), as Kubernetes quantities. Required on
   * schedulable workers: synth checks every vcluster quota and the platform's requests fit (charts/app/capacity.ts).
   */
  readonly capacity?: { readonly cpu: string; readonly memory: string };
}

export interface GitHubIdentity {
  /** GitHub organisation whose members may log in. */
  readonly organisation: string;
  /** Team of platform admins (Argo CD `role:admin`, Grafana admin). */
  readonly adminTeam: string;
  /** Team of operators (Argo CD operators role, Grafana editor). */
  readonly operatorTeam: string;
}

/** Facts shared by every environment: one place, one edit. */
export interface PlatformFacts {
  /**
   * Kubernetes minor of every cluster (`1.28`): the Talos host and the vclusters on it run the same
   * one, so a vcluster is always one its host supports. Read by the gate (which built-in kinds
   * exist), Pod Security labels, the vcluster pin check and dist/metadata.json.
   */
  readonly kubernetesVersion: string;
  readonly github: GitHubIdentity;
  /** ACME account and contact address. */
  readonly contactEmail: string;
  /** The repository Argo CD reads, and the branch the publish step writes `dist/` to. */
  readonly source: { readonly repoURL: string; readonly distBranch: string };
  /** Public OAuth client ids (not secrets; their secrets live in Vault only). */
  readonly oauthClientIds: { readonly argocdDex: string; readonly grafana: string };
  /** Namespace of the one Argo CD, on the host cluster. */
  readonly argocdNamespace: string;
  /** Address ranges of the host cluster (assumed Talos defaults, charts/environments/assumptions.ts); vcluster pods are host pods, so they share them. */
  readonly network: { readonly podCidr: string; readonly serviceCidr: string };
  /** The cluster's name (ID) in Omni, used by the access policy and `omnictl kubeconfig -c`. */
  readonly omni: { readonly clusterName: string };
  /** The Gateway of each environment (same name and namespace in every cluster). */
  readonly gateway: { readonly name: string; readonly namespace: string };
  /**
   * The public name of the edge node, kept by hand as one A record in the zone; external-dns points
   * every published hostname at it (CNAME), since Envoy is reached on the edge node's own address.
   */
  readonly edgeHostname: string;
  /**
   * Vault as a secret source: the ClusterSecretStores External Secrets reads through, one per KV v2
   * mount (`system` for the platform's own secrets, `workloads` for applications).
   */
  readonly vault: {
    readonly stores: {
      readonly system: { readonly name: string; readonly mount: string };
      readonly workloads: { readonly name: string; readonly mount: string };
    };
  };
  /**
   * Secrets an SRE creates by hand, once, because nothing in the cluster can produce them (the
   * credential Vault needs before it can unseal). Everything else comes from Vault.
   */
  readonly handProvidedSecrets?: readonly HandProvidedSecret[];
  /**
   * Backends intentionally reachable from the internet through a Gateway (HTTPRoute, TCPRoute) or a
   * Contour HTTPProxy, each with how it authenticates its users. The gate (`public-routes`) refuses a
   * public route to anything else (docs/decisions/0907-public-endpoints.md).
   */
  readonly publicBackends: readonly PublicBackend[];
  /** Google Cloud: the project of the DNS zone and the Crossplane-managed resources, and Vault's KMS key (in its own project). */
  readonly gcp: {
    readonly project: string;
    readonly region: string;
    readonly dnsZone: string;
    readonly kms: { readonly project: string; readonly keyRing: string; readonly cryptoKey: string };
  };
}

/** A Service intentionally exposed on an environment's public edge. */
export interface PublicBackend {
  readonly environment: string;
  readonly namespace: string;
  readonly service: string;
  /** Who may use it, and how that is enforced. */
  readonly authentication: string;
  readonly reason: string;
}

/** A Secret created by hand in a cluster (never in git), with the runbook that says how. */
export interface HandProvidedSecret {
  readonly environment: EnvironmentName;
  readonly namespace: string;
  readonly name: string;
  /** The keys the consumers read. */
  readonly keys: readonly string[];
  /** Why it cannot come from Vault. */
  readonly reason: string;
  /** Repository path of the runbook with the exact commands. */
  readonly runbook: string;
}

/** Where an environment's Applications deploy to, as Argo CD knows the cluster. */
export interface ArgoDestination {
  /** Cluster name registered in Argo CD (`in-cluster` for the host). */
  readonly name: string;
  readonly server: string;
}

/**
 * The host cluster's primary CNI, as a chained CNI plugin (Kuma's) sees it on every node: where the
 * CNI binaries and configurations live, and which configuration list to chain onto.
 */
export interface HostCni {
  /** The primary plugin, e.g. `flannel` (Talos's default). */
  readonly plugin: string;
  /** Directory of CNI configurations on the node, e.g. `/etc/cni/net.d`. */
  readonly confDir: string;
  /** Directory of CNI binaries on the node, e.g. `/opt/cni/bin`. */
  readonly binDir: string;
  /** The primary plugin's configuration list that chained plugins are appended to, e.g. `10-flannel.conflist`. */
  readonly confName: string;
  /** Whether the plugin enforces NetworkPolicy itself (flannel does not: an enforcing service must run). */
  readonly enforcesNetworkPolicy: boolean;
}

export interface ClusterFacts {
  /** `talos`: the bare-metal host; `vcluster`: a virtual cluster running on `host`. */
  readonly kind: 'talos' | 'vcluster';
  /** The environment whose cluster hosts this one (vclusters only). */
  readonly host?: EnvironmentName;
  /** Machines (host cluster only). */
  readonly nodes: readonly ClusterNode[];
  /** The primary CNI of the nodes (host cluster only; a vcluster's pods run on its host's). */
  readonly cni?: HostCni;
}

/** Things a vcluster gets from its host instead of creating them. */
export interface HostProvided {
  readonly storageClasses: readonly string[];
  readonly namespaces: readonly string[];
}

/** An object that exists in the environment's cluster without being in dist/, and who makes it. */
export interface ProvidedObject {
  readonly namespace: string;
  readonly name: string;
  /** Who creates it and why it is not in dist/ (shown by the validation gate). */
  readonly reason: string;
}

/**
 * Objects the validation gate may assume exist although no object in dist/ creates them: made by
 * hand at bootstrap (docs/bootstrap.md) or by something outside the platform. Objects an upstream
 * chart creates are declared in the catalogue (`provides`), not here. Anything else is an error.
 */
export interface ProvidedObjects {
  readonly secrets?: readonly ProvidedObject[];
  readonly configMaps?: readonly ProvidedObject[];
  readonly serviceAccounts?: readonly ProvidedObject[];
  readonly services?: readonly ProvidedObject[];
}

/** A user's personal vcluster on the host. */
export interface SandboxUser {
  /** GitHub login; the vcluster and its host namespace are `sandbox-<github>`. */
  readonly github: string;
  /**
   * Last day (YYYY-MM-DD, inclusive) the sandbox exists: required, at most MAX_SANDBOX_LIFETIME_DAYS
   * after the synth date; synth warns EXPIRY_NOTICE_DAYS before and drops the sandbox after it.
   */
  readonly expires: string;
  /** Quota size. @default 'small' */
  readonly size?: SandboxSize;
}
export type SandboxSize = 'small' | 'medium' | 'large';

export type CertificateIssuerName = 'letsencrypt-prod' | 'letsencrypt-staging';

export interface Environment {
  readonly name: EnvironmentName;
  /** The organisation-wide facts (the same object for every environment). */
  readonly platform: PlatformFacts;
  readonly description: string;
  readonly cluster: ClusterFacts;
  /** Base domain of the environment's services (`argocd.<domain>`). */
  readonly domain: string;
  /** The only ACME issuer this environment may use. */
  readonly certificateIssuer: CertificateIssuerName;
  /** Argo CD destination of every Application of this environment. */
  readonly destination: ArgoDestination;
  /** What the host provides (vclusters); empty for the host itself. */
  readonly hostProvided: HostProvided;
  /** Objects that exist without being in dist/ (bootstrap, outside the platform). @default none */
  readonly provided?: ProvidedObjects;
  /** The services this environment runs, with their per-environment settings. */
  readonly services: ServiceSettings;
  /** Per-user sandboxes (vclusters on the host) that belong to this environment. */
  readonly sandboxUsers?: readonly SandboxUser[];
}

/** Omni's roles (Operator and Admin also get `system:masters` from Omni itself). */
export const OMNI_ROLES = ['None', 'Reader', 'Operator', 'Admin'] as const;
export type OmniRole = (typeof OMNI_ROLES)[number];

/** Teams of the GitHub organisation a member may belong to (PLATFORM.md: `exec` admins, `sre` operators). */
export const GITHUB_TEAMS = ['exec', 'sre'] as const;
export type GitHubTeam = (typeof GITHUB_TEAMS)[number];

/** A club member who may reach the Talos/Omni cluster. Only what the access rule needs. */
export interface ClusterMember {
  /** GitHub login: names the member's own Kubernetes group `member:<github>`. */
  readonly github: string;
  readonly role: OmniRole;
  /**
   * The identity Omni knows the member by (the e-mail of their Omni login). Personal data the club
   * fills in; never invented. Without it the member gets no Omni rule (synth warns). @default none
   */
  readonly omniIdentity?: string;
  /** The organisation teams the member belongs to (Argo CD and Grafana roles follow them). @default none */
  readonly teams?: readonly GitHubTeam[];
}

/** A difference between environments that is there on purpose. */
export interface IntendedDifference {
  /** Service folder (`cert-manager`, `root`); `*` for any. */
  readonly service: string;
  /** `Kind/name` after normalisation (`Application/<env>-cert-manager-chart`); `*` globs. @default every object */
  readonly object?: string;
  /** Field path prefix as the report prints it (`spec.source.helm.valuesObject.replicaCount`); `*` globs. @default the object's presence */
  readonly path?: string;
  /** Why the environments differ here (required: a reviewer reads it). */
  readonly reason: string;
}
