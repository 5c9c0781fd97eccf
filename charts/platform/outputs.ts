import type { ExtraOutputGenerator } from '../app/extra-outputs.ts';
import { omniAccessPolicyFiles } from './cluster-access/cluster-access.ts';
import { talosPatchFiles } from '../talos/talos-patches.ts';
import { NODE_REQUIREMENT_PROVIDERS } from './node-requirements.ts';

/** Every generator of non-Kubernetes files under dist/ (beside the environment folders). */
export const EXTRA_OUTPUTS: readonly ExtraOutputGenerator[] = [
  omniAccessPolicyFiles,
  // One Talos machine-config patch per node of the host cluster: dist/talos/<node>.yaml (docs/talos.md).
  (environments) => talosPatchFiles(environments, NODE_REQUIREMENT_PROVIDERS),
];
