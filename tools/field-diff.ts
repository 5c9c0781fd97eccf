import { deepEqual, isPlainObject } from '../charts/lib/deep-equal.ts';
/**
 * Field-level differences between two JSON values, as paths a reviewer can read
 * (`spec.template.spec.containers[name=manager].image`).
 */

/** A step of a path: an object key, a list index, or a list element matched by its `name`. */
export type PathSegment = string | number | { readonly name: string };

export interface FieldChange {
  readonly path: readonly PathSegment[];
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

export { deepEqual };

/** Lists whose elements are all objects with distinct string `name`s are compared by name, not position. */
function namedElements(list: readonly unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.name !== 'string' || byName.has(item.name)) return undefined;
    byName.set(item.name, item);
  }
  return byName;
}

/** Every leaf-most difference between `before` and `after` (undefined = absent). */
export function diffValues(before: unknown, after: unknown, path: readonly PathSegment[] = []): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (before === undefined) return [{ path, change: 'added', after }];
  if (after === undefined) return [{ path, change: 'removed', before }];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    // A list of scalars (args, finalizers, hosts) reads best as one value: old list → new list.
    if (before.every(isScalar) && after.every(isScalar)) return [{ path, change: 'changed', before, after }];
    const a = namedElements(before);
    const b = namedElements(after);
    if (a && b) {
      const names = [...new Set([...a.keys(), ...b.keys()])];
      return names.flatMap((name) => diffValues(a.get(name), b.get(name), [...path, { name }]));
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => diffValues(before[i], after[i], [...path, i])).flat();
  }
  return [{ path, change: 'changed', before, after }];
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `spec.template.metadata.labels["app.kubernetes.io/name"]`, `containers[name=manager]`, `rules[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'object') text += `[name=${segment.name}]`;
    else if (SIMPLE_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || '(whole object)';
}

/** Short, one-line rendering of a value for a report. */
export function formatValue(value: unknown, max = 60): string {
  if (value === undefined) return '(absent)';
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? '{}' : `{${truncate(keys.join(', '), max - 2)}}`;
  }
  if (Array.isArray(value) && !value.every(isScalar)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  return truncate(JSON.stringify(value), max);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** `old → new` for a change; multi-line strings show their first differing line. */
export function formatChange(change: FieldChange, max = 60): string {
  const path = formatPath(change.path);
  if (change.change === 'added') return `${path}: + ${formatValue(change.after, max)}`;
  if (change.change === 'removed') return `${path}: - ${formatValue(change.before, max)}`;
  const { before, after } = change;
  if (Array.isArray(before) && Array.isArray(after)) {
    // Lists of scalars: what went in and out reads better than two truncated lists.
    const removed = before.filter((item) => !after.some((other) => deepEqual(item, other)));
    const added = after.filter((item) => !before.some((other) => deepEqual(item, other)));
    if (removed.length === 0 && added.length === 0) return `${path}: reordered (${formatValue(after, max)})`;
    const items = [...added.map((item) => `+ ${formatValue(item, max)}`), ...removed.map((item) => `- ${formatValue(item, max)}`)];
    return `${path}: ${truncate(items.join(', '), max * 3)}`;
  }
  if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
    const a = before.split('\n');
    const b = after.split('\n');
    const first = a.findIndex((line, i) => line !== b[i]);
    const line = first < 0 ? a.length : first;
    return `${path}: line ${line + 1}: ${formatValue(a[line] ?? '', max)} → ${formatValue(b[line] ?? '', max)} (${a.length} → ${b.length} lines)`;
  }
  return `${path}: ${formatValue(before, max)} → ${formatValue(after, max)}`;
}

/** The value at a path of keys (undefined when any step is missing). */
export function valueAt(value: unknown, keys: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Flattened `path=value` leaves of a value, for similarity between two objects. */
export function leaves(value: unknown, path = '', out: string[] = []): string[] {
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) leaves(value[key], `${path}.${key}`, out);
  } else if (Array.isArray(value) && !value.every(isScalar)) {
    value.forEach((item, i) => {
      leaves(item, `${path}[${i}]`, out);
    });
  } else {
    out.push(`${path}=${JSON.stringify(value)}`);
  }
  return out;
}
