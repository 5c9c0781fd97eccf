import type { Environment } from '../../environments/types.ts';
import type { NodeRequirements, NodeRequirementsProvider } from '../../lib/node-requirements.ts';
import { resolvePools } from './pools.ts';
import { ENGINE_LABEL, HUGEPAGES_2MI, VAR_LOCAL } from './storage.ts';

/** What every node with a DiskPool must provide before Mayastor's io-engine can start there. */
export const MAYASTOR_NODE_REQUIREMENTS: NodeRequirements = {
  sysctls: { 'vm.nr_hugepages': String(HUGEPAGES_2MI) },
  nodeLabels: { [ENGINE_LABEL.key]: ENGINE_LABEL.value },
  kubeletExtraMounts: [{ source: VAR_LOCAL, destination: VAR_LOCAL, options: ['rbind', 'rshared', 'rw'] }],
  reason:
    `Mayastor io-engine: ${HUGEPAGES_2MI} x 2 MiB hugepages reserved for SPDK, the ${ENGINE_LABEL.key}=${ENGINE_LABEL.value} label its DaemonSet selects, ` +
    `and ${VAR_LOCAL} visible to the kubelet (Mayastor etcd and local-hostpath volumes, io-engine state)`,
};

/**
 * The storage service's needs, per node: every node with a pool (the environment's disk inventory,
 * or the `pools` of its storage settings) gets {@link MAYASTOR_NODE_REQUIREMENTS}. Nothing when the
 * environment does not run storage (staging and sandbox use the host's classes).
 */
export const storageNodeRequirements: NodeRequirementsProvider = (environment: Environment) => {
  const settings = environment.services.storage;
  const byNode = new Map<string, readonly NodeRequirements[]>();
  if (settings === undefined) return byNode;
  const nodes = [...new Set(resolvePools(environment, settings.pools).map((pool) => pool.node))].sort();
  for (const node of nodes) byNode.set(node, [MAYASTOR_NODE_REQUIREMENTS]);
  return byNode;
};
