import type { Environment } from '../environments/types.ts';
import { SERVICE_LABEL } from '../lib/labels.ts';
import type { Manifest } from '../lib/manifest.ts';
import { ROOT_FOLDER } from '../platform/registry.ts';
import { dropExpiredSandboxes } from './sandboxes.ts';

export interface SummaryInput {
  readonly environments: readonly Environment[];
  readonly manifests: readonly Manifest[];
  /** Services per environment, in registry order. */
  readonly services: ReadonlyMap<string, readonly string[]>;
  readonly warnings: readonly string[];
  readonly today: string;
  readonly outdir: string;
  readonly totalMs: number;
  readonly gateMs: number;
  /** Time since the process started (module loading included), when known. */
  readonly processMs?: number;
}

/** The service an object belongs to: its service label (root Applications of a chart count for their service), else its folder. */
function serviceOf(manifest: Manifest): string {
  return manifest.object.metadata.labels?.[SERVICE_LABEL] ?? manifest.folder;
}

/**
 * What `npm run synth` prints: a services × environments table of object counts (`·` where a
 * service is off), the active sandboxes, totals and time, then the warnings.
 */
export function formatSynthSummary(input: SummaryInput): string {
  const envs = input.environments.map((e) => e.name);
  const counts = new Map<string, Map<string, number>>();
  for (const manifest of input.manifests) {
    const service = serviceOf(manifest);
    const row = counts.get(service) ?? new Map<string, number>();
    counts.set(service, row);
    row.set(manifest.environment, (row.get(manifest.environment) ?? 0) + 1);
  }
  const order = [...new Set([...[...input.services.values()].flat(), ...counts.keys()])].filter((s) => s !== ROOT_FOLDER);
  const services = [...order.filter((s) => counts.has(s)), ROOT_FOLDER];
  const sandboxes = input.environments.map((env) => dropExpiredSandboxes(env, input.today).environment.sandboxUsers?.length ?? 0);
  const width = Math.max(10, ...services.map((s) => s.length));
  const col = Math.max(7, ...envs.map((e) => e.length));
  const cell = (text: string | number) => String(text).padStart(col);
  const lines = [`  ${'service'.padEnd(width)} ${envs.map(cell).join(' ')}`];
  for (const service of services) {
    const row = counts.get(service);
    const enabled = (env: string) => service === ROOT_FOLDER || (input.services.get(env) ?? []).includes(service);
    lines.push(`  ${service.padEnd(width)} ${envs.map((env) => cell(row?.get(env) ?? (enabled(env) ? 0 : '·'))).join(' ')}`);
  }
  const totals = envs.map((env) => input.manifests.filter((m) => m.environment === env).length);
  lines.push(`  ${'objects'.padEnd(width)} ${totals.map(cell).join(' ')}`);
  if (sandboxes.some((n) => n > 0)) lines.push(`  ${'sandboxes'.padEnd(width)} ${sandboxes.map(cell).join(' ')}`);
  const serviceCount = new Set([...input.services.values()].flat()).size;
  const head =
    `synthesized ${envs.length} environments × ${serviceCount} services = ${input.manifests.length} objects into ${input.outdir}/ ` +
    `in ${Math.round(input.totalMs)} ms (gate ${Math.round(input.gateMs)} ms${input.processMs === undefined ? '' : `; ${Math.round(input.processMs)} ms since node started`})` +
    (input.warnings.length > 0 ? `, ${input.warnings.length} warning(s)` : '');
  return [head, ...lines, ...input.warnings.map((w) => `warning: ${w}`)].join('\n');
}
