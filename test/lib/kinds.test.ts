import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLUSTER_SCOPED_KINDS, isClusterScoped } from '../../charts/lib/kinds.ts';
import { schemasDir } from '../../gate/schemas-location.ts';

describe('cluster-scoped kinds', () => {
  it('match the scope declared by every pinned CRD', () => {
    const crds = join(schemasDir(), 'crds');
    const mismatches: string[] = [];
    for (const group of readdirSync(crds)) {
      for (const file of readdirSync(join(crds, group))) {
        const crd = parse(readFileSync(join(crds, group, file), 'utf8'));
        const key = `${crd.spec.group}/${crd.spec.names.kind}`;
        const clusterScoped = crd.spec.scope === 'Cluster';
        if (clusterScoped !== CLUSTER_SCOPED_KINDS.has(key)) mismatches.push(`${key} is ${crd.spec.scope}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('knows core kinds', () => {
    expect(isClusterScoped('v1', 'Namespace')).toBe(true);
    expect(isClusterScoped('storage.k8s.io/v1', 'StorageClass')).toBe(true);
    expect(isClusterScoped('v1', 'ConfigMap')).toBe(false);
  });
});
