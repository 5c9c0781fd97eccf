/**
 * What the gate knows besides the objects: things that exist in a cluster without being in dist/.
 * Built from the environment data and the catalogue by `charts/app/gate-facts.ts`; the gate itself
 * knows nothing of our environments. Anything not declared here and not in the tree is an error.
 */

/**
 * Objects an upstream chart or release creates in the namespace it is installed in, by name.
 * `{release}` stands for the Helm release name. Declared in the catalogue (`provides`).
 */
export interface UpstreamProvides {
  readonly serviceAccounts?: readonly string[];
  /**
   * Services with their ports: routes to them are checked port by port like our own Services, and
   * `npm run render` proves the declaration against the rendered chart (it cannot go stale).
   */
  readonly services?: readonly ProvidedService[];
  readonly secrets?: readonly string[];
  readonly configMaps?: readonly string[];
  /** Cluster-scoped. */
  readonly storageClasses?: readonly string[];
  readonly gatewayClasses?: readonly string[];
  readonly clusterIssuers?: readonly string[];
}

/** A Service an upstream chart creates: its name (`{release}` = the release name) and its ports. */
export interface ProvidedService {
  readonly name: string;
  readonly ports: readonly number[];
}

/** A pinned upstream chart or manifest release, as an Application in a root installs it. */
export interface UpstreamSource {
  /** Catalogue key (for messages). */
  readonly name: string;
  readonly repoURL: string;
  /** Helm chart name, or the path of the manifests in the repository. */
  readonly chart?: string;
  readonly path?: string;
  /** API groups of the CRDs it installs. */
  readonly crdGroups: readonly string[];
  /** Those its controller registers when it starts (not manifests of the chart). */
  readonly crdGroupsAtRuntime?: readonly string[];
  readonly provides?: UpstreamProvides;
  /** The manifests create the Application's destination namespace themselves (with its labels). */
  readonly createsNamespace?: boolean;
}

/** An object that exists in the cluster but is not ours, with who makes it. */
export interface DeclaredObject {
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

export interface EnvironmentFacts {
  /** Namespaces that exist before any sync (given by the host cluster, or created at bootstrap). */
  readonly namespaces: readonly string[];
  /** StorageClasses the cluster has without us creating them (a vcluster's host classes). */
  readonly storageClasses: readonly string[];
  /** Objects created outside the platform (by hand at bootstrap, by the host), declared with a reason. */
  readonly secrets: readonly DeclaredObject[];
  readonly configMaps: readonly DeclaredObject[];
  readonly serviceAccounts: readonly DeclaredObject[];
  readonly services: readonly DeclaredObject[];
}

export interface GateFacts {
  readonly environments: Readonly<Record<string, EnvironmentFacts>>;
  readonly upstream: readonly UpstreamSource[];
  /** Namespace of the one Argo CD on the host: every root object lives there; it exists from bootstrap. */
  readonly argocdNamespace: string;
  /** Our repository: Applications reading it sync our own folders. */
  readonly repoURL: string;
  /** API groups whose CRDs exist before the first sync (Argo CD's own, installed at bootstrap). */
  readonly bootstrapCrdGroups: readonly string[];
  /** API groups installed by Crossplane packages: their ordering is proven by `package-crd-ordering`. */
  readonly packageCrdGroups?: readonly string[];
  /** Kubernetes minor of the clusters (`1.28`): which built-in definitions apply. @default the pinned one */
  readonly kubernetesVersion?: string;
}

export const EMPTY_ENVIRONMENT_FACTS: EnvironmentFacts = {
  namespaces: [],
  storageClasses: [],
  secrets: [],
  configMaps: [],
  serviceAccounts: [],
  services: [],
};

/** Namespaces every Kubernetes cluster has. */
export const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Facts with nothing provided: the strictest gate (used when the caller gives none). */
export const NO_FACTS: GateFacts = {
  environments: {},
  upstream: [],
  argocdNamespace: 'argocd',
  repoURL: '',
  bootstrapCrdGroups: ['argoproj.io'],
};
