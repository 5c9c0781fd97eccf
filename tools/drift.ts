import type { IntendedDifference } from '../charts/environments/types.ts';
/**
 * Cross-environment drift: for each service folder present in several environments, what differs
 * between them once the differences every environment has by construction are normalised away
 * (its name, environment label, domain and Argo CD destination). What remains should be intended;
 * intended differences are listed, with a reason, in `charts/environments/intended-differences.ts`.
 */
import { ENVIRONMENT_LABEL, SERVICE_LABEL } from '../charts/lib/labels.ts';
import type { KubeObject } from '../charts/lib/manifest.ts';
import { compare } from '../charts/lib/render.ts';
import { formatIdentity, identityKey, identityOf, parseDist, type DistTree, type ObjectIdentity } from './dist-tree.ts';
import { deepEqual, diffValues, formatPath, formatValue, type PathSegment } from './field-diff.ts';

/** What normalisation needs to know of an environment. */
export interface EnvironmentFacts {
  readonly name: string;
  readonly domain?: string;
  readonly destination?: { readonly name: string; readonly server: string };
}

export type { IntendedDifference };

export interface DriftRow {
  /** Field path, or undefined for an object present in some environments only. */
  readonly path?: string;
  /** Value per environment (formatted; `(absent)` when missing). */
  readonly values: Record<string, string>;
  /** Reason from the allow-list when the difference is intended. */
  readonly intended?: string;
}

export interface DriftObject {
  readonly service: string;
  /** Normalised identity. */
  readonly identity: ObjectIdentity;
  readonly environments: readonly string[];
  readonly rows: readonly DriftRow[];
}

export interface DriftReport {
  /** Environments compared, in order. */
  readonly environments: readonly string[];
  /** Service folders found in several environments (compared). */
  readonly services: readonly string[];
  /** Where each service runs (its folder, or an upstream Application of it in the root). */
  readonly runs: Readonly<Record<string, readonly string[]>>;
  readonly objects: readonly DriftObject[];
  /** Allow-list entries that matched nothing (stale: remove them). */
  readonly unusedAllowances: readonly IntendedDifference[];
}

export const ENV_PLACEHOLDER = '<env>';
export const DOMAIN_PLACEHOLDER = '<domain>';
export const DESTINATION_PLACEHOLDER = '<destination>';

function normaliseString(text: string, env: EnvironmentFacts): string {
  let out = text;
  if (env.destination?.server) out = out.split(env.destination.server).join(DESTINATION_PLACEHOLDER);
  if (env.domain) out = out.split(env.domain).join(DOMAIN_PLACEHOLDER);
  if (out === env.name) return ENV_PLACEHOLDER;
  if (out.startsWith(`${env.name}-`) || out.startsWith(`${env.name}/`)) out = `${ENV_PLACEHOLDER}${out.slice(env.name.length)}`;
  if (env.destination && out === env.destination.name) return DESTINATION_PLACEHOLDER;
  return out;
}

/** The object as it would read in any environment: environment name, label, domain and destination replaced by placeholders. */
export function normaliseObject(object: KubeObject, env: EnvironmentFacts): KubeObject {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key === ENVIRONMENT_LABEL ? ENV_PLACEHOLDER : normaliseString(value, env);
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [normaliseString(k, env), walk(v, k)]));
    }
    return value;
  };
  return walk(object) as KubeObject;
}

/** Folder of the Argo CD root (its Applications belong to the services they install or sync). */
const ROOT = 'root';

/**
 * The service a root object belongs to: a chart's Application carries the service label of the
 * service that declared it; a folder's Application syncs `<env>/<service>`. The AppProject, the
 * root itself and the hosted roots belong to the root.
 */
function ownerOfRootObject(object: KubeObject): string {
  const label = object.metadata.labels?.[SERVICE_LABEL];
  if (label && label !== ROOT) return label;
  const path = (object as { spec?: { source?: { path?: unknown } } }).spec?.source?.path;
  if (typeof path === 'string' && path.startsWith(`${ENV_PLACEHOLDER}/`)) {
    const folder = path.slice(ENV_PLACEHOLDER.length + 1);
    if (folder !== ROOT && !folder.includes('/')) return folder;
  }
  return ROOT;
}

function glob(pattern: string, text: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(text);
}

function valueAtPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === undefined || current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'object') current = (current as unknown[]).find?.((item) => (item as { name?: unknown })?.name === segment.name);
    else current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The common prefix of a field path an allowance names, on path-segment boundaries. */
function pathMatches(pattern: string, path: string): boolean {
  return glob(pattern, path) || glob(`${pattern}.*`, path) || glob(`${pattern}[*`, path);
}

export function computeDrift(tree: DistTree, environments: readonly EnvironmentFacts[], allowances: readonly IntendedDifference[] = []): DriftReport {
  const facts = new Map(environments.map((env) => [env.name, env]));
  const parsed = parseDist(tree).objects;
  const envOrder = [...new Set([...environments.map((e) => e.name), ...parsed.map((o) => o.environment)])].filter((name) => parsed.some((o) => o.environment === name));
  // service → normalised identity → environment → object
  const byService = new Map<string, Map<string, { identity: ObjectIdentity; perEnv: Map<string, KubeObject> }>>();
  for (const entry of parsed) {
    const env = facts.get(entry.environment) ?? { name: entry.environment };
    const normalised = normaliseObject(entry.object, env);
    const identity = identityOf(normalised);
    const objects = byService.get(entry.folder) ?? new Map();
    byService.set(entry.folder, objects);
    const key = identityKey(identity);
    const slot = objects.get(key) ?? { identity, perEnv: new Map() };
    objects.set(key, slot);
    slot.perEnv.set(entry.environment, normalised);
  }

  const used = new Set<IntendedDifference>();
  const intended = (service: string, identity: ObjectIdentity, path: string | undefined): string | undefined => {
    const object = `${identity.kind}/${identity.name}`;
    const match = allowances.find(
      (a) => glob(a.service, service) && (a.object === undefined || glob(a.object, object) || glob(a.object, formatIdentity(identity))) && (a.path === undefined ? true : path !== undefined && pathMatches(a.path, path)),
    );
    if (match) used.add(match);
    return match?.reason;
  };

  // Where each service runs: environments with its folder, or with an upstream Application of it in the root.
  const runsIn = new Map<string, Set<string>>();
  const markRuns = (service: string, env: string) => runsIn.set(service, (runsIn.get(service) ?? new Set()).add(env));
  for (const [service, inService] of byService) {
    for (const slot of inService.values()) {
      for (const [env, object] of slot.perEnv) markRuns(service === ROOT ? ownerOfRootObject(object) : service, env);
    }
  }

  const services: string[] = [];
  const objects: DriftObject[] = [];
  for (const [service, inService] of [...byService.entries()].sort(([a], [b]) => compare(a, b))) {
    const serviceEnvs = envOrder.filter((env) => [...inService.values()].some((slot) => slot.perEnv.has(env)));
    if (serviceEnvs.length < 2) continue;
    services.push(service);
    for (const { identity, perEnv } of [...inService.values()].sort((a, b) => compare(a.identity.kind, b.identity.kind) || compare(identityKey(a.identity), identityKey(b.identity)))) {
      // A root object is compared only where its service runs: a service enabled in prod only is
      // one fact ("runs in prod"), not one difference per Application.
      const owner = service === ROOT ? ownerOfRootObject(perEnv.values().next().value!) : service;
      const scope = owner === service ? serviceEnvs : serviceEnvs.filter((env) => runsIn.get(owner)?.has(env));
      const present = scope.filter((env) => perEnv.has(env));
      const rows: DriftRow[] = [];
      if (present.length < scope.length) {
        const values = Object.fromEntries(scope.map((env) => [env, perEnv.has(env) ? 'present' : '(absent)']));
        rows.push({ values, intended: intended(service, identity, undefined) });
      }
      if (present.length >= 2) {
        const reference = perEnv.get(present[0]!)!;
        const paths = new Map<string, readonly PathSegment[]>();
        for (const env of present.slice(1)) {
          for (const change of diffValues(reference, perEnv.get(env)!)) paths.set(formatPath(change.path), change.path);
        }
        for (const [text, path] of [...paths.entries()].sort(([a], [b]) => compare(a, b))) {
          const raw = present.map((env) => valueAtPath(perEnv.get(env), path));
          if (raw.every((value) => deepEqual(value, raw[0]))) continue;
          const formatted = formatAcross(raw);
          const values = Object.fromEntries(present.map((env, i) => [env, formatted[i]!]));
          rows.push({ path: text, values, intended: intended(service, identity, text) });
        }
      }
      if (rows.length > 0) objects.push({ service, identity, environments: present, rows });
    }
  }
  const runs = Object.fromEntries(
    [...runsIn.entries()]
      .filter(([service]) => service !== ROOT)
      .sort(([a], [b]) => compare(a, b))
      .map(([service, envs]) => [service, envOrder.filter((env) => envs.has(env))]),
  );
  return { environments: envOrder, services, runs, objects, unusedAllowances: allowances.filter((a) => !used.has(a)) };
}

/**
 * Values of one field across environments, formatted to show what differs: lists of scalars show
 * only the items not common to every environment (`[5 common, + "https://kumahq.github.io/charts"]`).
 */
function formatAcross(values: readonly unknown[]): string[] {
  const scalarList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((item) => item === null || typeof item !== 'object');
  if (values.every(scalarList)) {
    const lists = values as unknown[][];
    const common = lists[0]!.filter((item) => lists.every((list) => list.some((other) => deepEqual(item, other))));
    return lists.map((list) => {
      const own = list.filter((item) => !common.some((other) => deepEqual(item, other)));
      const items = own.map((item) => `+ ${formatValue(item, 60)}`);
      return `[${[...(common.length > 0 ? [`${common.length} common`] : []), ...items].join(', ')}]`;
    });
  }
  return values.map((value) => formatValue(value, 50));
}

/** Rows nobody has declared intended. */
export function unreviewed(report: DriftReport): number {
  return report.objects.reduce((sum, object) => sum + object.rows.filter((row) => !row.intended).length, 0);
}

/** A readable report: per service, per object, one line per differing field with the value in each environment. */
export function formatDrift(report: DriftReport, options: { showIntended?: boolean; markdown?: boolean } = {}): string {
  const lines: string[] = [];
  const md = options.markdown === true;
  const total = report.objects.reduce((sum, o) => sum + o.rows.length, 0);
  const open = unreviewed(report);
  lines.push(`${md ? '### ' : ''}drift between ${report.environments.join(', ')}: ${report.services.length} shared service(s), ${open} unreviewed difference(s), ${total - open} intended`);
  const runs = Object.entries(report.runs);
  if (runs.length > 0) {
    if (md) {
      lines.push('', `| service | ${report.environments.join(' | ')} |`, `|---|${report.environments.map(() => ':---:|').join('')}`);
      for (const [service, envs] of runs) lines.push(`| ${service} | ${report.environments.map((env) => (envs.includes(env) ? '✓' : '')).join(' | ')} |`);
      lines.push('', '`—`: the service does not run in that environment, so it is not compared there.');
    } else {
      const width = Math.max(...runs.map(([service]) => service.length));
      lines.push('', 'runs in:');
      for (const [service, envs] of runs) lines.push(`  ${service.padEnd(width)}  ${envs.join(', ')}`);
    }
  }
  for (const service of report.services) {
    const inService = report.objects.map((object) => ({ ...object, rows: object.rows.filter((row) => options.showIntended || !row.intended) })).filter((object) => object.service === service && object.rows.length > 0);
    if (inService.length === 0) continue;
    lines.push('', md ? `**${service}/**` : `${service}/`);
    if (md) lines.push('', `| object | field | ${report.environments.join(' | ')} | intended |`, `|---|---|${report.environments.map(() => '---|').join('')}---|`);
    for (const object of inService) {
      if (!md) lines.push(`  ${formatIdentity(object.identity)}`);
      for (const row of object.rows) {
        const values = report.environments.map((env) => row.values[env] ?? '—');
        if (md) {
          const cell = (text: string) => text.replace(/\|/g, '\\|');
          lines.push(`| \`${cell(formatIdentity(object.identity))}\` | ${row.path ? `\`${cell(row.path)}\`` : '(presence)'} | ${values.map(cell).join(' | ')} | ${cell(row.intended ?? '')} |`);
        } else {
          const where = report.environments
            .filter((env) => row.values[env] !== undefined)
            .map((env) => `${env}=${row.values[env]}`)
            .join('  ');
          lines.push(`    ${row.path ?? '(presence)'}: ${where}${row.intended ? `  [intended: ${row.intended}]` : ''}`);
        }
      }
    }
  }
  if (report.unusedAllowances.length > 0) {
    lines.push('', 'intended differences that match nothing any more (remove them):');
    for (const a of report.unusedAllowances) lines.push(`  ${a.service} ${a.object ?? '*'} ${a.path ?? '(presence)'}: ${a.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
