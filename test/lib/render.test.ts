import { describe, expect, it } from 'vitest';
import { assignFileNames, fileName, normalizeObject, toYaml } from '../../charts/lib/render.ts';
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
