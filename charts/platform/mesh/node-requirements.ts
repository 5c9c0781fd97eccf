import type { Environment } from '../../environments/types.ts';
import { environmentMeshes } from '../../lib/mesh-membership.ts';
import type { NodeRequirements, NodeRequirementsByNode, NodeRequirementsProvider } from '../../lib/node-requirements.ts';

/**
 * What Kuma's CNI plugin and Merbridge rely on, on every node (both are DaemonSets tolerating every
 * taint). Everything is a Talos default, so the requirement carries no patch, only the reason: the
 * Talos patch generator writes it as a comment, and a Talos upgrade that breaks one of these shows
 * up next to the node's patch. Details and sources: docs/mesh.md.
 */
export const MESH_NODE_REQUIREMENT: NodeRequirements = {
  reason:
    'mesh: Merbridge attaches eBPF programs (connect4, sendmsg4, recvmsg4, getsockopt, sock_ops, bind4) at the root of the ' +
    'cgroup v2 hierarchy (/sys/fs/cgroup) and needs kernel >= 5.7 with BPF_SYSCALL and CGROUP_BPF; Kuma CNI is chained ' +
    'onto the primary CNI in /etc/cni/net.d and /opt/cni/bin and runs iptables-nft from the host (Talos >= 1.9 ships it; ' +
    'Talos has no legacy iptables). All are Talos defaults: no sysctl, module or mount to add.',
};

/** Every node of a host cluster that runs the mesh service; nothing for vclusters or without the mesh. */
export const meshNodeRequirements: NodeRequirementsProvider = (environment: Environment): NodeRequirementsByNode => {
  const requirements = new Map<string, readonly NodeRequirements[]>();
  if (environment.cluster.kind !== 'talos' || environmentMeshes(environment) === undefined) return requirements;
  for (const node of environment.cluster.nodes) requirements.set(node.name, [MESH_NODE_REQUIREMENT]);
  return requirements;
};
