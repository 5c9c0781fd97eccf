/**
 * `npm run synth`: renders every environment into dist/ (or $CDK8S_OUTDIR when run by `cdk8s synth`).
 * Exit 1 with one message per problem when the input or the gate is wrong; dist/ is then untouched.
 */
import { ENVIRONMENTS } from './environments/index.ts';
import { synthesize } from './app/synth.ts';
import { today } from './app/sandboxes.ts';
import { ConfigError } from './lib/config-errors.ts';
import { formatSynthSummary } from './app/summary.ts';
import { formatWaived } from '../gate/gate.ts';
import { ensureSchemas } from '../gate/schema-download.ts';

function run(): ReturnType<typeof synthesize> {
  try {
    date = today();
    return synthesize({ environments: ENVIRONMENTS, today: date, outdir });
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.messages.map((m) => `  ${m}`).join('\n') };
    throw error;
  }
}

const started = performance.now();
let date = '';
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
// A fresh clone has no schemas yet: fetched once from the pinned upstream files, or one clear error.
const schemasProblem = await ensureSchemas();
if (schemasProblem) {
  console.error(`synth: ${outdir}/ was left as it was; ${schemasProblem}`);
  process.exit(1);
}
const result = run();

if (!result.ok) {
  console.error(`synth failed; ${outdir}/ was left as it was.\n${result.problems}`);
  process.exit(1);
}
const { build, gate } = result;
console.log(
  formatSynthSummary({
    environments: ENVIRONMENTS,
    manifests: build.manifests,
    services: build.services,
    warnings: build.warnings,
    today: date,
    outdir,
    totalMs: performance.now() - started,
    gateMs: gate.durationMs,
    // performance.now() counts from process start: module loading included.
    processMs: performance.now(),
  }),
);
for (const line of formatWaived(gate.waived)) console.warn(`gate: ${line}`);
