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
import type { GateIssue, GateWaiver } from '../../gate/types.ts';
import { chartKey } from './charts.ts';
import type { RenderResult, RenderedApplication } from './index.ts';
import { cachedChartDefaults, checkValues } from './values.ts';

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
  const defaults = cachedChartDefaults(app.chart.file, app.chart.sha256);
  const freeForm = pinOf(app)?.freeFormValues ?? [];
  return checkValues(app.source.values, defaults, freeForm).map((finding) => ({
    check: 'values',
    text: `${app.environment} › ${app.application} (${app.chart.chart}@${app.chart.version}): ${finding.message}; fix the key in the service's values (charts/platform/), or declare the map free-form in the catalogue (freeFormValues)`,
  }));
}

/**
 * The Services the catalogue declares a chart creates (`provides.services`, the gate's only knowledge
 * of chart-made Services when it checks routes without rendering), against what the chart renders:
 * each declared Service exists in the Application's namespace with exactly the declared ports.
 */
export function providesFindings(app: RenderedApplication, pin: ChartPin | undefined = pinOf(app)): Finding[] {
  const findings: Finding[] = [];
  for (const declared of pin?.provides?.services ?? []) {
    const name = declared.name.replace(/\{release\}/g, app.source.releaseName);
    const rendered = app.manifests.find(
      (m) => m.object.kind === 'Service' && m.object.apiVersion === 'v1' && m.object.metadata.name === name && (m.object.metadata.namespace ?? app.source.namespace) === app.source.namespace,
    );
    const where = `${app.environment} › ${app.application} (${app.chart.chart}@${app.chart.version})`;
    if (!rendered) {
      findings.push({
        check: 'provides',
        text: `${where}: the catalogue declares Service ${app.source.namespace}/${name} (provides.services) but the chart renders no such Service; fix provides.services in charts/environments/catalogue.ts`,
      });
      continue;
    }
    const ports = ((rendered.object as any).spec?.ports ?? []).map((p: any) => p.port as number);
    const same = ports.length === declared.ports.length && ports.every((port: number) => declared.ports.includes(port));
    if (!same) {
      findings.push({
        check: 'provides',
        text: `${where}: Service ${app.source.namespace}/${name} has ports ${ports.join(', ') || 'none'} but the catalogue declares ${declared.ports.join(', ') || 'none'} (provides.services, what the gate checks routes against); set the rendered ports in charts/environments/catalogue.ts`,
      });
    }
  }
  return findings;
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
  const report = runGate(manifests, { facts, waivers });
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

export interface CheckTimings {
  valuesMs: number;
  gateMs: number;
}

/** Every finding of a render: values, determinism, gate (`timings` receives how long each took). */
export function checkRendered(result: RenderResult, timings: CheckTimings = { valuesMs: 0, gateMs: 0 }): Finding[] {
  const findings: Finding[] = [];
  let started = performance.now();
  for (const app of result.applications) {
    findings.push(...valuesFindings(app));
    findings.push(...determinismFindingsText(app));
    findings.push(...providesFindings(app));
  }
  timings.valuesMs = performance.now() - started;
  started = performance.now();
  findings.push(...gateFindingsText(gateFindings(result), result));
  timings.gateMs = performance.now() - started;
  return findings;
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `  [${f.check}] ${f.text}`).join('\n');
}
