import type { Manifest } from '../manifest.ts';
import { policyRules } from './policy.ts';
import { objectLabel, type GateIssue, type GateReport, type Rule } from './types.ts';

export interface GateOptions {
  /** Extra rules (schema, references, ordering …) added by callers. */
  readonly rules?: readonly Rule[];
}

/** Runs every rule over every manifest of every environment, collecting all findings. */
export function runGate(manifests: readonly Manifest[], options: GateOptions = {}): GateReport {
  const started = performance.now();
  const errors: GateIssue[] = [];
  const skipped: string[] = [];
  const rules = [...policyRules, ...(options.rules ?? [])];
  for (const rule of rules) {
    rule.check({
      manifests,
      report(manifest, field, message) {
        errors.push({
          rule: rule.name,
          environment: manifest.environment,
          folder: manifest.folder,
          file: `${manifest.environment}/${manifest.folder}/${manifest.file}`,
          source: manifest.source,
          object: objectLabel(manifest),
          field,
          message,
        });
      },
      skip(reason) {
        skipped.push(`${rule.name}: ${reason}`);
      },
    });
  }
  const checkedByKind = new Map<string, number>();
  for (const manifest of manifests) {
    const key = `${manifest.object.apiVersion}/${manifest.object.kind}`;
    checkedByKind.set(key, (checkedByKind.get(key) ?? 0) + 1);
  }
  return { errors, skipped: [...new Set(skipped)], checkedByKind, durationMs: performance.now() - started };
}

/** Report text grouped by environment and folder, one line per finding. */
export function formatGateErrors(errors: readonly GateIssue[]): string {
  const groups = new Map<string, GateIssue[]>();
  for (const issue of errors) {
    const key = `${issue.environment} › ${issue.folder}`;
    groups.set(key, [...(groups.get(key) ?? []), issue]);
  }
  const lines: string[] = [];
  for (const [group, issues] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`${group}:`);
    for (const issue of issues) {
      lines.push(`  ${issue.file}: ${issue.object}${issue.field ? ` at ${issue.field}` : ''}: ${issue.message} [${issue.rule}] (${issue.source})`);
    }
  }
  return lines.join('\n');
}
