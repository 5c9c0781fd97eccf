import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../gate/schemas-location.ts';

// The fixture lives in the repository (the launcher bundles entries of the repository only).
const DIR = join(REPO_ROOT, '.cache', 'test-run');
const run = () => spawnSync(process.execPath, ['scripts/run.mjs', '.cache/test-run/entry.ts', 'arg'], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('scripts/run.mjs (precompiled entry points)', () => {
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it('runs a TypeScript entry with its arguments, and rebuilds whenever an input changes, even within the same second and size', () => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's source holds a template literal
    writeFileSync(join(DIR, 'entry.ts'), "import { word } from './dep.ts';\nconst args: string[] = process.argv.slice(2);\nconsole.log(`${word} ${args.join(',')}`);\n");
    writeFileSync(join(DIR, 'dep.ts'), "export const word: string = 'aaa';\n");
    expect(run().stdout).toBe('aaa arg\n');
    expect(run().stdout).toBe('aaa arg\n');
    // Same size, same mtime: only the content says it changed.
    const { atime, mtime } = statSync(join(DIR, 'dep.ts'));
    writeFileSync(join(DIR, 'dep.ts'), "export const word: string = 'bbb';\n");
    utimesSync(join(DIR, 'dep.ts'), atime, mtime);
    expect(run().stdout).toBe('bbb arg\n');
  });

  it("keeps V8's code cache beside the bundle; a corrupt cache is rejected by V8 and rewritten, the output unchanged", () => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's source holds a template literal
    writeFileSync(join(DIR, 'entry.ts'), "console.log(`cached ${process.argv.slice(2).join(',')}`);\n");
    const build = join(REPO_ROOT, '.cache', 'build');
    const caches = () => readdirSync(build).filter((name) => name.startsWith('.cache-test-run-entry-') && name.endsWith('.cjs.v8'));
    expect(run().stdout).toBe('cached arg\n');
    expect(caches()).toHaveLength(1);
    const cache = join(build, caches()[0]!);
    writeFileSync(cache, 'not a code cache');
    expect(run().stdout).toBe('cached arg\n');
    expect(readFileSync(cache, 'utf8')).not.toBe('not a code cache');
    // a rebuild replaces the bundle and drops the old one with its cache
    writeFileSync(join(DIR, 'entry.ts'), "console.log('rebuilt');\n");
    expect(run().stdout).toBe('rebuilt\n');
    expect(readdirSync(build).filter((name) => name.startsWith('.cache-test-run-entry-'))).toHaveLength(2);
  });

  it('names the file and line of a syntax error, exit 2', () => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'entry.ts'), 'const = 1;\n');
    const result = run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^cannot compile \.cache\/test-run\/entry\.ts:\n {2}.*entry\.ts:1:6: Expected identifier but found "="/);
  });
});
