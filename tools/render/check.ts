/**
 * What `npm run render` checks over a render: our values against each chart, render-twice
 * determinism, and the validation gate over our objects and the rendered ones together, in the
 * environment they land in (schemas incl. the charts' own CRDs, Pod Security of the destination
 * namespace, floating images, duplicates, references and their ordering).
 */
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { GATE_WAIVERS } from '../../charts/app/gate-waivers.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { CHARTS, type ChartPin } from '../../charts/environments/catalogue.ts';
import type { Manifest } from '../../charts/lib/manifest.ts';
import { runGate } from '../../gate/gate.ts';
import type { GateFacts } from '../../gate/facts.ts';
import { podSecurityRule } from '../../gate/pod-security.ts';
import { referenceOrderingRule } from '../../gate/reference-ordering.ts';
import type { GateIssue, GateWaiver } from '../../gate/types.ts';
import { chartKey } from './charts.ts';
import type { RenderResult, RenderedApplication } from './index.ts';
import { chartDefaults, checkValues, unpackChart } from './values.ts';

export interface Finding {
  readonly check: string;
  readonly text: string;
}

/**
 * Gate rules that judge how our own source is written, not what a cluster receives: rendered chart
 * objects do not carry our common labels, and a chart's Secrets are rendered by Argo CD in the
 * cluster, never committed (determinism catches generated secret material).
 */
const NOT_FOR_RENDERED = new Set(['common-labels', 'no-literal-secrets']);

/** The catalogue pin of a rendered chart (for its declared free-form values). */
export function pinOf(app: RenderedApplication): ChartPin | undefined {
  return (Object.values(CHARTS) as ChartPin[]).find((pin) => chartKey(pin) === chartKey(app.chart));
}

export function valuesFindings(app: RenderedApplication): Finding[] {
  const defaults = chartDefaults(unpackChart(app.chart.file, app.chart.sha256));
  const freeForm = pinOf(app)?.freeFormValues ?? [];
  return checkValues(app.source.values, defaults, freeForm).map((finding) => ({
    check: 'values',
    text: `${app.environment} › ${app.application} (${app.chart.chart}@${app.chart.version}): ${finding.message}; fix the key in the service's values (charts/platform/), or declare the map free-form in the catalogue (freeFormValues)`,
  }));
}

export function determinismFindingsText(app: RenderedApplication): Finding[] {
  return app.nondeterminism.map((finding) => ({
    check: 'determinism',
    text: finding.needsReason
      ? `${app.environment} › ${app.application}: ${finding.object} at ${finding.field} differs between two renders; its ignoreDifferences entry needs a reason (annotation platform.cedille.club/ignore-differences-reason)`
      : `${app.environment} › ${app.application} (${app.chart.chart}@${app.chart.version}): ${finding.object} at ${finding.field} differs between two renders of the same input (Argo CD would show it OutOfSync forever and rewrite it on every self-heal); pin it through the chart's values (e.g. an existing Secret or a cert-manager certificate), or declare an ignoreDifferences entry with a reason`,
  }));
}

/** Gate issues about rendered objects (and our objects when the rendered ones make them wrong). */
export function gateFindings(result: RenderResult, facts: GateFacts = gateFacts(ENVIRONMENTS), waivers: readonly GateWaiver[] = GATE_WAIVERS): GateIssue[] {
  const manifests: Manifest[] = [...result.distManifests, ...result.manifests];
  const report = runGate(manifests, { facts, waivers, rules: [podSecurityRule, referenceOrderingRule] });
  const renderedFolders = new Set(result.manifests.map((m) => `${m.environment}/${m.folder}`));
  return report.errors.filter((issue) => {
    if (issue.rule === 'waivers') return false; // the waivers are judged by synth on our own tree
    const onRendered = renderedFolders.has(`${issue.environment}/${issue.folder}`);
    if (onRendered && NOT_FOR_RENDERED.has(issue.rule)) return false;
    return onRendered || issue.rule === 'unique-objects' || issue.rule === 'pod-security' || issue.rule === 'reference-ordering';
  });
}

export function gateFindingsText(issues: readonly GateIssue[], result: RenderResult): Finding[] {
  const byFolder = new Map(result.applications.map((a) => [`${a.environment}/${a.application}`, a]));
  return issues.map((issue) => {
    const app = byFolder.get(`${issue.environment}/${issue.folder}`);
    const where = app ? `${issue.environment} › ${app.application} (${app.chart.chart}@${app.chart.version})` : `${issue.environment} › ${issue.folder}`;
    return { check: `gate:${issue.rule}`, text: `${where}: ${issue.object}${issue.field ? ` at ${issue.field}` : ''}: ${issue.message}` };
  });
}

/** Every finding of a render: values, determinism, gate. */
export function checkRendered(result: RenderResult): Finding[] {
  const findings: Finding[] = [];
  for (const app of result.applications) {
    findings.push(...valuesFindings(app));
    findings.push(...determinismFindingsText(app));
  }
  findings.push(...gateFindingsText(gateFindings(result), result));
  return findings;
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `  [${f.check}] ${f.text}`).join('\n');
}
