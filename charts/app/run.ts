import { relative, resolve } from 'node:path';
import { ConfigError } from '../lib/config-errors.ts';
import { WriteError } from '../lib/writer.ts';
import { formatWaived } from '../../gate/gate.ts';
import { applySecretWaivers, scanForSecrets } from '../../gate/secret-scan.ts';
import { writeTreeAtomically } from '../lib/writer.ts';
import { SECRET_WAIVERS, SECRET_WAIVERS_FILE } from './secret-waivers.ts';
import { formatSynthSummary } from './summary.ts';
import { synthesize, type SynthOptions } from './synth.ts';
import { describeError, InternalError } from './internal-error.ts';

export { describeError } from './internal-error.ts';

/** Exit codes of `npm run synth`. */
export const EXIT = {
  ok: 0,
  /** The input is wrong (configuration, gate, secrets, capacity) or dist/ cannot be written: the message says what to fix. */
  rejected: 1,
  /** An unexpected exception (a bug, or input no check anticipated): reported with where it happened. */
  internal: 2,
} as const;

export interface SynthRun {
  readonly code: (typeof EXIT)[keyof typeof EXIT];
  readonly stdout: string;
  readonly stderr: string;
}

/** secretlint over the files synth is about to write, named as `dist/<path>` (the waivers' names). */
async function checkSecrets(files: ReadonlyMap<string, string>, cacheFile: string | undefined) {
  const named = new Map([...files].map(([path, content]) => [`dist/${path}`, content]));
  const findings = await scanForSecrets(named, cacheFile ? { cacheFile } : {});
  // Waivers of repository files belong to `npm run secrets:scan`; synth sees dist/ only.
  return applySecretWaivers(
    findings,
    SECRET_WAIVERS.filter((w) => w.file.startsWith('dist/')),
    SECRET_WAIVERS_FILE,
  );
}

/**
 * `npm run synth` as a function (the corpus runs it in-process): never throws; every outcome is an
 * exit code and the text a user reads. Whatever fails, `outdir` is left as it was.
 */
export interface RunOptions extends SynthOptions {
  readonly outdir: string;
  /** Cache of the secret scan by content hash. @default none (scan everything) */
  readonly secretScanCache?: string;
  /**
   * Changes the files after the gate, before the secret scan and the writer: the corpus injects
   * what a construct or a chart value could produce (a literal password) without a fake service.
   */
  readonly alterFiles?: (files: Map<string, string>) => void;
  /** A synth result of the same environments to reuse (the corpus builds once for its file-level cases). */
  readonly reuse?: Extract<ReturnType<typeof synthesize>, { ok: true }>;
}

export async function runSynth(options: RunOptions): Promise<SynthRun> {
  const started = performance.now();
  const outdir = options.outdir;
  const shown = relative(process.cwd(), resolve(outdir)) || outdir;
  const failed = (code: SynthRun['code'], text: string): SynthRun => ({ code, stdout: '', stderr: `synth failed; ${shown}/ was left as it was.\n${text}\n` });
  try {
    const result = options.reuse ? { ...options.reuse, files: new Map(options.reuse.files) } : synthesize(options);
    if (!result.ok) return failed(EXIT.rejected, result.problems);
    const { build, gate } = result;
    options.alterFiles?.(result.files);
    const secrets = await checkSecrets(result.files, options.secretScanCache);
    if (secrets.errors.length > 0) return failed(EXIT.rejected, `secret scan: ${secrets.errors.length} finding(s)\n${secrets.errors.map((e) => `  ${e}`).join('\n')}`);
    const recovered = writeTreeAtomically(outdir, result.files);
    const stdout = formatSynthSummary({
      environments: options.environments,
      manifests: build.manifests,
      services: build.services,
      warnings: build.warnings,
      today: options.today,
      outdir,
      totalMs: performance.now() - started,
      gateMs: gate.durationMs,
      // performance.now() counts from process start: module loading included.
      processMs: performance.now(),
    });
    const stderr = [...recovered.map((line) => `writer: ${line}`), ...formatWaived(gate.waived).map((line) => `gate: ${line}`)];
    return { code: EXIT.ok, stdout: `${stdout}\n`, stderr: stderr.length ? `${stderr.join('\n')}\n` : '' };
  } catch (error) {
    if (error instanceof ConfigError) return failed(EXIT.rejected, error.messages.map((m) => `  ${m}`).join('\n'));
    if (error instanceof WriteError) return failed(EXIT.rejected, `  ${error.message}`);
    if (error instanceof InternalError) {
      return failed(EXIT.internal, `  ${error.message}\n  This is a bug or an input no check anticipated; please report it with this message.`);
    }
    return failed(EXIT.internal, `  all environments › synth: unexpected ${describeError(error)}\n  This is a bug or an input no check anticipated; please report it with this message.`);
  }
}
