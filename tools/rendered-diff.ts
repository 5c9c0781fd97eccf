/**
 * What a chart bump does to the cluster: the objects the render step produced for the base branch
 * against those for the upgrade branch, per Application, object by object, field by field. Read
 * from two render output trees `<dir>/<env>/<application>/objects.json` (the render cache of
 * `npm run render`, tools/render/, #15). Secret values never appear: a chart-generated Secret's data
 * is reported as changed keys only (the comment is public, the data may be real key material).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffValues, formatChange } from './field-diff.ts';

interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly items?: readonly KubeObject[];
  readonly [field: string]: unknown;
}

/** `<env>/<application>` → its rendered objects. */
export type RenderedTree = ReadonlyMap<string, readonly KubeObject[]>;

export function readRenderedTree(dir: string): RenderedTree {
  const tree = new Map<string, KubeObject[]>();
  if (!existsSync(dir)) return tree;
  for (const environment of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    for (const application of readdirSync(join(dir, environment.name), { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const file = join(dir, environment.name, application.name, 'objects.json');
      if (existsSync(file)) tree.set(`${environment.name}/${application.name}`, JSON.parse(readFileSync(file, 'utf8')) as KubeObject[]);
    }
  }
  return tree;
}

/** `List` kinds flattened into their items, as Argo CD applies them. */
function flatten(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((object) => (object.kind?.endsWith('List') && Array.isArray(object.items) ? flatten(object.items) : [object]));
}

function identity(object: KubeObject): string {
  const group = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0] : '';
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind}${group ? `.${group}` : ''} ${namespace}${object.metadata?.name}`;
}

const SECRET_FIELDS = ['data', 'stringData'] as const;

/** A Secret's changes with its values hidden: which keys of data/stringData changed, never what to. */
function objectChanges(before: KubeObject, after: KubeObject): string[] {
  if (after.kind !== 'Secret') return diffValues(before, after).map((change) => formatChange(change));
  const strip = (object: KubeObject) => Object.fromEntries(Object.entries(object).filter(([field]) => !(SECRET_FIELDS as readonly string[]).includes(field)));
  const lines = diffValues(strip(before), strip(after)).map((change) => formatChange(change));
  for (const field of SECRET_FIELDS) {
    const old = (before[field] ?? {}) as Record<string, unknown>;
    const now = (after[field] ?? {}) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
      if (!(key in old)) lines.push(`${field}.${key}: added (secret value not shown)`);
      else if (!(key in now)) lines.push(`${field}.${key}: removed`);
      else if (old[key] !== now[key]) lines.push(`${field}.${key}: changed (secret value not shown)`);
    }
  }
  return lines;
}

export interface ApplicationDiff {
  readonly application: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Object identity → its field changes, formatted. */
  readonly changed: ReadonlyMap<string, readonly string[]>;
}

/** Every Application whose rendered objects differ between the two trees. */
export function diffRendered(before: RenderedTree, after: RenderedTree): ApplicationDiff[] {
  const diffs: ApplicationDiff[] = [];
  for (const application of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const index = (objects: readonly KubeObject[] | undefined) => new Map(flatten(objects ?? []).map((object) => [identity(object), object]));
    const old = index(before.get(application));
    const now = index(after.get(application));
    const added = [...now.keys()].filter((id) => !old.has(id)).sort();
    const removed = [...old.keys()].filter((id) => !now.has(id)).sort();
    const changed = new Map<string, string[]>();
    for (const id of [...now.keys()].filter((key) => old.has(key)).sort()) {
      const changes = objectChanges(old.get(id)!, now.get(id)!);
      if (changes.length > 0) changed.set(id, changes);
    }
    if (added.length + removed.length + changed.size > 0) diffs.push({ application, added, removed, changed });
  }
  return diffs;
}

/** Markdown for a pull-request comment, cut at `maxChars` on a line boundary. */
export function formatRenderedDiff(diffs: readonly ApplicationDiff[], maxChars = 40_000): string {
  if (diffs.length === 0) return '**Rendered charts:** no object changes.\n';
  const lines = [`**Rendered charts:** ${diffs.length} Application(s) change.`, ''];
  for (const diff of diffs) {
    lines.push(`<details><summary><code>${diff.application}</code>: +${diff.added.length} −${diff.removed.length} ~${diff.changed.size}</summary>`, '', '```diff');
    for (const id of diff.added) lines.push(`+ ${id}`);
    for (const id of diff.removed) lines.push(`- ${id}`);
    for (const [id, changes] of diff.changed) {
      lines.push(`~ ${id}`);
      for (const change of changes) lines.push(`    ${change}`);
    }
    lines.push('```', '', '</details>');
  }
  let text = `${lines.join('\n')}\n`;
  if (text.length > maxChars) {
    text = `${text.slice(0, text.lastIndexOf('\n', maxChars))}\n\`\`\`\n\n</details>\n\n_Cut at ${maxChars} characters: run the render locally for the rest._\n`;
  }
  return text;
}
