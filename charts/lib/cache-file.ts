import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A cache file's JSON; undefined when there is none yet or it is torn (the caller recomputes). */
export function readCacheFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file whole or not at all (a temporary file renamed into place), so a reader never sees half of it.
 * Best effort: a read-only checkout still works, it only recomputes what the cache would have held next time.
 */
export function writeCacheFile(path: string, data: string): void {
  const temporary = `${path}.${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch {
    // Nothing to do: the cache is an optimization only.
  }
}
