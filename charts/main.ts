/**
 * `npm run synth`: renders every environment into dist/ (or $CDK8S_OUTDIR when run by `cdk8s synth`).
 * Exit 1 with one message per problem when the input or the gate is wrong; dist/ is then untouched.
 */
import { ENVIRONMENTS } from './environments/index.ts';
import { synthesize } from './app/synth.ts';
import { today } from './app/sandboxes.ts';
import { ConfigError } from './lib/config-errors.ts';
import { formatWaived } from './lib/validation/gate.ts';

function run(): ReturnType<typeof synthesize> {
  try {
    return synthesize({ environments: ENVIRONMENTS, today: today(), outdir });
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.messages.map((m) => `  ${m}`).join('\n') };
    throw error;
  }
}

const started = performance.now();
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const result = run();

if (!result.ok) {
  console.error(`synth failed; ${outdir}/ was left as it was.\n${result.problems}`);
  process.exit(1);
}
const { build, gate } = result;
for (const warning of build.warnings) console.warn(`warning: ${warning}`);
const lines = [...build.services.entries()].map(([environment, services]) => {
  const objects = build.manifests.filter((m) => m.environment === environment).length;
  return `  ${environment.padEnd(8)} ${String(services.length).padStart(2)} services ${String(objects).padStart(4)} objects`;
});
console.log(
  `synthesized ${build.manifests.length} objects into ${outdir}/ in ${Math.round(performance.now() - started)} ms ` +
    `(gate ${Math.round(gate.durationMs)} ms, ${build.warnings.length} warning(s))\n${lines.join('\n')}`,
);
for (const line of formatWaived(gate.waived)) console.warn(`gate: ${line}`);
