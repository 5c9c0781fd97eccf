import type { Environment } from '../environments/types.ts';

/**
 * What a service needs from the machines it runs on, expressed as data so the Talos machine-config
 * patches (dist/talos/<node>.yaml) are generated from the services instead of being written by hand.
 */
export interface NodeRequirements {
  /** Kernel parameters, e.g. `vm.nr_hugepages: "1024"`. */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Labels the node must carry, e.g. `openebs.io/engine: mayastor`. */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Kernel modules to load at boot. */
  readonly kernelModules?: readonly string[];
  /** Host paths the kubelet must bind-mount (Talos `machine.kubelet.extraMounts`). */
  readonly kubeletExtraMounts?: readonly { readonly source: string; readonly destination: string; readonly options: readonly string[] }[];
  /** Why, for the patch's comment and the docs. */
  readonly reason: string;
}

/** Requirements of one service, per node name. */
export type NodeRequirementsByNode = ReadonlyMap<string, readonly NodeRequirements[]>;

/** A service's requirements, computed from the environment (e.g. storage: the nodes that have disks). */
export type NodeRequirementsProvider = (environment: Environment) => NodeRequirementsByNode;

/** What a service needs from the cluster as a whole (Talos `cluster.*`), e.g. an API server flag. */
export interface ClusterRequirements {
  /** kube-apiserver flags (Talos `cluster.apiServer.extraArgs`). */
  readonly apiServerExtraArgs?: Readonly<Record<string, string>>;
  /** Why, for the patch's comment and the docs. */
  readonly reason: string;
}

export type ClusterRequirementsProvider = (environment: Environment) => readonly ClusterRequirements[];
