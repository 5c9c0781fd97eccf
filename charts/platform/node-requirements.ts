import type { NodeRequirementsProvider } from '../lib/node-requirements.ts';
import { meshNodeRequirements } from './mesh/node-requirements.ts';
import { storageNodeRequirements } from './storage/node-requirements.ts';

/**
 * Every service that needs something from the nodes (hugepages, labels, kernel modules, kubelet
 * mounts). The Talos patches (dist/talos/<node>.yaml) are generated from this list; a service that
 * needs something from the machines adds its provider here.
 */
export const NODE_REQUIREMENT_PROVIDERS: NodeRequirementsProvider[] = [storageNodeRequirements, meshNodeRequirements];
