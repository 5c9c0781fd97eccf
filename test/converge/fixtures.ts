import { join } from 'node:path';
import { readDistDir, type DistTree } from '../../tools/dist-tree.ts';

export const DIST = readDistDir(join(import.meta.dirname, '..', '..', 'dist'));

/** A copy of `tree` with one file edited; fails when the edit changes nothing (the fixture would test nothing). */
export function edited(tree: DistTree, path: string, edit: (text: string) => string): DistTree {
  const copy = new Map(tree);
  const text = copy.get(path);
  if (text === undefined) throw new Error(`${path} not in the tree`);
  const next = edit(text);
  if (next === text) throw new Error(`edit of ${path} changed nothing`);
  copy.set(path, next);
  return copy;
}

/**
 * The committed tree with B2 ordered away by hand, as the render workstream's fix is expected to do
 * it (Grafana's chart after the folder that makes its Secrets, the folder creating the namespace):
 * lets the scenarios reach the waves after 60 until that fix is merged.
 */
export function withoutB2(tree: DistTree = DIST): DistTree {
  if (!tree.get('prod/root/application-prod-grafana-chart.yaml')?.includes('sync-wave: "60"')) return tree;
  const copy = edited(tree, 'prod/root/application-prod-grafana-chart.yaml', (t) => t.replace('sync-wave: "60"', 'sync-wave: "66"'));
  return edited(copy, 'prod/root/application-prod-grafana.yaml', (t) =>
    t.replace('    server: https://kubernetes.default.svc\n', '    namespace: grafana\n    server: https://kubernetes.default.svc\n').replace('      limit: 5\n', '      limit: 5\n    syncOptions:\n      - CreateNamespace=true\n'),
  );
}
