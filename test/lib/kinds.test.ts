import { describe, expect, it } from 'vitest';
import { CLUSTER_SCOPED_KINDS, isClusterScoped } from '../../charts/lib/kinds.ts';
import { SchemaFiles } from '../../gate/schemas-location.ts';

describe('cluster-scoped kinds', () => {
  it('match the scope declared by every pinned CRD', () => {
    const files = new SchemaFiles();
    const mismatches: string[] = [];
    for (const { group, kind, crdFile } of files.lock.kinds) {
      // `spec.scope` of a CRD, without parsing megabytes of schema.
      const scope = /^ {2}scope: (\w+)$/m.exec(files.text(crdFile))?.[1];
      if ((scope === 'Cluster') !== CLUSTER_SCOPED_KINDS.has(`${group}/${kind}`)) mismatches.push(`${group}/${kind} is ${scope}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('knows core kinds', () => {
    expect(isClusterScoped('v1', 'Namespace')).toBe(true);
    expect(isClusterScoped('storage.k8s.io/v1', 'StorageClass')).toBe(true);
    expect(isClusterScoped('v1', 'ConfigMap')).toBe(false);
  });
});
