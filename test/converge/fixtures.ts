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
