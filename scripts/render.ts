/**
 * `npm run render [DIR] [--force] [--only <application>]`: renders every Helm-sourced Application
 * of DIR (default `dist/`) as Argo CD v2.14 does (tools/render/), one line per Application, then
 * checks what was rendered (tools/render/check.ts): values against the chart, render-twice
 * determinism, and the validation gate over our objects and the rendered ones together.
 * Exit 1 on any finding, 2 on a render failure (chart missing, helm error).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliArgs } from '../tools/args.ts';
import { checkRendered, formatFindings } from '../tools/render/check.ts';
import { renderDist, type RenderedApplication } from '../tools/render/index.ts';

const USAGE = 'npm run render -- [DIR] [--force] [--only <application>]';
const args = cliArgs(process.argv.slice(2), { values: ['only'], flags: ['force'] }, USAGE);
const dir = resolve(args.positional[0] ?? 'dist');
if (!existsSync(dir)) {
  console.error(`render: ${dir} does not exist`);
  process.exit(2);
}

function line(app: RenderedApplication): string {
  const seconds = (app.ms / 1000).toFixed(2).padStart(6);
  return `${app.environment.padEnd(8)} ${app.application.padEnd(44)} ${`${app.chart.chart}@${app.chart.version}`.padEnd(40)} ${String(app.manifests.length).padStart(4)} objects ${seconds} s  ${app.cached ? 'cached' : 'rendered'}${app.hooksLeftOut ? ` (${app.hooksLeftOut} hook${app.hooksLeftOut === 1 ? '' : 's'} Argo CD never applies left out)` : ''}`;
}

try {
  const result = await renderDist(dir, {
    force: args.flags.force,
    ...(args.values.only ? { only: [args.values.only] } : {}),
    log: (text) => console.log(text),
  });
  for (const app of result.applications) console.log(line(app));
  const rendered = result.applications.filter((a) => !a.cached).length;
  console.log(`${result.applications.length} Applications, ${result.manifests.length} rendered objects (${rendered} rendered, ${result.applications.length - rendered} cached) in ${(result.ms / 1000).toFixed(2)} s`);
  const timings = { valuesMs: 0, gateMs: 0 };
  const findings = checkRendered(result, timings);
  console.log(
    `checked in ${((timings.valuesMs + timings.gateMs) / 1000).toFixed(2)} s (values ${(timings.valuesMs / 1000).toFixed(2)} s, gate over ${result.distManifests.length + result.manifests.length} objects ${(timings.gateMs / 1000).toFixed(2)} s)`,
  );
  for (const problem of result.problems) findings.push({ check: 'read', text: problem });
  if (findings.length > 0) {
    console.error(`\n${findings.length} finding(s):\n${formatFindings(findings)}`);
    process.exit(1);
  }
  console.log('0 findings (values, determinism, gate)');
} catch (error) {
  const name = (error as Error).constructor?.name;
  if (['RenderError', 'ChartError', 'GoToolError', 'HelmVersionError'].includes(name)) {
    console.error(`render: ${(error as Error).message}`);
    process.exit(2);
  }
  throw error;
}
