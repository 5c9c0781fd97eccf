import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../gate/schemas-location.ts';

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

/**
 * Every `dist/…` path a document names, in backticks or not (a runbook's prose is read as literally as
 * its commands): cut at the first placeholder or glob, trailing punctuation dropped. Paths inside
 * URLs (`…/dist/…`) are not ours.
 */
function distPaths(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.-])dist\/[A-Za-z0-9_./-]*([<*{]?)/g)].map(([match, placeholder]) => {
    const path = match.slice(0, match.length - placeholder!.length).replace(/[.,:;]+$/, '');
    // A placeholder inside a file name (`diskpool-<node>.yaml`) checks the folder instead.
    return placeholder && !path.endsWith('/') ? path.slice(0, path.lastIndexOf('/') + 1) : path;
  });
}

/** Relative Markdown links `[text](path#anchor)`, outside fenced code; web links and pure anchors are skipped. */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURIComponent(target.split('#')[0]!));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(text: string): Set<string> {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...prose.matchAll(/^#{1,6} +(.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
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

  /** "page: path" for each path `pathsIn` finds in a page that does not exist in the repository. */
  const missingPaths = (pathsIn: (text: string) => string[]): string[] =>
    files.flatMap((file) => pathsIn(readFileSync(file, 'utf8')).flatMap((path) => (existsSync(join(REPO_ROOT, path)) ? [] : [`${relative(REPO_ROOT, file)}: ${path}`])));

  it('quote only paths that exist in the repository', () => {
    const missing = missingPaths(quotedPaths);
    expect(missing).toEqual([]);
  });

  it('name no dist/ path that does not exist, quoted or in prose, fences included', () => {
    const missing = missingPaths(distPaths);
    expect(missing).toEqual([]);
  });

  it('finds dist/ paths in prose, cutting placeholders (the check above can fail)', () => {
    expect(distPaths('patches under dist/prod/talos/, see `dist/<env>/root/`, dist/omni/access-policy.yaml. and dist/prod/storage/diskpool-<node>.yaml')).toEqual([
      'dist/prod/talos/',
      'dist/',
      'dist/omni/access-policy.yaml',
      'dist/prod/storage/',
    ]);
    expect(existsSync(join(REPO_ROOT, 'dist/prod/talos/'))).toBe(false);
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

  it('link only to files that exist (relative Markdown links)', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${relative(REPO_ROOT, file)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('link only to headings that exist (anchors of relative links between docs)', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, target, anchor] of text.replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s#:]*)#([^)\s]+)\)/g)) {
        const path = target ? resolve(dirname(file), target) : file;
        if (!path.endsWith('.md') || !existsSync(path)) continue;
        if (!anchorsOf(readFileSync(path, 'utf8')).has(anchor!)) broken.push(`${relative(REPO_ROOT, file)}: ${target}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('list every guide in docs/guides/README.md, and only guides that exist', () => {
    const dir = join(REPO_ROOT, 'docs', 'guides');
    const guides = readdirSync(dir)
      .filter((name) => name.endsWith('.md') && name !== 'README.md')
      .sort();
    const index = readFileSync(join(dir, 'README.md'), 'utf8');
    const listed = [...new Set([...index.matchAll(/\]\(([a-z0-9-]+\.md)\)/g)].map((m) => m[1]!))].sort();
    expect(listed).toEqual(guides);
    expect(guides).toEqual(expect.arrayContaining(['omni-cluster.md', 'local-environment.md', 'kubevirt.md', 'mesh.md', 'gateway.md', 'remote-management.md']));
  });

  it('README links the guides', () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('](docs/guides/README.md)');
  });
});
