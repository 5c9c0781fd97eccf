import { describe, expect, it } from 'vitest';
import { assignFileNames, fileName, sortedCopy, normalizeObject, toYaml } from '../../charts/lib/render.ts';
import type { KubeObject } from '../../charts/lib/manifest.ts';

const cm = (name: string, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('file names', () => {
  it('come from kind and name, never from construct paths or hashes', () => {
    expect(fileName(cm('settings', 'grafana'), false)).toBe('configmap-settings.yaml');
  });

  it('add the namespace only when two objects of a folder share kind and name', () => {
    expect(assignFileNames([cm('ca', 'a'), cm('ca', 'b'), cm('other', 'a')])).toEqual(['configmap-a-ca.yaml', 'configmap-b-ca.yaml', 'configmap-other.yaml']);
  });
});

describe('YAML', () => {
  it('sorts keys at every level and keeps list order', () => {
    const text = toYaml({ kind: 'X', apiVersion: 'v1', spec: { b: 1, a: [{ z: 1, y: 2 }, 'second'] } });
    expect(text).toBe('apiVersion: v1\nkind: X\nspec:\n  a:\n    - y: 2\n      z: 1\n    - second\n  b: 1\n');
  });

  it('never folds long lines', () => {
    const long = 'x'.repeat(300);
    expect(toYaml({ a: `${long} ${long}` }).split('\n')).toHaveLength(2);
  });
});

describe('normalizeObject', () => {
  it('drops the namespace of cluster-scoped kinds', () => {
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'x', namespace: 'oops' } };
    expect(normalizeObject(issuer).metadata).toEqual({ name: 'x' });
    expect(normalizeObject(cm('keep', 'ns')).metadata.namespace).toBe('ns');
  });
});

describe('sortedCopy', () => {
  it('copies plain data with keys in code-unit order at every level, every value and hole kept, class instances by reference', () => {
    class Quantity {
      readonly text = '1Gi';
    }
    const quantity = new Quantity();
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    // biome-ignore lint/suspicious/noSparseArray: a hole must stay a hole
    const list = [1, , undefined, Number.NaN, -0];
    const source: Record<string, unknown> = { z: list, a: { nested: { deep: 'x', b: [{ y: 1, x: 2 }] } }, '10': 'integer-like keys first', '9': 'in numeric order', Z: 'upper case before lower', quantity, bare };
    Object.defineProperty(source, '__proto__', { value: { own: true }, enumerable: true, writable: true, configurable: true });
    const copy = sortedCopy(source) as Record<string, any>;
    expect(copy).not.toBe(source);
    expect(copy.a).not.toBe(source.a);
    expect(Object.keys(copy)).toEqual(['9', '10', 'Z', '__proto__', 'a', 'bare', 'quantity', 'z']);
    expect(Object.keys(copy.a.nested)).toEqual(['b', 'deep']);
    expect(Object.keys(copy.a.nested.b[0])).toEqual(['x', 'y']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ own: true });
    expect(1 in copy.z).toBe(false);
    expect(copy.z).toHaveLength(5);
    expect(Object.is(copy.z[3], Number.NaN) && Object.is(copy.z[4], -0)).toBe(true);
    expect(copy.quantity).toBe(quantity);
    expect(copy.bare).toBe(bare);
    expect(copy).toEqual(source);
  });
});
