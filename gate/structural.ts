/**
 * A small interpreter for the schemas the API server applies: Kubernetes 1.28 OpenAPI definitions
 * and CRD structural schemas (`openAPIV3Schema`, or the kubeconform-style JSON schemas derived from
 * them). Interpreting instead of compiling (Ajv) costs nothing per kind, so the gate stays well
 * under a second whatever kinds the platform uses (docs/decisions/0100-schema-interpreter.md).
 *
 * Strict like `kubectl apply --validate=strict` / kubeconform `-strict`: an object that lists
 * `properties` accepts no other field unless it says `x-kubernetes-preserve-unknown-fields`, and a
 * CRD object with neither properties nor additionalProperties accepts none (the API server would
 * silently prune them). `nullable`, int-or-string, quantities, list types and embedded resources
 * follow the API server's rules.
 */
import { deepEqual } from '../charts/lib/deep-equal.ts';

export type SchemaNode = { readonly [key: string]: any };

/** One problem, at a JSON pointer into the validated object. */
export interface Finding {
  readonly pointer: string;
  readonly message: string;
}

/** A place where a CEL rule applies: the schema node carrying `x-kubernetes-validations` and its value. */
export interface CelSite {
  readonly schema: SchemaNode;
  readonly value: unknown;
  readonly pointer: string;
}

export interface ValidationContext {
  /** `#/definitions/X` → schema (Kubernetes definitions); undefined for CRD schemas. */
  readonly resolve?: (ref: string) => SchemaNode | undefined;
  /** Schema of `metadata` (ObjectMeta) for embedded resources. */
  readonly objectMeta?: SchemaNode;
  readonly findings: Finding[];
  /** Collects CEL sites when given. */
  readonly cel?: CelSite[];
  /** Patterns the JavaScript engine cannot compile (reported as skipped, not as errors). */
  readonly unsupported?: string[];
}

/**
 * Enumerations the API server checks in Go code for core kinds; the 1.28 OpenAPI definitions do not
 * carry them. By definition name, then property (array properties: each item).
 */
const PULL_POLICY = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOL = ['TCP', 'UDP', 'SCTP'];
const TAINT_EFFECT = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CORE = 'io.k8s.api.core.v1.';
export const CORE_ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  [`${CORE}Container`]: { imagePullPolicy: PULL_POLICY, terminationMessagePolicy: ['File', 'FallbackToLogsOnError'] },
  [`${CORE}EphemeralContainer`]: { imagePullPolicy: PULL_POLICY, terminationMessagePolicy: ['File', 'FallbackToLogsOnError'] },
  [`${CORE}PodSpec`]: { restartPolicy: ['Always', 'OnFailure', 'Never'], dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], preemptionPolicy: ['PreemptLowerPriority', 'Never'] },
  [`${CORE}ContainerPort`]: { protocol: PROTOCOL },
  [`${CORE}ServicePort`]: { protocol: PROTOCOL },
  [`${CORE}ServiceSpec`]: {
    type: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    sessionAffinity: ['ClientIP', 'None'],
    ipFamilyPolicy: ['SingleStack', 'PreferDualStack', 'RequireDualStack'],
  },
  [`${CORE}PersistentVolumeClaimSpec`]: { volumeMode: ['Filesystem', 'Block'], accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] },
  [`${CORE}PersistentVolumeSpec`]: {
    persistentVolumeReclaimPolicy: ['Delete', 'Retain', 'Recycle'],
    volumeMode: ['Filesystem', 'Block'],
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
  },
  [`${CORE}Toleration`]: { operator: ['Exists', 'Equal'], effect: TAINT_EFFECT },
  [`${CORE}Taint`]: { effect: TAINT_EFFECT },
  [`${CORE}SeccompProfile`]: { type: ['RuntimeDefault', 'Localhost', 'Unconfined'] },
  [`${CORE}HTTPGetAction`]: { scheme: ['HTTP', 'HTTPS'] },
  'io.k8s.api.storage.v1.StorageClass': { reclaimPolicy: ['Delete', 'Retain'], volumeBindingMode: ['Immediate', 'WaitForFirstConsumer'] },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: ['Recreate', 'RollingUpdate'] },
  'io.k8s.api.apps.v1.StatefulSetSpec': { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: ['RollingUpdate', 'OnDelete'] },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: ['RollingUpdate', 'OnDelete'] },
  'io.k8s.api.batch.v1.CronJobSpec': { concurrencyPolicy: ['Allow', 'Forbid', 'Replace'] },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { policyTypes: ['Ingress', 'Egress'] },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: PROTOCOL },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { unhealthyPodEvictionPolicy: ['IfHealthyBudget', 'AlwaysAllow'] },
  'io.k8s.api.rbac.v1.Subject': { kind: ['User', 'Group', 'ServiceAccount'] },
};

const ENUMS_BY_REF = new Map<string, Readonly<Record<string, readonly string[]>> | undefined>();

/** CORE_ENUMS of the definition a `$ref` names (looked up once per reference). */
function coreEnumsOf(ref: string): Readonly<Record<string, readonly string[]>> | undefined {
  if (!ENUMS_BY_REF.has(ref)) ENUMS_BY_REF.set(ref, CORE_ENUMS[ref.slice(ref.indexOf('#/definitions/') + '#/definitions/'.length)]);
  return ENUMS_BY_REF.get(ref);
}

const QUANTITY_REF = '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity';
/** Kubernetes resource.Quantity: number with an optional binary, decimal or exponent suffix. */
export const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[kMGTPE]|m|n|u)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const regexCache = new Map<string, RegExp | null>();
function compilePattern(pattern: string): RegExp | null {
  let compiled = regexCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      try {
        compiled = new RegExp(pattern);
      } catch {
        compiled = null;
      }
    }
    regexCache.set(pattern, compiled);
  }
  return compiled;
}

/** RFC 6901 pointer of a path. */
export function pointerOf(path: readonly (string | number)[]): string {
  let pointer = '';
  for (const key of path) pointer += `/${pointerToken(key)}`;
  return pointer;
}

/** `~` and `/` escaped, as in a JSON pointer. */
export function pointerToken(key: string | number): string {
  if (typeof key === 'number') return String(key);
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value} ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

/** Levenshtein distance (case-insensitive), for "did you mean" on unknown fields and values keys. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean "${best}"?)`;
  const list = [...allowed].sort();
  return list.length <= 12 ? ` (allowed: ${list.join(', ')})` : ` (${list.length} fields allowed, e.g. ${list.slice(0, 8).join(', ')}, …)`;
}

/**
 * Where the walk is: the pointer it started at and the keys below it, pushed and popped as it goes.
 * The pointer text is built only for a finding or a CEL site: building one per node was most of the
 * walk's allocations.
 */
interface Position {
  readonly base: string;
  readonly path: (string | number)[];
}

/** The JSON pointer of `at`, with `below` appended. */
function here(at: Position, ...below: (string | number)[]): string {
  return at.base + pointerOf(at.path) + pointerOf(below);
}

interface WalkOptions {
  /** Inside allOf/anyOf/oneOf/not: value checks only, no unknown-field checks (structural schema rule). */
  readonly inBranch: boolean;
  /** Kubernetes OpenAPI definitions (core kinds) rather than a CRD schema. */
  readonly core: boolean;
}

/** Validates `value` against `schema`, appending findings (and CEL sites) to `context`. */
export function validateValue(schema: SchemaNode, value: unknown, pointer: string, context: ValidationContext, core: boolean): void {
  walk(schema, value, { base: pointer, path: [] }, context, { inBranch: false, core });
}

function walk(node: SchemaNode, value: unknown, at: Position, context: ValidationContext, options: WalkOptions): void {
  const findings = context.findings;
  let schema = node;
  if (schema.$ref !== undefined) {
    const ref = String(schema.$ref);
    if (ref === QUANTITY_REF) {
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || !QUANTITY.test(value)) {
        findings.push({ pointer: here(at), message: `must be a quantity like "500m", "1Gi" or 2, got ${describe(value)}` });
      }
      return;
    }
    const resolved = context.resolve?.(ref);
    if (!resolved) {
      findings.push({ pointer: here(at), message: `schema reference ${ref} cannot be resolved` });
      return;
    }
    schema = resolved;
    const enums = coreEnumsOf(ref);
    if (enums && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [property, allowed] of Object.entries(enums)) {
        const item = (value as Record<string, unknown>)[property];
        if (item === undefined || item === null) continue;
        const items = Array.isArray(item) ? item : [item];
        items.forEach((one, index) => {
          if (typeof one === 'string' && !allowed.includes(one)) {
            findings.push({
              pointer: Array.isArray(item) ? here(at, property, index) : here(at, property),
              message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${JSON.stringify(one)}`,
            });
          }
        });
      }
    }
  }

  if (value === null) {
    if (schema.nullable === true) return;
    const types: unknown = schema.type;
    if (types === 'null' || (Array.isArray(types) && types.includes('null'))) return;
    findings.push({ pointer: here(at), message: 'is null; omit the field instead (null is not a value here and the API server would drop or reject it)' });
    return;
  }

  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (intOrString) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      findings.push({ pointer: here(at), message: `must be an integer or a string, got ${describe(value)}` });
      return;
    }
  } else if (schema.type !== undefined && !(typeof schema.type === 'string' && typeMatches(schema.type, value))) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => typeMatches(type, value))) {
      findings.push({ pointer: here(at), message: `must be ${types.join(' or ')}, got ${describe(value)}` });
      return;
    }
  }

  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((allowed) => deepEqual(allowed, value))) {
    const allowed = (schema.enum as unknown[]).map((v) => JSON.stringify(v));
    findings.push({ pointer: here(at), message: `must be one of ${allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, …` : allowed.join(', ')}; got ${JSON.stringify(value)}` });
  }

  if (typeof value === 'string') checkString(schema, value, at, context);
  else if (typeof value === 'number') checkNumber(schema, value, at, findings);

  if (Array.isArray(value)) checkArray(schema, value, at, context, options);
  else if (typeof value === 'object' && value !== null) checkObject(schema, value as Record<string, unknown>, at, context, options, preserveUnknown);

  if (schema.allOf) for (const branch of schema.allOf as SchemaNode[]) walk(branch, value, at, context, { ...options, inBranch: true });
  if (schema.anyOf || schema.oneOf) checkAlternatives(schema, value, at, context, options, intOrString);
  if (schema.not) {
    const probe: ValidationContext = { ...context, findings: [], cel: undefined };
    walk(schema.not, value, at, probe, { ...options, inBranch: true });
    if (probe.findings.length === 0) findings.push({ pointer: here(at), message: `must not match ${JSON.stringify(schema.not)}` });
  }

  if (context.cel && Array.isArray(schema['x-kubernetes-validations']) && !options.inBranch) {
    context.cel.push({ schema, value, pointer: here(at) });
  }
}

function checkString(schema: SchemaNode, value: string, at: Position, context: ValidationContext): void {
  const findings = context.findings;
  // Lengths count characters (code points); UTF-16 units are at least as many and at most twice as many.
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    const length = [...value].length;
    if (length > schema.maxLength) findings.push({ pointer: here(at), message: `is ${length} characters long; at most ${schema.maxLength} allowed` });
  }
  if (schema.minLength !== undefined && value.length < 2 * schema.minLength) {
    const length = [...value].length;
    if (length < schema.minLength) findings.push({ pointer: here(at), message: `is ${length} characters long; at least ${schema.minLength} required` });
  }
  if (schema.pattern !== undefined) {
    const pattern = compilePattern(String(schema.pattern));
    if (pattern === null) context.unsupported?.push(`pattern ${schema.pattern}`);
    else if (!pattern.test(value)) findings.push({ pointer: here(at), message: `${JSON.stringify(value)} does not match the pattern ${schema.pattern}` });
  }
  switch (schema.format) {
    case 'date-time':
      if (!DATE_TIME.test(value)) findings.push({ pointer: here(at), message: `${JSON.stringify(value)} is not an RFC 3339 date-time` });
      break;
    case 'byte':
      if (!BASE64.test(value)) findings.push({ pointer: here(at), message: 'is not base64' });
      break;
    case 'int-or-string':
      break;
    default:
  }
}

function checkNumber(schema: SchemaNode, value: number, at: Position, findings: Finding[]): void {
  if (schema.maximum !== undefined) {
    const exclusive = schema.exclusiveMaximum === true;
    if (exclusive ? value >= schema.maximum : value > schema.maximum) findings.push({ pointer: here(at), message: `is ${value}; must be ${exclusive ? 'less than' : 'at most'} ${schema.maximum}` });
  }
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) findings.push({ pointer: here(at), message: `is ${value}; must be less than ${schema.exclusiveMaximum}` });
  if (schema.minimum !== undefined) {
    const exclusive = schema.exclusiveMinimum === true;
    if (exclusive ? value <= schema.minimum : value < schema.minimum) findings.push({ pointer: here(at), message: `is ${value}; must be ${exclusive ? 'greater than' : 'at least'} ${schema.minimum}` });
  }
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) findings.push({ pointer: here(at), message: `is ${value}; must be greater than ${schema.exclusiveMinimum}` });
  if (schema.multipleOf !== undefined && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
    findings.push({ pointer: here(at), message: `is ${value}; must be a multiple of ${schema.multipleOf}` });
  }
  if (schema.format === 'int32' && (value > 2147483647 || value < -2147483648)) findings.push({ pointer: here(at), message: `is ${value}; does not fit in a 32-bit integer` });
}

function checkArray(schema: SchemaNode, value: unknown[], at: Position, context: ValidationContext, options: WalkOptions): void {
  const findings = context.findings;
  if (schema.maxItems !== undefined && value.length > schema.maxItems) findings.push({ pointer: here(at), message: `has ${value.length} items; at most ${schema.maxItems} allowed` });
  if (schema.minItems !== undefined && value.length < schema.minItems) findings.push({ pointer: here(at), message: `has ${value.length} items; at least ${schema.minItems} required` });
  const listType = schema['x-kubernetes-list-type'];
  if (schema.uniqueItems === true || listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, index) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) findings.push({ pointer: here(at, index), message: `duplicate item ${key}; items of this list must be unique` });
      seen.add(key);
    });
  }
  if (listType === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])) {
    const keys = schema['x-kubernetes-list-map-keys'] as string[];
    const seen = new Map<string, number>();
    value.forEach((item, index) => {
      if (typeof item !== 'object' || item === null) return;
      const identity = keys.map((k) => `${k}=${JSON.stringify((item as Record<string, unknown>)[k] ?? null)}`).join(',');
      const first = seen.get(identity);
      if (first !== undefined) findings.push({ pointer: here(at, index), message: `duplicate entry ${identity} (also at index ${first}); entries are keyed by ${keys.join(', ')}` });
      else seen.set(identity, index);
    });
  }
  if (schema.items && !Array.isArray(schema.items)) {
    for (let index = 0; index < value.length; index++) {
      at.path.push(index);
      walk(schema.items, value[index], at, context, options);
      at.path.pop();
    }
  }
}

function checkObject(schema: SchemaNode, value: Record<string, unknown>, at: Position, context: ValidationContext, options: WalkOptions, preserveUnknown: boolean): void {
  const findings = context.findings;
  const properties: Record<string, SchemaNode> | undefined = schema.properties;
  const keys = Object.keys(value);
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) findings.push({ pointer: here(at), message: `has ${keys.length} fields; at most ${schema.maxProperties} allowed` });
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) findings.push({ pointer: here(at), message: `has ${keys.length} fields; at least ${schema.minProperties} required` });
  for (const required of (schema.required as string[] | undefined) ?? []) {
    if (!(required in value)) findings.push({ pointer: here(at, required), message: `is required but missing` });
  }
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const additional = schema.additionalProperties;
  for (const key of keys) {
    const child = value[key];
    at.path.push(key);
    const declared = properties ? Object.hasOwn(properties, key) : false;
    if (declared) {
      walk(properties![key]!, child, at, context, options);
    } else if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (key === 'metadata' && context.objectMeta) walk(context.objectMeta, child, at, context, { ...options, core: true });
      else if (typeof child !== 'string' && key !== 'metadata') findings.push({ pointer: here(at), message: `must be string, got ${describe(child)}` });
    } else if (additional !== undefined && typeof additional === 'object') {
      walk(additional, child, at, context, options);
    } else if (options.inBranch || preserveUnknown || additional === true) {
      // branches only add value checks; preserve-unknown-fields keeps anything
    } else if (additional === false || properties !== undefined || (!options.core && schema.type === 'object')) {
      const allowed = properties ? Object.keys(properties) : [];
      findings.push({
        pointer: here(at),
        message:
          allowed.length > 0
            ? `unknown field "${key}"${suggestion(key, embedded ? [...allowed, 'apiVersion', 'kind', 'metadata'] : allowed)}`
            : `unknown field "${key}": this object declares no fields, so the API server would drop it`,
      });
    }
    at.path.pop();
  }
}

function checkAlternatives(schema: SchemaNode, value: unknown, at: Position, context: ValidationContext, options: WalkOptions, intOrString: boolean): void {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = schema[keyword] as SchemaNode[] | undefined;
    if (!branches) continue;
    // int-or-string written as anyOf/oneOf of integer and string: already checked above.
    if (intOrString && branches.every((b) => b.type === 'integer' || b.type === 'string')) continue;
    const results = branches.map((branch) => {
      const probe: ValidationContext = { ...context, findings: [], cel: undefined };
      walk(branch, value, at, probe, { ...options, inBranch: true });
      return probe.findings;
    });
    const passing = results.filter((r) => r.length === 0).length;
    if (keyword === 'anyOf' && passing === 0) {
      const closest = results.reduce((a, b) => (b.length < a.length ? b : a));
      context.findings.push({ pointer: here(at), message: `matches none of the allowed alternatives (anyOf); closest: ${closest.map((f) => `${f.pointer.slice(here(at).length) || '.'} ${f.message}`).join('; ')}` });
    }
    if (keyword === 'oneOf' && passing !== 1) {
      const types = branches.map((b) => b.type ?? JSON.stringify(b.required ?? b)).join(', ');
      context.findings.push({
        pointer: here(at),
        message: passing === 0 ? `matches none of the alternatives (oneOf: ${types}); got ${describe(value)}` : `matches ${passing} alternatives; exactly one allowed (oneOf: ${types})`,
      });
    }
  }
}
