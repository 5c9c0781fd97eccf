import type { Environment } from '../environments/types.ts';
import { ConfigError } from '../lib/config-errors.ts';
import { formatGateErrors, runGate } from '../../gate/gate.ts';
import type { GateIssue, GateReport } from '../../gate/types.ts';
import { SchemaStoreError } from '../../gate/schema-store.ts';
import { InternalError } from './internal-error.ts';
import { buildPlatform, type PlatformBuild } from './build.ts';
import { distFiles } from './dist-files.ts';
import { platformGateOptions } from './gate-config.ts';

export interface SynthOptions {
  readonly environments: readonly Environment[];
  readonly today: string;
}

export type SynthResult =
  | { readonly ok: true; readonly build: PlatformBuild; readonly files: Map<string, string>; readonly gate: GateReport }
  | { readonly ok: false; readonly problems: string; readonly gateErrors?: readonly GateIssue[] };

/**
 * The pipeline in memory: environment data → constructs → objects → gate → the files of dist/.
 * Writes nothing: `runSynth` (run.ts) scans the files for secrets and writes them.
 */
export function synthesize(options: SynthOptions): SynthResult {
  let build: PlatformBuild;
  try {
    build = buildPlatform(options.environments, { today: options.today });
  } catch (error) {
    if (error instanceof ConfigError) {
      // The same problem seen by two checks (the data and its construct) is reported once.
      const messages = [...new Set(error.messages)];
      return { ok: false, problems: `configuration problems (${messages.length}):\n${messages.map((m) => `  ${m}`).join('\n')}` };
    }
    throw error;
  }
  let gate: GateReport;
  try {
    gate = runGate(build.manifests, platformGateOptions(options.environments));
  } catch (error) {
    if (error instanceof SchemaStoreError) throw new ConfigError([`all environments › validation gate: ${error.message}`]);
    throw new InternalError('all environments › validation gate', error);
  }
  if (gate.errors.length > 0) {
    return { ok: false, problems: `validation gate: ${gate.errors.length} error(s)\n${formatGateErrors(gate.errors)}`, gateErrors: gate.errors };
  }
  const files = distFiles(build);
  return { ok: true, build, files, gate };
}
