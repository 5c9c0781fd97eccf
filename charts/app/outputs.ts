import type { Environment } from '../environments/types.ts';
import type { DistFile } from '../lib/dist-file.ts';
import type { Manifest } from '../lib/manifest.ts';
import { NODE_REQUIREMENT_PROVIDERS } from '../platform/node-requirements.ts';
import { talosPatchFiles } from '../talos/talos-patches.ts';

/** What a generator of non-Kubernetes files sees: the environments as built, and every manifest. */
export interface OutputContext {
  /** The environments after expired sandboxes were dropped. */
  readonly environments: readonly Environment[];
  readonly manifests: readonly Manifest[];
}

/**
 * A producer of files under dist/ that are not Kubernetes objects (Talos patches, Omni templates, …).
 * It throws a ConfigError with every problem; the build reports them with the constructs' problems,
 * and nothing is written.
 */
export interface OutputGenerator {
  readonly name: string;
  generate(context: OutputContext): readonly DistFile[];
}

/** Every generator synth runs, in this order. Add one here to write another kind of file. */
export const OUTPUT_GENERATORS: readonly OutputGenerator[] = [
  { name: 'talos', generate: ({ environments }) => talosPatchFiles(environments, NODE_REQUIREMENT_PROVIDERS) },
];
