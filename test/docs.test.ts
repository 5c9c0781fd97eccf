import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../charts/lib/schemas-location.ts';

/** Every Markdown file we write (dist/ is generated and checked elsewhere). */
function markdownFiles(dir = REPO_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', '.git', '.cache', 'imports'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const TOP_LEVEL = ['charts/', 'dist/', 'docs/', 'scripts/', 'test/', 'imports/', '.ci/', '.github/'];

/** Backticked repository paths: `charts/…`, `dist/prod/…` (globs and placeholders cut at the first wildcard). */
function quotedPaths(text: string): string[] {
  const paths: string[] = [];
  for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
    for (const word of code!.split(/\s+/)) {
      const clean = word.replace(/[),.:;]+$/, '');
      if (!TOP_LEVEL.some((prefix) => clean.startsWith(prefix))) continue;
      // Stop at placeholders and globs: `dist/<env>/<service>/` checks `dist/`.
      const cut = clean.split(/[<*{]/)[0]!;
      // A placeholder inside a file name (`diskpool-<node>.yaml`) checks the folder instead.
      paths.push(cut === clean || cut.endsWith('/') ? cut : cut.slice(0, cut.lastIndexOf('/') + 1));
    }
  }
  return paths;
}

function quotedScripts(text: string): string[] {
  return [...text.matchAll(/npm run(?: -s)? ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!);
}

describe('docs', () => {
  const files = markdownFiles();
  const scripts = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts);

  it('exist', () => {
    expect(files.map((f) => relative(REPO_ROOT, f))).toEqual(expect.arrayContaining(['README.md', 'docs/bootstrap.md', 'docs/adding-a-service.md']));
  });

  it('quote only paths that exist in the repository', () => {
    const missing: string[] = [];
    for (const file of files) {
      for (const path of quotedPaths(readFileSync(file, 'utf8'))) {
        if (!existsSync(join(REPO_ROOT, path))) missing.push(`${relative(REPO_ROOT, file)}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('quote only npm scripts that exist', () => {
    const missing: string[] = [];
    for (const file of files) {
      for (const script of quotedScripts(readFileSync(file, 'utf8'))) {
        if (!scripts.includes(script)) missing.push(`${relative(REPO_ROOT, file)}: npm run ${script}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('README gives exactly the two set-up commands', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(blocks.slice(0, 2)).toEqual(['npm ci && npm run synth', 'npm test']);
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
