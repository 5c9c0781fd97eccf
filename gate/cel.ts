/**
 * Evaluates the `x-kubernetes-validations` CEL rules of CRD schemas the way the API server does on
 * create: `self` is the value at the rule's node (schema defaults applied), integers are int64,
 * property names are escaped (`namespace` → `__namespace__`), transition rules (`oldSelf`) do not
 * apply. Uses @marcbachmann/cel-js (docs/decisions/0101-cel-library.md). A rule the library cannot
 * parse or evaluate is reported as skipped with its reason, never passed silently.
 */
import { Environment } from '@marcbachmann/cel-js';
import { pointerToken, type CelSite, type SchemaNode } from './structural.ts';

export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

export type CelOutcome = { readonly kind: 'pass' } | { readonly kind: 'fail'; readonly pointer: string; readonly message: string } | { readonly kind: 'skip'; readonly reason: string };

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Kubernetes' escaping of property names in CEL (apiserver/pkg/cel/escaping.go). */
export function escapeProperty(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

let environment: Environment | undefined;
function celEnvironment(): Environment {
  environment ??= new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  return environment;
}

/**
 * The library's `has()` accepts only a chain of field selections from a variable, so `has(self.a[0].b)`
 * (Gateway API uses it) fails to compile. On JSON values (maps) `has(e.f)` means `'f' in e`, so those
 * calls are rewritten to that form before parsing.
 */
export function adaptForLibrary(expression: string): string {
  return expression.replace(/has\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*\[\d+\](?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)\.([A-Za-z_][A-Za-z0-9_]*)\s*\)/g, "('$2' in $1)");
}

type Program = ((context: Record<string, unknown>) => unknown) | { error: string };
const programs = new Map<string, Program>();
function program(expression: string): Program {
  let compiled = programs.get(expression);
  if (!compiled) {
    try {
      const parsed = celEnvironment().parse(adaptForLibrary(expression));
      compiled = (context: Record<string, unknown>) => parsed(context);
    } catch (error) {
      compiled = { error: (error as Error).message.split('\n')[0]! };
    }
    programs.set(expression, compiled);
  }
  return compiled;
}

/** Whether a rule compares with the previous object (only evaluated on update). */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

/** A JSON value as the CEL value the API server builds from it, following the schema. */
export function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const integer = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true || (schema?.type === undefined && Number.isInteger(value));
    return integer && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (typeof value === 'object') {
    const properties: Record<string, SchemaNode> | undefined = schema?.properties;
    const additional = schema?.additionalProperties && typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as SchemaNode) : undefined;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (properties && Object.hasOwn(properties, key)) {
        const escaped = escapeProperty(key);
        if (escaped !== undefined) result[escaped] = toCel(item, properties[key]);
      } else {
        result[key] = toCel(item, additional);
      }
    }
    return result;
  }
  return value;
}

/**
 * Applies the schema's `default`s to `value`, as the API server does before validating: a copy
 * where a default is added, the value itself (never modified) where none applies.
 */
export function applyDefaults(value: unknown, schema: SchemaNode | undefined): unknown {
  if (!schema || value === null || typeof value !== 'object' || !defaultsWithin(schema)) return value;
  if (Array.isArray(value)) {
    if (!schema.items) return value;
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = applyDefaults(value[index], schema.items);
      if (item === value[index]) continue;
      copy ??= [...value];
      copy[index] = item;
    }
    return copy ?? value;
  }
  const properties: Record<string, SchemaNode> | undefined = schema.properties;
  const additional = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as SchemaNode) : undefined;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = applyDefaults(record[key], properties?.[key] ?? additional);
    if (item === record[key]) continue;
    copy ??= { ...record };
    copy[key] = item;
  }
  for (const [key, property] of defaultedProperties(schema)) {
    if (key in record) continue;
    copy ??= { ...record };
    copy[key] = applyDefaults(structuredClone(property.default), property);
  }
  return copy ?? value;
}

// Per schema node, computed once: most of a CRD's schema has no default, and the walk skips it.
const DEFAULTS_WITHIN = new WeakMap<SchemaNode, boolean>();
const DEFAULTED_PROPERTIES = new WeakMap<SchemaNode, readonly [string, SchemaNode][]>();

/** The properties of a node that have a default. */
function defaultedProperties(schema: SchemaNode): readonly [string, SchemaNode][] {
  let found = DEFAULTED_PROPERTIES.get(schema);
  if (!found) {
    found = Object.entries((schema.properties ?? {}) as Record<string, SchemaNode>).filter(([, property]) => property.default !== undefined);
    DEFAULTED_PROPERTIES.set(schema, found);
  }
  return found;
}

/** Whether a default applies anywhere at or below `schema` (properties, items, additionalProperties). */
function defaultsWithin(schema: SchemaNode): boolean {
  let known = DEFAULTS_WITHIN.get(schema);
  if (known === undefined) {
    DEFAULTS_WITHIN.set(schema, true); // a cycle (never in a CRD schema) is assumed to have defaults
    const children: unknown[] = [...Object.values((schema.properties ?? {}) as Record<string, unknown>), schema.items, schema.additionalProperties];
    known = defaultedProperties(schema).length > 0 || children.some((child) => child !== null && typeof child === 'object' && defaultsWithin(child as SchemaNode));
    DEFAULTS_WITHIN.set(schema, known);
  }
  return known;
}

/** `.spec.foo[0]` / `.foo['bar']` (a rule's fieldPath) → JSON pointer suffix. */
function fieldPathPointer(fieldPath: string): string {
  const tokens = fieldPath.match(/\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']*)'\]/g) ?? [];
  return tokens
    .map((token) => {
      if (token.startsWith('.')) return `/${pointerToken(token.slice(1))}`;
      if (token.startsWith("['")) return `/${pointerToken(token.slice(2, -2))}`;
      return `/${token.slice(1, -1)}`;
    })
    .join('');
}

/** Evaluates every rule of one site. */
export function evaluateSite(site: CelSite): { rule: CelRule; outcome: CelOutcome }[] {
  const rules = site.schema['x-kubernetes-validations'] as CelRule[];
  const self = toCel(site.value, site.schema);
  return rules.map((rule) => ({ rule, outcome: evaluateRule(rule, self, site.pointer) }));
}

function evaluateRule(rule: CelRule, self: unknown, pointer: string): CelOutcome {
  if (isTransitionRule(rule.rule)) return { kind: 'skip', reason: 'transition rule (oldSelf): the API server checks it only on update' };
  const compiled = program(rule.rule);
  if ('error' in compiled) return { kind: 'skip', reason: `the CEL library cannot parse the rule: ${compiled.error}` };
  let result: unknown;
  try {
    result = compiled({ self });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    if (/no such key|No such key|Unknown variable|index out of/i.test(message)) {
      // The API server fails such a rule too ("no such key" is an evaluation error, the object is rejected).
      return { kind: 'fail', pointer: pointer + (rule.fieldPath ? fieldPathPointer(rule.fieldPath) : ''), message: `CEL rule cannot be evaluated on this object (${message}): ${rule.message ?? rule.rule}` };
    }
    return { kind: 'skip', reason: `the CEL library cannot evaluate the rule: ${message}` };
  }
  if (result === true) return { kind: 'pass' };
  if (result !== false) return { kind: 'skip', reason: `the rule did not return a boolean (${typeof result})` };
  let message = rule.message ?? `failed rule: ${rule.rule.trim()}`;
  if (rule.messageExpression) {
    const expression = program(rule.messageExpression);
    if (!('error' in expression)) {
      try {
        const rendered = expression({ self });
        if (typeof rendered === 'string' && rendered.length > 0) message = rendered;
      } catch {
        // keep the static message
      }
    }
  }
  return { kind: 'fail', pointer: pointer + (rule.fieldPath ? fieldPathPointer(rule.fieldPath) : ''), message: `${message} (CEL rule: ${rule.rule.trim().replace(/\s+/g, ' ')})` };
}
