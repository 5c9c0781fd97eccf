import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Replaces `outdir` with exactly `files` (relative path → content). Everything is written to a
 * sibling temporary folder first and swapped in with two renames, so stale files vanish and a
 * failure at any point leaves the previous tree as it was.
 */
export function writeTreeAtomically(outdir: string, files: ReadonlyMap<string, string>): void {
  const target = resolve(outdir);
  // The usual synth changes nothing: reading the tree costs a tenth of rewriting and swapping it.
  if (treeEquals(target, files)) return;
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.new-${process.pid}`);
  const previous = join(parent, `.${basename(target)}.old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const made = new Set<string>();
    for (const [relative, content] of files) {
      if (relative.startsWith('/') || relative.split('/').includes('..')) throw new Error(`refusing to write outside ${outdir}: ${relative}`);
      const path = join(staging, relative);
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      writeFileSync(path, content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = existsSync(target);
  if (hadPrevious) renameSync(target, previous);
  try {
    renameSync(staging, target);
  } catch (error) {
    if (hadPrevious) renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) rmSync(previous, { recursive: true, force: true });
}

/** Whether `dir` holds exactly `files`: the same paths, the same contents, nothing else. */
export function treeEquals(dir: string, files: ReadonlyMap<string, string>): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  let count = 0;
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) return false;
    const relative = join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1);
    const expected = files.get(relative);
    if (expected === undefined || readFileSync(join(dir, relative), 'utf8') !== expected) return false;
    count++;
  }
  return count === files.size;
}
