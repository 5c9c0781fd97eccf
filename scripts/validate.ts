/**
 * `npm run validate [DIR] [--json]`: the validation gate on any folder in dist layout (default
 * `dist/`), with the same rules as `npm run synth`. Prints a summary (objects per kind, checks
 * skipped, time); exits 1 naming file, object and field of every error.
 */
import { join, resolve } from 'node:path';
import { platformGateOptions } from '../charts/app/gate-config.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { formatGateErrors, formatWaived, runGate } from '../gate/gate.ts';
import { loadTree } from '../gate/load.ts';
import type { GateReport } from '../gate/types.ts';
import { REPO_ROOT, schemaPlaces } from '../gate/schemas-location.ts';
import { ensureSchemas } from '../gate/schema-download.ts';
import { cliArgs } from '../tools/args.ts';
import { existsSync } from 'node:fs';
import { compare } from '../charts/lib/render.ts';
import { describeError } from '../charts/app/internal-error.ts';
import { SchemaStoreError } from '../gate/schema-store.ts';

export interface DirectoryValidation {
  readonly report: GateReport;
  readonly environments: string[];
  readonly skippedFolders: string[];
  readonly objects: number;
  readonly ms: number;
}

/** Loads DIR and runs the gate, with the facts of our environments. */
export function validateDirectory(dir: string): DirectoryValidation {
  const started = performance.now();
  // Run as a compiled bundle (scripts/run.mjs), the bundle's name keys a cache of parsed files.
  const bundle = process.env.PLATFORM_BUNDLE;
  const tree = loadTree(
    dir,
    ENVIRONMENTS.map((e) => e.name),
    bundle ? { parseCache: { file: join(REPO_ROOT, '.cache', 'validate', 'parsed.json'), key: bundle } } : {},
  );
  const report = runGate(tree.manifests, platformGateOptions(ENVIRONMENTS));
  report.errors.unshift(...tree.problems);
  return { report, environments: tree.environments, skippedFolders: tree.skippedFolders, objects: tree.manifests.length, ms: performance.now() - started };
}

function summary(result: DirectoryValidation, dir: string): string {
  const { report } = result;
  const kinds = [...report.checkedByKind.entries()].sort(([a], [b]) => compare(a, b)).map(([kind, count]) => `    ${String(count).padStart(4)}  ${kind}`);
  const counts = [...report.counts.entries()].map(([label, count]) => `    ${label}: ${count}`);
  const lines = [
    `validated ${result.objects} objects of ${result.environments.length} environment(s) (${result.environments.join(', ')}) in ${dir} in ${Math.round(result.ms)} ms (rules ${Math.round(report.durationMs)} ms); schemas: ${schemaPlaces().join(', ')}`,
    '  objects per kind:',
    ...kinds,
    ...(counts.length ? ['  checked:', ...counts] : []),
    `  skipped checks: ${report.skipped.length === 0 ? 'none' : ''}`,
    ...report.skipped.map((s) => `    ${s}`),
    `  waived (known gaps, charts/app/gate-waivers.ts): ${report.waived.length === 0 ? 'none' : ''}`,
    ...formatWaived(report.waived).map((w) => `    ${w}`),
    ...(result.skippedFolders.length ? [`  skipped folders: ${result.skippedFolders.join(', ')}`] : []),
  ];
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
// CommonJS once bundled (scripts/run.mjs): no top-level await.
if (isMain) void main();

async function main(): Promise<void> {
  const args = cliArgs(process.argv.slice(2), { flags: ['json'] }, 'npm run validate -- [DIR] [--json]');
  const json = args.flags.json === true;
  const dir = resolve(args.positional[0] ?? 'dist');
  if (!existsSync(dir)) {
    console.error(`validate: ${dir} does not exist`);
    process.exit(2);
  }
  const schemasProblem = await ensureSchemas();
  if (schemasProblem) {
    console.error(`validate: ${schemasProblem}`);
    process.exit(2);
  }
  let result: DirectoryValidation;
  try {
    result = validateDirectory(dir);
  } catch (error) {
    // No stack trace for any input: say what failed and where (charts/app/internal-error.ts).
    const what = error instanceof SchemaStoreError ? error.message : `unexpected ${describeError(error)}`;
    console.error(`validate: ${dir}: ${what}`);
    process.exit(error instanceof SchemaStoreError ? 1 : 2);
  }
  if (json) {
    console.log(
      JSON.stringify({ errors: result.report.errors, waived: formatWaived(result.report.waived), skipped: result.report.skipped, objects: result.objects, environments: result.environments, ms: result.ms }, null, 2),
    );
  } else {
    console.log(summary(result, dir));
    if (result.report.errors.length > 0) console.error(`\n${result.report.errors.length} error(s):\n${formatGateErrors(result.report.errors)}`);
    else console.log('0 errors');
  }
  process.exit(result.report.errors.length > 0 ? 1 : 0);
}
