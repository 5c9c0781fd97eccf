import type { ExtraOutputGenerator } from '../app/extra-outputs.ts';
import { omniAccessPolicyFiles } from './cluster-access/cluster-access.ts';
import { talosClusterPatchFiles, talosPatchFiles } from '../talos/talos-patches.ts';
import { CLUSTER_REQUIREMENT_PROVIDERS, NODE_REQUIREMENT_PROVIDERS } from './node-requirements.ts';

/** Every generator of non-Kubernetes files under dist/ (beside the environment folders). */
export const EXTRA_OUTPUTS: readonly ExtraOutputGenerator[] = [
  omniAccessPolicyFiles,
  // One Talos machine-config patch per node of the host cluster: dist/talos/<node>.yaml (docs/talos.md).
  (environments) => talosPatchFiles(environments, NODE_REQUIREMENT_PROVIDERS),
  // The cluster-wide patch (API server flags the services need): dist/talos/cluster.yaml.
  (environments) => talosClusterPatchFiles(environments, CLUSTER_REQUIREMENT_PROVIDERS),
];
