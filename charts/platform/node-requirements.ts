import type { NodeRequirementsProvider } from '../lib/node-requirements.ts';

/**
 * Every service that needs something from the nodes (hugepages, labels, kernel modules, kubelet
 * mounts). The Talos patches (dist/talos/<node>.yaml) are generated from this list; a service adds
 * its provider here (e.g. `storageNodeRequirements` from ./storage/node-requirements.ts,
 * `meshNodeRequirements` from ./mesh/node-requirements.ts).
 */
export const NODE_REQUIREMENT_PROVIDERS: NodeRequirementsProvider[] = [];
