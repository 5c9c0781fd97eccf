import type { Manifest } from '../charts/lib/manifest.ts';
import { NO_FACTS, type GateFacts } from './facts.ts';
import { needsRule } from './needs.ts';
import { orderingRules } from './ordering.ts';
import { podSecurityRule } from './pod-security.ts';
import { policyRules } from './policy.ts';
import { referenceOrderingRule } from './reference-ordering.ts';
import { referenceRules } from './references.ts';
import { schemaRules } from './schema-rule.ts';
import { objectLabel, type GateIssue, type GateReport, type GateWaiver, type Rule, type RuleContext } from './types.ts';
import { compare } from '../charts/lib/render.ts';
import { groupBy } from '../charts/lib/group-by.ts';

export interface GateOptions {
  /** Extra rules added by callers. */
  readonly rules?: readonly Rule[];
  /** What exists without being in the tree (environment data, catalogue). @default nothing (strictest) */
  readonly facts?: GateFacts;
  /** Only this schemas directory. @default the usual places (schemaPlaces()) */
  readonly schemasDir?: string;
  /** Only these rules (by name), for focused tests. @default all */
  readonly only?: readonly string[];
  /** Known gaps accepted for now (each must match at least one error). @default none */
  readonly waivers?: readonly GateWaiver[];
}

/** Every rule of the gate: policy, schemas (structure, CEL, metadata), references, ordering, declared needs, Pod Security, reference ordering. */
export function allRules(options: Pick<GateOptions, 'schemasDir'> = {}): Rule[] {
  return [...policyRules, ...schemaRules(options), ...referenceRules, ...orderingRules(options), needsRule, podSecurityRule, referenceOrderingRule];
}

/** Runs every rule over every manifest of every environment, collecting all findings. */
export function runGate(manifests: readonly Manifest[], options: GateOptions = {}): GateReport {
  const started = performance.now();
  const facts = options.facts ?? NO_FACTS;
  const rules = [...allRules(options), ...(options.rules ?? [])].filter((rule) => !options.only || options.only.includes(rule.name));
  // Each rule reports into its own lists, merged in rule order: the report reads as if every rule had
  // run alone, one after the other, whatever order the per-object checks ran in.
  const results = rules.map(() => ({ errors: [] as GateIssue[], skipped: new Map<string, number>(), counts: new Map<string, number>() }));
  const perObject: ((manifest: Manifest) => void)[] = [];
  rules.forEach((rule, index) => {
    const own = results[index]!;
    const context: RuleContext = {
      manifests,
      facts,
      report(manifest, field, message, name) {
        own.errors.push({
          rule: name ?? rule.name,
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
        own.skipped.set(reason, (own.skipped.get(reason) ?? 0) + 1);
      },
      count(label, by = 1) {
        own.counts.set(label, (own.counts.get(label) ?? 0) + by);
      },
    };
    if (rule.forEach) perObject.push(rule.forEach(context));
    else rule.check(context);
  });
  for (const manifest of manifests) for (const check of perObject) check(manifest);
  const errors = results.flatMap((result) => result.errors);
  const skipped = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const result of results) {
    for (const [reason, times] of result.skipped) skipped.set(reason, (skipped.get(reason) ?? 0) + times);
    for (const [label, times] of result.counts) counts.set(label, (counts.get(label) ?? 0) + times);
  }
  const waived: { issue: GateIssue; waiver: GateWaiver }[] = [];
  const remaining: GateIssue[] = [];
  const used = new Set<GateWaiver>();
  for (const issue of errors) {
    const waiver = options.waivers?.find((w) => w.rule === issue.rule && w.message.test(issue.message));
    if (waiver) {
      waived.push({ issue, waiver });
      used.add(waiver);
    } else remaining.push(issue);
  }
  for (const waiver of options.waivers ?? []) {
    if (used.has(waiver) || (options.only && !options.only.includes(waiver.rule))) continue;
    remaining.push({
      rule: 'waivers',
      environment: '(all)',
      folder: '(gate)',
      file: 'charts/app/gate-waivers.ts',
      source: 'charts/app/gate-waivers.ts',
      object: `waiver for issue ${waiver.issue}`,
      field: '',
      message: `the waiver of ${waiver.rule} errors matching ${waiver.message} matched nothing: the gap is closed, remove the waiver`,
    });
  }
  const checkedByKind = new Map<string, number>();
  for (const manifest of manifests) {
    const key = `${manifest.object.apiVersion}/${manifest.object.kind}`;
    checkedByKind.set(key, (checkedByKind.get(key) ?? 0) + 1);
  }
  return {
    errors: remaining,
    waived,
    skipped: [...skipped.entries()].sort(([a], [b]) => compare(a, b)).map(([reason, count]) => `${reason} (×${count})`),
    counts,
    checkedByKind,
    durationMs: performance.now() - started,
  };
}

/** One line per waiver used: how many errors it accepted, why, and the issue that removes it. */
export function formatWaived(waived: GateReport['waived']): string[] {
  const counts = new Map<GateWaiver, number>();
  for (const { waiver } of waived) counts.set(waiver, (counts.get(waiver) ?? 0) + 1);
  return [...counts.entries()].map(([waiver, count]) =>
    waiver.issue === undefined ? `${count} ${waiver.rule} error(s) accepted (declared gap): ${waiver.reason}` : `${count} ${waiver.rule} error(s) waived until issue ${waiver.issue}: ${waiver.reason}`,
  );
}

/** Report text grouped by environment and folder, one line per finding. */
export function formatGateErrors(errors: readonly GateIssue[]): string {
  const groups = groupBy(errors, (issue) => `${issue.environment} › ${issue.folder}`);
  const lines: string[] = [];
  for (const [group, issues] of [...groups.entries()].sort(([a], [b]) => compare(a, b))) {
    lines.push(`${group}:`);
    for (const issue of issues) {
      lines.push(`  ${issue.file}: ${issue.object}${issue.field ? ` at ${issue.field}` : ''}: ${issue.message} [${issue.rule}]${issue.source !== issue.file ? ` (${issue.source})` : ''}`);
    }
  }
  return lines.join('\n');
}
