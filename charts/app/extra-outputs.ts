import type { Environment } from '../environments/types.ts';

/** A generated file that is not a Kubernetes object (Talos patches, the Omni access policy …). */
export interface ExtraFile {
  /** Path under dist/, e.g. `omni/access-policy.yaml`; never inside an environment folder. */
  readonly path: string;
  readonly content: string;
}

/**
 * Produces extra files from the environment data. Throws a ConfigError (with every problem) on bad
 * input; synth then writes nothing, exactly as for a construct.
 */
export type ExtraOutputGenerator = (environments: readonly Environment[]) => readonly ExtraFile[];
