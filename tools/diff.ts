/**
 * Semantic diff of two dist trees: objects are matched by identity (API group, kind, namespace,
 * name), never by file name, so a renamed object is a delete plus a create and is flagged as such.
 */
import { parseAllDocuments } from 'yaml';
import { groupBy } from '../charts/lib/group-by.ts';
import { compare } from '../charts/lib/render.ts';
import { deletionFindings, updateFindings, type Finding } from './destructive.ts';
import { formatIdentity, identityKey, parseDist, type DistObject, type DistTree, type ObjectIdentity } from './dist-tree.ts';
import { diffValues, formatChange, leaves, truncate, type FieldChange } from './field-diff.ts';

export interface ObjectChange {
  readonly environment: string;
  /** Folder after the change (before, for a removal). */
  readonly folder: string;
  readonly identity: ObjectIdentity;
  readonly change: 'added' | 'removed' | 'changed';
  /** Field differences (changed objects only). */
  readonly fields: readonly FieldChange[];
  readonly findings: readonly Finding[];
}

export interface FileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Lines that appear only after / only before (multiset difference, not a positional diff). */
  readonly linesAdded: number;
  readonly linesRemoved: number;
  /** Field differences when both versions parse as YAML or JSON (Talos patches, kustomizations, metadata). */
  readonly fields?: readonly FieldChange[];
}

/** The documents of a YAML or JSON file, or undefined when it is neither. */
function parseData(path: string, content: string): unknown {
  try {
    if (path.endsWith('.json')) return JSON.parse(content) as unknown;
    if (!/\.ya?ml$/.test(path)) return undefined;
    const documents = parseAllDocuments(content);
    if (documents.some((d) => d.errors.length > 0)) return undefined;
    const values = documents.map((d) => d.toJS() as unknown);
    return values.length === 1 ? values[0] : values;
  } catch {
    return undefined;
  }
}

function lineDelta(before: string, after: string): { linesAdded: number; linesRemoved: number } {
  const count = new Map<string, number>();
  for (const line of before.split('\n')) count.set(line, (count.get(line) ?? 0) + 1);
  let linesAdded = 0;
  for (const line of after.split('\n')) {
    const left = count.get(line) ?? 0;
    if (left > 0) count.set(line, left - 1);
    else linesAdded++;
  }
  const linesRemoved = [...count.values()].reduce((sum, n) => sum + n, 0);
  return { linesAdded, linesRemoved };
}

export interface Counts {
  added: number;
  changed: number;
  removed: number;
}

export interface DiffReport {
  /** Object changes, sorted by environment, folder, identity. */
  readonly changes: readonly ObjectChange[];
  /** Files that are not manifests (README.md, metadata.json). */
  readonly files: readonly FileChange[];
  /** Manifests that could not be parsed, on either side. */
  readonly unreadable: readonly { side: 'before' | 'after'; path: string; problem: string }[];
}

function keyOf(object: DistObject): string {
  return `${object.environment}|${identityKey(object.identity)}`;
}

/** Labels every object of the platform carries: they say nothing about which object it is. */
const COMMON_LABELS = new Set(['app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'platform.cedille.club/environment', 'platform.cedille.club/service']);

/** How alike two objects are (0–1), ignoring their names and common labels: tells a rename from an unrelated pair. */
function similarity(a: DistObject, b: DistObject): number {
  const strip = (o: DistObject) => {
    const { name: _n, namespace: _ns, labels, ...metadata } = o.object.metadata;
    const { apiVersion: _v, kind: _k, ...rest } = o.object;
    const own = Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => !COMMON_LABELS.has(key)));
    return { ...rest, metadata: { ...metadata, labels: own } };
  };
  const left = new Set(leaves(strip(a)).filter((leaf) => !leaf.endsWith('={}')));
  const right = new Set(leaves(strip(b)).filter((leaf) => !leaf.endsWith('={}')));
  const all = new Set([...left, ...right]);
  // Two objects with nothing but a name (a bare Namespace) in the same folder: most likely one renamed.
  if (all.size === 0) return 1;
  return [...left].filter((leaf) => right.has(leaf)).length / all.size;
}

/** Pairs of a removed and an added object of the same environment, folder, group and kind that look like one object renamed. */
function findRenames(removed: DistObject[], added: DistObject[]): Map<DistObject, DistObject> {
  const pairs = new Map<DistObject, DistObject>();
  const candidates: { score: number; from: DistObject; to: DistObject }[] = [];
  for (const from of removed) {
    for (const to of added) {
      if (from.environment !== to.environment || from.folder !== to.folder || from.identity.group !== to.identity.group || from.identity.kind !== to.identity.kind) continue;
      const score = similarity(from, to);
      if (score >= 0.5) candidates.push({ score, from, to });
    }
  }
  const taken = new Set<DistObject>();
  for (const { from, to } of candidates.sort((x, y) => y.score - x.score)) {
    if (taken.has(from) || taken.has(to)) continue;
    pairs.set(from, to);
    taken.add(from).add(to);
  }
  return pairs;
}

export function diffDist(before: DistTree, after: DistTree): DiffReport {
  const a = parseDist(before);
  const b = parseDist(after);
  const beforeByKey = new Map(a.objects.map((o) => [keyOf(o), o]));
  const afterByKey = new Map(b.objects.map((o) => [keyOf(o), o]));
  const changes: ObjectChange[] = [];
  const removed = a.objects.filter((o) => !afterByKey.has(keyOf(o)));
  const added = b.objects.filter((o) => !beforeByKey.has(keyOf(o)));
  const renames = findRenames(removed, added);
  const renamedFrom = new Map([...renames.entries()].map(([from, to]) => [to, from]));

  for (const object of removed) {
    const findings: Finding[] = [...deletionFindings(object.identity, object.object)];
    const to = renames.get(object);
    if (to) {
      findings.unshift({
        severity: 'replaced',
        message: `renamed to ${formatIdentity(to.identity)}: Kubernetes deletes this object and creates a new one (its state, and its data if it owns any, do not follow)`,
      });
    }
    changes.push({ environment: object.environment, folder: object.folder, identity: object.identity, change: 'removed', fields: [], findings });
  }
  for (const object of added) {
    const from = renamedFrom.get(object);
    const findings: Finding[] = from ? [{ severity: 'replaced', message: `renamed from ${formatIdentity(from.identity)} (created anew)`, echo: true }] : [];
    changes.push({ environment: object.environment, folder: object.folder, identity: object.identity, change: 'added', fields: [], findings });
  }
  for (const object of b.objects) {
    const old = beforeByKey.get(keyOf(object));
    if (!old) continue;
    const fields = diffValues(old.object, object.object);
    const findings: Finding[] = [];
    if (old.folder !== object.folder) {
      findings.push({
        severity: 'replaced',
        message: `moved from folder ${old.folder} to ${object.folder}: another Application owns it now; the old one prunes it (delete) before the new one creates it`,
      });
    }
    if (fields.length === 0 && findings.length === 0) continue;
    findings.push(...updateFindings(object.identity, old.object, object.object));
    changes.push({ environment: object.environment, folder: object.folder, identity: object.identity, change: 'changed', fields, findings });
  }
  changes.sort(
    (x, y) => compare(x.environment, y.environment) || compare(x.folder, y.folder) || compare(x.identity.kind, y.identity.kind) || compare(identityKey(x.identity), identityKey(y.identity)) || compare(x.change, y.change),
  );

  const files: FileChange[] = [];
  for (const path of new Set([...a.otherFiles.keys(), ...b.otherFiles.keys()])) {
    const x = a.otherFiles.get(path);
    const y = b.otherFiles.get(path);
    if (x === y) continue;
    const change = x === undefined ? 'added' : y === undefined ? 'removed' : 'changed';
    const before = x === undefined ? undefined : parseData(path, x);
    const after = y === undefined ? undefined : parseData(path, y);
    const fields = change === 'changed' && before !== undefined && after !== undefined ? diffValues(before, after) : undefined;
    files.push({ path, change, ...lineDelta(x ?? '', y ?? ''), ...(fields ? { fields } : {}) });
  }
  files.sort((x, y) => compare(x.path, y.path));
  const unreadable = [...a.unreadable.map((u) => ({ side: 'before' as const, ...u })), ...b.unreadable.map((u) => ({ side: 'after' as const, ...u }))];
  return { changes, files, unreadable };
}

/** Added/changed/removed objects per environment (a rename counts as a removal and an addition). */
export function countsByEnvironment(report: DiffReport): Map<string, Counts> {
  const counts = new Map<string, Counts>();
  for (const change of report.changes) {
    const entry = counts.get(change.environment) ?? { added: 0, changed: 0, removed: 0 };
    entry[change.change]++;
    counts.set(change.environment, entry);
  }
  return new Map([...counts.entries()].sort(([x], [y]) => compare(x, y)));
}

export function formatCounts(counts: Counts): string {
  return `+${counts.added} ~${counts.changed} -${counts.removed}`;
}

export interface FormatOptions {
  /** What was compared, for the heading (`HEAD → working copy`). */
  readonly title: string;
  /** Field lines shown per object before "… and N more". @default 12 */
  readonly maxFields?: number;
  /** Longest rendering of a value. @default 60 */
  readonly maxValue?: number;
  /** Markdown only: cut the details beyond this many characters (GitHub comments stop at 65 536). @default 60000 */
  readonly maxChars?: number;
}

/** Cuts markdown at a line boundary, closing an open code block and details, with a note. */
function capMarkdown(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = text.slice(0, text.lastIndexOf('\n', maxChars - 200) + 1);
  if ((cut.match(/^```/gm)?.length ?? 0) % 2 === 1) cut += '```\n';
  const open = (cut.match(/<details>/g)?.length ?? 0) - (cut.match(/<\/details>/g)?.length ?? 0);
  if (open > 0) cut += '\n</details>\n';
  return `${cut}\n_… cut at ${maxChars} characters; run \`npm run diff\` for the rest._\n`;
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;
const SEVERITY_LABEL = { rejected: 'REJECTED', replaced: 'REPLACED', deletes: 'DELETES' } as const;

/** Changes with findings worth a summary line (the echo of a rename is left out). */
function flagged(report: DiffReport): ObjectChange[] {
  return report.changes.map((change) => ({ ...change, findings: change.findings.filter((finding) => !finding.echo) })).filter((change) => change.findings.length > 0);
}

/** Plain text for a terminal. */
export function formatDiffText(report: DiffReport, options: FormatOptions): string {
  const maxFields = options.maxFields ?? 12;
  const maxValue = options.maxValue ?? 60;
  const lines: string[] = [`dist/ diff: ${options.title}`];
  if (report.changes.length === 0 && report.files.length === 0 && report.unreadable.length === 0) {
    lines.push('no differences');
    return `${lines.join('\n')}\n`;
  }
  const counts = countsByEnvironment(report);
  for (const [environment, changes] of groupBy(report.changes, (c) => c.environment)) {
    lines.push('', `${environment}: ${formatCounts(counts.get(environment)!)}`);
    for (const [folder, inFolder] of groupBy(changes, (c) => c.folder)) {
      lines.push(`  ${folder}/`);
      for (const change of inFolder) {
        lines.push(`    ${MARK[change.change]} ${formatIdentity(change.identity)}`);
        for (const finding of change.findings) lines.push(`        ! ${SEVERITY_LABEL[finding.severity]}: ${finding.message}`);
        for (const field of change.fields.slice(0, maxFields)) lines.push(`        ${formatChange(field, maxValue)}`);
        if (change.fields.length > maxFields) lines.push(`        … and ${change.fields.length - maxFields} more field(s)`);
      }
    }
  }
  if (report.files.length > 0) {
    lines.push('', 'other files:');
    for (const file of report.files) {
      lines.push(`  ${MARK[file.change]} ${file.path} (+${file.linesAdded} -${file.linesRemoved} lines)`);
      for (const field of (file.fields ?? []).slice(0, maxFields)) lines.push(`        ${formatChange(field, maxValue)}`);
      if ((file.fields?.length ?? 0) > maxFields) lines.push(`        … and ${file.fields!.length - maxFields} more field(s)`);
    }
  }
  for (const u of report.unreadable) lines.push(`unreadable (${u.side}): ${u.path}: ${u.problem}`);
  const risky = flagged(report);
  lines.push('');
  if (risky.length === 0) lines.push('no change is rejected by Kubernetes or replaces an object');
  else {
    lines.push(`${risky.length} object(s) need care (rejected by the API server, replaced, or deleting more than themselves):`);
    for (const change of risky) {
      for (const finding of change.findings) {
        lines.push(`  ${SEVERITY_LABEL[finding.severity]} ${change.environment}/${change.folder} ${formatIdentity(change.identity)}: ${truncate(finding.message, 200)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Markdown for a pull-request comment: a summary table, the flagged changes, details per environment. */
export function formatDiffMarkdown(report: DiffReport, options: FormatOptions): string {
  const maxFields = options.maxFields ?? 12;
  const maxValue = options.maxValue ?? 60;
  const lines: string[] = [`### dist/ diff: ${options.title}`, ''];
  if (report.changes.length === 0 && report.files.length === 0 && report.unreadable.length === 0) {
    lines.push('No differences.');
    return `${lines.join('\n')}\n`;
  }
  const counts = countsByEnvironment(report);
  if (counts.size > 0) {
    lines.push('| environment | added | changed | removed |', '|---|---:|---:|---:|');
    for (const [environment, c] of counts) lines.push(`| ${environment} | ${c.added} | ${c.changed} | ${c.removed} |`);
    lines.push('');
  }
  const risky = flagged(report);
  if (risky.length > 0) {
    lines.push(`> [!WARNING]`, `> ${risky.length} object(s) need care: rejected by the API server, replaced, or deleting more than themselves.`, '');
    for (const change of risky) {
      for (const finding of change.findings) {
        lines.push(`- **${SEVERITY_LABEL[finding.severity]}** \`${change.environment}/${change.folder}\` \`${formatIdentity(change.identity)}\`: ${escapeCell(finding.message)}`);
      }
    }
    lines.push('');
  }
  for (const [environment, changes] of groupBy(report.changes, (c) => c.environment)) {
    lines.push(`<details><summary><b>${environment}</b> (${formatCounts(counts.get(environment)!)})</summary>`, '');
    for (const [folder, inFolder] of groupBy(changes, (c) => c.folder)) {
      lines.push(`**${folder}/**`, '', '```diff');
      for (const change of inFolder) {
        lines.push(`${MARK[change.change]} ${formatIdentity(change.identity)}`);
        for (const field of change.fields.slice(0, maxFields)) lines.push(`    ${formatChange(field, maxValue)}`);
        if (change.fields.length > maxFields) lines.push(`    … and ${change.fields.length - maxFields} more field(s)`);
      }
      lines.push('```', '');
    }
    lines.push('</details>', '');
  }
  if (report.files.length > 0) {
    lines.push('**Other files** (not objects of an environment)', '', '```diff');
    for (const file of report.files) {
      lines.push(`${MARK[file.change]} ${file.path} (+${file.linesAdded} -${file.linesRemoved} lines)`);
      for (const field of (file.fields ?? []).slice(0, maxFields)) lines.push(`    ${formatChange(field, maxValue)}`);
      if ((file.fields?.length ?? 0) > maxFields) lines.push(`    … and ${file.fields!.length - maxFields} more field(s)`);
    }
    lines.push('```', '');
  }
  for (const u of report.unreadable) lines.push(`- unreadable (${u.side}): \`${u.path}\`: ${escapeCell(u.problem)}`);
  return capMarkdown(`${lines.join('\n').trimEnd()}\n`, options.maxChars ?? 60_000);
}
