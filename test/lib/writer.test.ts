import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeEquals, writeTreeAtomically } from '../../charts/lib/writer.ts';
import { readTree } from '../helpers.ts';

const listTree = (root: string): string[] => [...readTree(root).keys()];

/** A fresh folder and the dist/ path in it (not created). */
function freshDist(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'writer-'));
  return { root, out: join(root, 'dist') };
}

/** A dist/ written with two files, and those files. */
function writtenDist(): { root: string; out: string; files: Map<string, string> } {
  const { root, out } = freshDist();
  const files = new Map([
    ['prod/a/x.yaml', 'one'],
    ['prod/b/y.yaml', 'two'],
  ]);
  writeTreeAtomically(out, files);
  return { root, out, files };
}

describe('writeTreeAtomically', () => {
  it('replaces the whole tree: stale files vanish', () => {
    const { root, out } = writtenDist();
    writeTreeAtomically(out, new Map([['prod/a/x.yaml', 'three']]));
    expect(listTree(out)).toEqual(['prod/a/x.yaml']);
    expect(readFileSync(join(out, 'prod/a/x.yaml'), 'utf8')).toBe('three');
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('leaves the previous tree byte-identical when writing fails', () => {
    const { root, out } = freshDist();
    mkdirSync(join(out, 'prod'), { recursive: true });
    writeFileSync(join(out, 'prod', 'keep.yaml'), 'previous');
    expect(() =>
      writeTreeAtomically(
        out,
        new Map([
          ['ok.yaml', 'x'],
          ['../escape.yaml', 'y'],
        ]),
      ),
    ).toThrow(/refusing to write outside/);
    expect(listTree(out)).toEqual(['prod/keep.yaml']);
    expect(readFileSync(join(out, 'prod', 'keep.yaml'), 'utf8')).toBe('previous');
    expect(readdirSync(root)).toEqual(['dist']);
    expect(existsSync(join(root, 'escape.yaml'))).toBe(false);
  });

  it('does not rewrite a tree that already holds exactly the files', () => {
    const { out, files } = writtenDist();
    const inode = statSync(join(out, 'prod/a/x.yaml')).ino;
    writeTreeAtomically(out, new Map(files));
    expect(statSync(join(out, 'prod/a/x.yaml')).ino).toBe(inode);
  });

  it('compares paths, contents and extra files', () => {
    const { root, out, files } = writtenDist();
    expect(treeEquals(out, files)).toBe(true);
    expect(
      treeEquals(
        out,
        new Map([
          ['prod/a/x.yaml', 'one'],
          ['prod/b/y.yaml', 'changed'],
        ]),
      ),
    ).toBe(false);
    expect(treeEquals(out, new Map([['prod/a/x.yaml', 'one']]))).toBe(false);
    expect(treeEquals(out, new Map([...files, ['prod/c/z.yaml', 'new']]))).toBe(false);
    expect(treeEquals(join(root, 'missing'), files)).toBe(false);
  });
});
