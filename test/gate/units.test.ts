import { describe, expect, it } from 'vitest';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { SchemaFiles } from '../../gate/schemas-location.ts';
import { applyDefaults, escapeProperty, evaluateSite } from '../../gate/cel.ts';
import { runGate } from '../../gate/gate.ts';
import type { Rule } from '../../gate/types.ts';
import { bytesOverObjectLimit, jsonBytesAtMost } from '../../gate/load.ts';
import { SchemaStore } from '../../gate/schema-store.ts';
import { validateValue, type Finding } from '../../gate/structural.ts';

function check(schema: object, value: unknown, core = false): string[] {
  const findings: Finding[] = [];
  validateValue(schema, value, '', { findings }, core);
  return findings.map((f) => `${f.pointer} ${f.message}`);
}

const object = (properties: object, extra: object = {}) => ({ type: 'object', properties, ...extra });

describe('structural schema interpreter', () => {
  it('accepts null only where the schema says nullable', () => {
    expect(check(object({ a: { type: 'string', nullable: true } }), { a: null })).toEqual([]);
    expect(check(object({ a: { type: 'string' } }), { a: null })).toEqual(['/a is null; omit the field instead (null is not a value here and the API server would drop or reject it)']);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields, rejects them elsewhere', () => {
    expect(check(object({ a: { type: 'string' } }, { 'x-kubernetes-preserve-unknown-fields': true }), { a: 'x', b: 1 })).toEqual([]);
    expect(check(object({ a: { type: 'string' } }), { a: 'x', b: 1 })).toEqual(['/b unknown field "b" (did you mean "a"?)']);
    expect(check({ type: 'object' }, { b: 1 })).toEqual(['/b unknown field "b": this object declares no fields, so the API server would drop it']);
  });

  it('handles int-or-string and its oneOf form', () => {
    const intOrString = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    expect(check(intOrString, 8080)).toEqual([]);
    expect(check(intOrString, 'http')).toEqual([]);
    expect(check(intOrString, true)).toEqual([' must be an integer or a string, got boolean true']);
    expect(check({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, 1.5)).toEqual([' matches none of the alternatives (oneOf: string, integer); got number 1.5']);
  });

  it('counts string lengths in characters, as the API server does, not in UTF-16 units', () => {
    const name = (limits: Record<string, number>) => object({ name: { type: 'string', ...limits } });
    expect(check(name({ maxLength: 2 }), { name: 'a😀' })).toEqual([]);
    expect(check(name({ maxLength: 1 }), { name: 'a😀' })).toEqual(['/name is 2 characters long; at most 1 allowed']);
    expect(check(name({ minLength: 3 }), { name: 'a😀' })).toEqual(['/name is 2 characters long; at least 3 required']);
    expect(check(name({ minLength: 2 }), { name: '😀😀' })).toEqual([]);
    expect(check(name({ minLength: 3 }), { name: '😀😀' })).toEqual(['/name is 2 characters long; at least 3 required']);
  });

  it('applies CRD defaults only where the schema has one, leaving the value itself untouched', () => {
    const schema = object({ spec: object({ replicas: { type: 'integer', default: 1 }, plain: object({ a: { type: 'string' } }) }), other: object({ b: { type: 'string' } }) });
    const value = { spec: { plain: { a: 'x' } }, other: { b: 'y' } };
    const defaulted = applyDefaults(value, schema) as any;
    expect(defaulted).toEqual({ spec: { plain: { a: 'x' }, replicas: 1 }, other: { b: 'y' } });
    expect(defaulted.other).toBe(value.other);
    expect(value.spec).toEqual({ plain: { a: 'x' } });
    expect(applyDefaults(value.other, (schema.properties as Record<string, object>).other)).toBe(value.other);
  });

  it('validates embedded resources with ObjectMeta', () => {
    const store = SchemaStore.at();
    const findings: Finding[] = [];
    const schema = object({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } });
    validateValue(schema, { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labelz: {} }, spec: { anything: 1 } } }, '', { findings, resolve: store.resolve, objectMeta: store.objectMeta }, false);
    expect(findings.map((f) => `${f.pointer} ${f.message}`)).toEqual(['/template/metadata/labelz unknown field "labelz" (did you mean "labels"?)']);
  });
});

describe('CEL', () => {
  it('escapes property names as Kubernetes does', () => {
    expect(escapeProperty('namespace')).toBe('__namespace__');
    expect(escapeProperty('a-b.c/d')).toBe('a__dash__b__dot__c__slash__d');
    expect(escapeProperty('x__y')).toBe('x__underscores__y');
  });

  it('applies defaults before evaluating, and skips transition rules', () => {
    const schema = {
      type: 'object',
      properties: { kind: { type: 'string', default: 'Service' }, port: { type: 'integer' }, namespace: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: "self.kind == 'Service' ? has(self.port) : true", message: 'port is required for a Service' },
        { rule: "self.__namespace__ != 'kube-system'", message: 'not kube-system' },
        { rule: 'self == oldSelf', message: 'immutable' },
      ],
    };
    const value = applyDefaults({ namespace: 'kube-system' }, schema);
    expect(value).toEqual({ kind: 'Service', namespace: 'kube-system' });
    expect(evaluateSite({ schema, value, pointer: '/spec' }).map((r) => r.outcome)).toEqual([
      { kind: 'fail', pointer: '/spec', message: "port is required for a Service (CEL rule: self.kind == 'Service' ? has(self.port) : true)" },
      { kind: 'fail', pointer: '/spec', message: "not kube-system (CEL rule: self.__namespace__ != 'kube-system')" },
      { kind: 'skip', reason: 'transition rule (oldSelf): the API server checks it only on update' },
    ]);
  });
});

describe('gate rules over one object at a time', () => {
  it('report as if each rule had run alone, in rule order, though runGate reads each object once for all', () => {
    const objectNamed = (name: string): Manifest => ({ environment: 'prod', folder: 'demo', file: `${name}.yaml`, source: 'test', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } as KubeObject });
    const seen: string[] = [];
    const perObject = (rule: string): Rule => ({
      name: rule,
      forEach: (context) => (manifest) => {
        seen.push(`${rule}:${manifest.object.metadata.name}`);
        context.count(`${rule} checked`);
        context.report(manifest, '', `${rule} on ${manifest.object.metadata.name}`);
      },
    });
    const whole: Rule = { name: 'whole', check: (context) => context.report(context.manifests[0]!, '', 'whole tree') };
    const report = runGate([objectNamed('a'), objectNamed('b')], { only: ['first', 'whole', 'second'], rules: [perObject('first'), whole, perObject('second')] });
    expect(seen).toEqual(['first:a', 'second:a', 'first:b', 'second:b']);
    expect(report.errors.map((e) => e.message)).toEqual(['first on a', 'first on b', 'whole tree', 'second on a', 'second on b']);
    expect([...report.counts.keys()]).toEqual(['first checked', 'second checked']);
  });
});

describe('gate', () => {
  const configMap: Manifest = {
    environment: 'prod',
    folder: 'demo',
    file: 'configmap-x.yaml',
    source: 'test',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'nowhere' }, data: { a: 'b' } } as KubeObject,
  };

  it('moves errors matched by a waiver to `waived`, and fails on a waiver that matches nothing', () => {
    const used = { rule: 'references', message: /^namespace nowhere does not exist/, reason: 'test', issue: 1 };
    const unused = { rule: 'schema', message: /^never$/, reason: 'test', issue: 2 };
    const report = runGate([configMap], { only: ['references'], waivers: [used, unused] });
    expect(report.waived.map((w) => w.issue.message)).toEqual([expect.stringMatching(/^namespace nowhere does not exist in prod/)]);
    expect(report.errors).toEqual([]);
    const all = runGate([configMap], { only: ['references', 'schema'], waivers: [used, unused] });
    expect(all.errors.filter((e) => e.rule === 'waivers').map((e) => e.message)).toEqual(['the waiver of schema errors matching /^never$/ matched nothing: the gap is closed, remove the waiver']);
  });

  it('reads only the schema files of the kinds present', () => {
    const store = new SchemaStore(new SchemaFiles());
    (SchemaStore as any).stores.set('lazy-test\n', store); // the key of SchemaStore.at('lazy-test') with the pinned Kubernetes version
    const route: Manifest = { ...configMap, object: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'example.com/x' } } as KubeObject };
    runGate([configMap, route], { only: ['schema'], schemasDir: 'lazy-test' });
    expect(store.loaded).toEqual(['kubernetes/v1.28.0/_definitions.json', 'jsonschema/gateway.networking.k8s.io/gatewayclass_v1.json']);
  });
});

describe('object size', () => {
  it('bounds the JSON size from above on awkward data, and gives the exact size only over the limit', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is written as null
    const awkward = { 'k"\\\u0001': ['\u0000\u001f"\\', '\ud800', '😀é\u2028', -2.2250738585072014e-308, Number.NaN, true, null, undefined, , { nested: [] }], skipped: undefined, '': '' };
    for (const value of [awkward, '', [], {}, 0, 'x'.repeat(1000), { a: { b: { c: 'é'.repeat(50) } } }]) {
      expect(jsonBytesAtMost(value)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(value) ?? ''));
    }
    expect(jsonBytesAtMost(new Date(0))).toBe(Number.POSITIVE_INFINITY);
    const object = (size: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'x'.repeat(size) } });
    expect(bytesOverObjectLimit(object(1024 * 1024))).toBeUndefined();
    // over the bound (6 bytes a character) but under the limit: the exact size decides
    expect(bytesOverObjectLimit(object(1.4 * 1024 * 1024))).toBeUndefined();
    expect(bytesOverObjectLimit(object(1.5 * 1024 * 1024))).toBe(Buffer.byteLength(JSON.stringify(object(1.5 * 1024 * 1024))));
  });
});
