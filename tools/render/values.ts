/**
 * Values check: every key we set in a valuesObject exists in the chart's defaults (its values.yaml,
 * with each subchart's values.yaml under the subchart's name or alias) or is a property of its
 * values.schema.json. helm itself silently ignores an unknown key, which is how a typo or a key
 * renamed by a chart upgrade turns into a setting that does nothing.
 *
 * Where the defaults end in an empty map (`podAnnotations: {}`) or null, the chart declares an open
 * map and any key is accepted. A non-empty map whose keys are free-form (e.g. Grafana's `grafana.ini`,
 * whose defaults list a few sections) is declared per chart in the catalogue (`freeFormValues`).
 */
import { distance } from '../../gate/structural.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../gate/schemas-location.ts';

export const UNPACKED_DIR = join(REPO_ROOT, '.cache', 'charts-unpacked');

export interface ChartDefaults {
  /** Merged defaults: the chart's values with each subchart's under its key. */
  readonly values: Record<string, unknown>;
  /** The chart's values.schema.json, when it has one. */
  readonly schema?: any;
}

export interface ValuesFinding {
  /** Dotted path of the key we set. */
  readonly path: string;
  readonly message: string;
}

function tar(file: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('tar', ['-xzf', file, '-C', into], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot unpack ${file}: ${result.stderr.trim()}`);
}

/** The chart folder unpacked once per sha256 (nested dependency archives unpacked in place). */
export function unpackChart(file: string, sha256: string, root: string = UNPACKED_DIR): string {
  const target = join(root, sha256);
  if (!existsSync(target)) {
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    tar(file, partial);
    const unpackNested = (chartDir: string) => {
      const charts = join(chartDir, 'charts');
      if (!existsSync(charts)) return;
      for (const entry of readdirSync(charts)) {
        if (entry.endsWith('.tgz')) tar(join(charts, entry), charts);
      }
      for (const entry of readdirSync(charts)) if (statSync(join(charts, entry)).isDirectory()) unpackNested(join(charts, entry));
    };
    for (const entry of readdirSync(partial)) unpackNested(join(partial, entry));
    renameSync(partial, target);
  }
  const [chartDir] = readdirSync(target).filter((e) => statSync(join(target, e)).isDirectory());
  return join(target, chartDir!);
}

function readYaml(file: string): any {
  return existsSync(file) ? (parse(readFileSync(file, 'utf8')) ?? {}) : {};
}

/** A chart's defaults, computed once per chart sha256 (`<unpacked>/<sha256>.defaults.json`). */
export function cachedChartDefaults(file: string, sha256: string, root: string = UNPACKED_DIR): ChartDefaults {
  const cache = join(root, `${sha256}.defaults.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as ChartDefaults;
  const defaults = chartDefaults(unpackChart(file, sha256, root));
  writeFileSync(cache, JSON.stringify(defaults));
  return defaults;
}

/** Defaults of a chart folder, subcharts merged under their name or alias (Chart.yaml dependencies). */
export function chartDefaults(chartDir: string): ChartDefaults {
  const values = { ...readYaml(join(chartDir, 'values.yaml')) } as Record<string, unknown>;
  const chart = readYaml(join(chartDir, 'Chart.yaml'));
  const charts = join(chartDir, 'charts');
  if (existsSync(charts)) {
    for (const entry of readdirSync(charts).sort()) {
      const sub = join(charts, entry);
      if (!statSync(sub).isDirectory()) continue;
      const subChart = readYaml(join(sub, 'Chart.yaml'));
      const aliases = (chart.dependencies ?? []).filter((d: any) => d.name === subChart.name).map((d: any) => d.alias ?? d.name);
      const subDefaults = chartDefaults(sub).values;
      for (const key of aliases.length ? aliases : [subChart.name ?? entry]) {
        const mine = values[key];
        values[key] = isMap(mine) ? deepMerge(subDefaults, mine) : subDefaults;
      }
      if (isMap(subDefaults.global)) values.global = { ...(subDefaults.global as object), ...(isMap(values.global) ? values.global : {}) };
    }
  }
  // Keys the templates read although values.yaml leaves them out or commented (`# path: /v1/…`).
  for (const path of templateValuePaths(chartDir)) addPath(values, path);
  const schemaFile = join(chartDir, 'values.schema.json');
  return { values, ...(existsSync(schemaFile) ? { schema: JSON.parse(readFileSync(schemaFile, 'utf8')) } : {}) };
}

/** `.Values.a.b.c` paths read by the chart's own templates (not its subcharts'). */
export function templateValuePaths(chartDir: string): string[][] {
  const templates = join(chartDir, 'templates');
  if (!existsSync(templates)) return [];
  const paths: string[][] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) visit(file);
      else if (/\.(ya?ml|tpl|txt|json)$/.test(entry)) {
        for (const match of readFileSync(file, 'utf8').matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) paths.push(match[1]!.slice(1).split('.'));
      }
    }
  };
  visit(templates);
  return paths;
}

/** Marks `path` as existing (an open leaf) without changing defaults that are already there. */
function addPath(values: Record<string, unknown>, path: readonly string[]): void {
  let node: Record<string, unknown> = values;
  for (const [index, key] of path.entries()) {
    const last = index === path.length - 1;
    if (!(key in node)) node[key] = last ? null : {};
    const next = node[key];
    if (!isMap(next)) return;
    node = next;
  }
}

/** Helm's coalescing of a parent's values over a subchart's defaults (maps merge, the rest replaces). */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isMap(value) && isMap(out[key]) ? deepMerge(out[key] as Record<string, unknown>, value) : value;
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...candidates].sort()) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * `grafana.ini`, `configs.cm`, `*.podSecurityContext`: a declared free-form path, matched against the
 * dotted path of keys (a key may itself hold dots, as `grafana.ini` does; `*` matches one key).
 */
function matchesFreeForm(path: readonly string[], patterns: readonly string[]): boolean {
  const dotted = path.join('.');
  return patterns.some((pattern) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^.]+')}$`,
    ).test(dotted),
  );
}

function schemaProperty(schema: any, key: string): any {
  if (!isMap(schema)) return undefined;
  if (isMap(schema.properties) && key in schema.properties) return schema.properties[key];
  return undefined;
}

/**
 * Unknown keys of `ours` against the chart's defaults and schema. `freeForm` lists dotted paths
 * (keys containing dots are written as they are, e.g. `grafana.ini`) whose content is not checked.
 */
export function checkValues(ours: unknown, defaults: ChartDefaults, freeForm: readonly string[] = []): ValuesFinding[] {
  const findings: ValuesFinding[] = [];
  const walk = (value: unknown, known: unknown, schema: any, path: string[]) => {
    if (!isMap(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, key];
      if (matchesFreeForm(at, freeForm)) continue;
      const inDefaults = isMap(known) && key in known;
      const property = schemaProperty(schema, key);
      if (!inDefaults && property === undefined) {
        const candidates = [...(isMap(known) ? Object.keys(known) : []), ...(isMap(schema?.properties) ? Object.keys(schema.properties) : [])];
        const suggestion = closest(key, candidates);
        findings.push({
          path: at.join('.'),
          message: `${at.join('.')} is not a value of the chart (not in its values.yaml${defaults.schema ? ' nor its values.schema.json' : ''})${suggestion ? `; did you mean ${[...path, suggestion].join('.')}?` : ''}`,
        });
        continue;
      }
      const knownChild = inDefaults ? (known as Record<string, unknown>)[key] : undefined;
      // An empty map or null in the defaults is the chart's own open map: any key goes.
      const open = inDefaults && (knownChild === null || (isMap(knownChild) && Object.keys(knownChild).length === 0));
      const closedSchema = isMap(property) && (isMap(property.properties) || property.additionalProperties === false);
      if (open && !closedSchema) continue;
      // A schema property without its own properties (and not closed) is an open object.
      if (!inDefaults && property !== undefined && !closedSchema) continue;
      if (isMap(child) && (isMap(knownChild) || isMap(property))) walk(child, isMap(knownChild) ? knownChild : undefined, property, at);
    }
  };
  walk(ours, defaults.values, defaults.schema, []);
  return findings;
}
