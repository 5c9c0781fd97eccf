import { ApiObject, type Chart } from 'cdk8s';
import { isClusterScoped } from './kinds.ts';
import type { KubeObject, Manifest } from './manifest.ts';
import { yamlText } from './yaml-text.ts';

/** Removes what must never be written: a namespace on a cluster-scoped kind. */
export function normalizeObject(object: KubeObject): KubeObject {
  if (object.metadata?.namespace !== undefined && isClusterScoped(object.apiVersion, object.kind)) {
    const { namespace: _dropped, ...metadata } = object.metadata;
    return { ...object, metadata: metadata as KubeObject['metadata'] };
  }
  return object;
}

/** Every object of a chart with the construct path it came from (chart-relative). */
export function chartObjects(chart: Chart): { path: string; object: KubeObject }[] {
  const objects: { path: string; object: KubeObject }[] = [];
  for (const node of chart.node.findAll()) {
    if (node instanceof ApiObject && node !== (chart as unknown)) {
      objects.push({ path: node.node.path, object: normalizeObject(sortedCopy(node.toJson()) as KubeObject) });
    }
  }
  return objects;
}

/**
 * A copy of plain JSON data with the keys of every map in code-unit order (the order the YAML is
 * written in, so the gate reads an object as `npm run validate` reads it from dist/); every value is
 * kept as it is (holes, undefined, class instances by reference). JavaScript lists integer-like
 * keys first whatever the order they were added in. Copying also pays for itself: the objects
 * toJson returns are scattered over the heap among the construct tree's garbage, and the gate's
 * rules and the YAML writer read each one a dozen times; copies made together read about twice as
 * fast (docs/decisions/0930-precompiled-synth.md).
 */
export function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const key of inCodeUnitOrder(Object.keys(value))) {
    const item = sortedCopy((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

/** `clusterissuer-letsencrypt-prod.yaml`; with the namespace when two objects of a folder share kind and name. */
export function fileName(object: KubeObject, withNamespace: boolean): string {
  const kind = object.kind.toLowerCase();
  const namespace = withNamespace && object.metadata.namespace ? `${object.metadata.namespace}-` : '';
  return `${kind}-${namespace}${object.metadata.name}.yaml`;
}

/**
 * Assigns file names inside one folder. Two objects with the same kind and name (in different
 * namespaces) both get their namespace in the name; a true duplicate is reported by the caller.
 */
export function assignFileNames(objects: readonly KubeObject[]): string[] {
  const keys = objects.map((object) => `${object.kind.toLowerCase()}/${object.metadata.name}`);
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return objects.map((object, index) => fileName(object, counts.get(keys[index]!)! > 1));
}

/** Deterministic YAML: keys sorted at every level (list order kept), no line folding. */
export function toYaml(object: unknown): string {
  return yamlText(object);
}

/** Sorts manifests by environment, folder and file so every run lists them in the same order. */
export function sortManifests(manifests: Manifest[]): Manifest[] {
  return manifests.sort((a, b) => compare(a.environment, b.environment) || compare(a.folder, b.folder) || compare(a.file, b.file));
}

/** Code-point order: the same on every machine, whatever its locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `keys` are in code-unit order (`<`, yaml's sortMapEntries order) already. */
export function isInCodeUnitOrder(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index - 1]! > keys[index]!) return false;
  return true;
}

/** `keys` sorted by code units, in place; many already are. */
export function inCodeUnitOrder(keys: string[]): string[] {
  return isInCodeUnitOrder(keys) ? keys : keys.sort(compare);
}
