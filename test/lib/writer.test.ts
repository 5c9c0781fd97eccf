import { mkdtempSync, readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTreeAtomically } from '../../charts/lib/writer.ts';

function listTree(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listTree(root, join(prefix, entry.name)) : [join(prefix, entry.name)]));
}

describe('writeTreeAtomically', () => {
  it('replaces the whole tree: stale files vanish', () => {
    const root = mkdtempSync(join(tmpdir(), 'writer-'));
    const out = join(root, 'dist');
    writeTreeAtomically(
      out,
      new Map([
        ['prod/a/x.yaml', 'one'],
        ['prod/b/y.yaml', 'two'],
      ]),
    );
    writeTreeAtomically(out, new Map([['prod/a/x.yaml', 'three']]));
    expect(listTree(out)).toEqual(['prod/a/x.yaml']);
    expect(readFileSync(join(out, 'prod/a/x.yaml'), 'utf8')).toBe('three');
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('leaves the previous tree byte-identical when writing fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'writer-'));
    const out = join(root, 'dist');
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
});
