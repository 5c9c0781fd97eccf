import type { Environment } from '../environments/types.ts';
import { ConfigError } from '../lib/config-errors.ts';
import { formatGateErrors, runGate } from '../../gate/gate.ts';
import type { GateIssue, GateReport } from '../../gate/types.ts';
import { writeTreeAtomically } from '../lib/writer.ts';
import { buildPlatform, type PlatformBuild } from './build.ts';
import { distFiles } from './dist-files.ts';
import { platformGateOptions } from './gate-config.ts';

export interface SynthOptions {
  readonly environments: readonly Environment[];
  readonly today: string;
  /** Where to write; nothing is written when omitted (tests, bench). */
  readonly outdir?: string;
}

export type SynthResult =
  | { readonly ok: true; readonly build: PlatformBuild; readonly files: Map<string, string>; readonly gate: GateReport }
  | { readonly ok: false; readonly problems: string; readonly gateErrors?: readonly GateIssue[] };

/**
 * The whole pipeline: environment data → constructs → objects → gate → dist/. Any configuration
 * problem or gate error means nothing is written and the previous tree stays as it was.
 */
export function synthesize(options: SynthOptions): SynthResult {
  let build: PlatformBuild;
  try {
    build = buildPlatform(options.environments, { today: options.today });
  } catch (error) {
    if (error instanceof ConfigError) {
      return { ok: false, problems: `configuration problems (${error.messages.length}):\n${error.messages.map((m) => `  ${m}`).join('\n')}` };
    }
    throw error;
  }
  const gate = runGate(build.manifests, platformGateOptions(options.environments));
  if (gate.errors.length > 0) {
    return { ok: false, problems: `validation gate: ${gate.errors.length} error(s)\n${formatGateErrors(gate.errors)}`, gateErrors: gate.errors };
  }
  const files = distFiles(build);
  if (options.outdir) writeTreeAtomically(options.outdir, files);
  return { ok: true, build, files, gate };
}
