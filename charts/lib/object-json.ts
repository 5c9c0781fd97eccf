/**
 * cdk8s' own `ApiObject.toJson`, in one pass. cdk8s 2.70.106 (lib/api-object.ts, lib/resolve.ts,
 * lib/_util.ts, lib/metadata.ts) resolves every value of an object through the app's resolvers,
 * looking the app up (`App.of`, a walk to the root) and allocating a key path and a context for each
 * value, then copies the result again to sort its keys and drop nulls: at a thousand sandboxes that
 * was a third of synth. `withOneStepObjectJson` runs a step (the render of every chart) with the
 * same algorithm done once per value, and without the object's key sort: the generated classes
 * reshape the object after it anyway, and render.ts sorts the final object once (sortedCopy). The
 * result is what cdk8s gives under its own `CDK8S_DISABLE_SORT`, key order included, which
 * test/lib/object-json.test.ts proves object by object against cdk8s' code over the whole platform.
 *
 * Only the cases cdk8s' built-in resolvers can change are handled here (a `Lazy`, an implicit token
 * with `resolve()`, a number-or-string union class); anything else (custom resolvers, JSON patches,
 * a non-plain object) goes to cdk8s' own code, unchanged. docs/decisions/0930-precompiled-synth.md.
 */
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { sanitizeValue } from 'cdk8s/lib/_util.js';
import { compare, isInCodeUnitOrder } from './render.ts';

interface SanitizeOptions {
  readonly sortKeys: boolean;
  readonly filterEmptyArrays?: boolean;
  readonly filterEmptyObjects?: boolean;
}

// ApiObject.toJson as under CDK8S_DISABLE_SORT; ApiObjectMetadataDefinition.toJson always sorts.
const OBJECT_OPTIONS: SanitizeOptions = { sortKeys: false };
const METADATA_OPTIONS: SanitizeOptions = { sortKeys: true, filterEmptyArrays: true, filterEmptyObjects: true };

/**
 * `sanitizeValue(resolve([], value, apiObject), options)` for the built-in resolvers only. A map or
 * list that neither changes nor loses anything is returned as it is, not copied: render.ts copies
 * every object once, at the end (sortedCopy).
 */
function resolvedJson(value: unknown, options: SanitizeOptions): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value; // no built-in resolver changes a primitive (checked at install)
  // the resolvers, in App's order: LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver
  if (value instanceof Lazy) return resolvedJson(value.produce(), options);
  const record = value as Record<string, any>;
  if (typeof record.resolve === 'function') return resolvedJson(record.resolve(), options);
  if (record.constructor !== Object && (typeof record.value === 'number' || typeof record.value === 'string')) return resolvedJson({ value: record.value }, options);
  if (Array.isArray(value)) {
    if (options.filterEmptyArrays && value.length === 0) return undefined;
    for (let index = 0; index < value.length; index++) {
      const item = resolvedJson(value[index], options);
      if (item === value[index]) continue;
      // the first difference: a copy (holes stay holes, as with map), each item resolved once
      const copy = value.slice(0, index);
      copy.length = value.length;
      copy[index] = item;
      for (let rest = index + 1; rest < value.length; rest++) if (rest in value) copy[rest] = resolvedJson(value[rest], options);
      return copy;
    }
    return value;
  }
  // what resolve leaves as it is: cdk8s' sanitize gives its own copy, or its own error
  if (record.constructor !== Object) return sanitizeValue(value, options);
  const keys = Object.keys(record);
  const inOrder = !options.sortKeys || isInCodeUnitOrder(keys);
  if (!inOrder) keys.sort(compare);
  let result: Record<string, unknown> | undefined;
  let kept = 0;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const original = record[key];
    const item = resolvedJson(original, options);
    const keep = item !== null && item !== undefined;
    if (result === undefined && (!inOrder || item !== original || !keep || key === '__proto__')) {
      // the first difference: a copy, starting with the entries before it (unchanged, kept)
      result = {};
      for (const before of keys.slice(0, index)) result[before] = record[before];
    }
    if (keep) {
      kept++;
      if (result) result[key] = item;
    }
  }
  if (options.filterEmptyObjects && kept === 0) return undefined;
  return result ?? record;
}

/** Whether an app resolves with exactly cdk8s' built-in resolvers, in their order. */
function builtInResolversOnly(app: App): boolean {
  const [lazy, implicit, union, ...rest] = app.resolvers;
  return lazy instanceof LazyResolver && implicit instanceof ImplicitTokenResolver && union instanceof NumberStringUnionResolver && rest.length === 0;
}

/** Whether primitives are left alone by the built-in resolvers (nobody gave String a `resolve` or `value`). */
function primitivesArePlain(): boolean {
  return [String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype].every((prototype) => !('resolve' in prototype) && !('value' in prototype));
}

type Internals = { props: Record<string, unknown>; patches: unknown[]; metadata: ApiObjectMetadataDefinition; name: string };
type MetadataInternals = { apiObject: ApiObject; _additionalAttributes: Record<string, unknown>; name?: string; namespace?: string; annotations: unknown; finalizers: unknown; ownerReferences: unknown; labels: unknown };

/** Runs `step` with the one-pass `toJson` on every ApiObject of `app` that cdk8s' code would give the same result for. */
export function withOneStepObjectJson<T>(app: App, step: () => T): T {
  if (!builtInResolversOnly(app) || !primitivesArePlain()) return step();
  const objectToJson = ApiObject.prototype.toJson;
  const metadataToJson = ApiObjectMetadataDefinition.prototype.toJson;
  ApiObject.prototype.toJson = function (this: ApiObject) {
    const self = this as unknown as Internals;
    if (self.patches.length > 0 || App.of(this) !== app) return objectToJson.call(this);
    try {
      const json = resolvedJson({ ...self.props, metadata: self.metadata.toJson() }, OBJECT_OPTIONS) as Record<string, unknown>;
      // apiVersion, kind and metadata first, then the rest (as cdk8s orders them)
      const result: Record<string, unknown> = {};
      for (const key of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) if (key in json) result[key] = json[key];
      return result;
    } catch (error) {
      throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${self.name}': ${error}`);
    }
  };
  ApiObjectMetadataDefinition.prototype.toJson = function (this: ApiObjectMetadataDefinition) {
    const self = this as unknown as MetadataInternals;
    if (App.of(self.apiObject) !== app) return metadataToJson.call(this);
    return resolvedJson(
      {
        ...self._additionalAttributes,
        name: self.name,
        namespace: self.namespace,
        annotations: self.annotations,
        finalizers: self.finalizers,
        ownerReferences: self.ownerReferences,
        labels: self.labels,
      },
      METADATA_OPTIONS,
    );
  };
  try {
    return step();
  } finally {
    ApiObject.prototype.toJson = objectToJson;
    ApiObjectMetadataDefinition.prototype.toJson = metadataToJson;
  }
}
