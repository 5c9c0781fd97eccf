import { execFileSync } from 'node:child_process';
import { type Dirent, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * The crash-safe writer of dist/ (docs/decisions/0900-crash-safe-writer.md).
 *
 * Steps, each a point where the process may die:
 *   lock   our pid written to `.dist.lock-<pid>`, then hard-linked to `.dist.lock` (link(2) fails if it
 *          exists, so the lock appears atomically with its pid: never empty); a live holder refuses us
 *   stage  every file written into `.dist.new-<pid>/`, then made durable (syncfs, else fsync each file and folder)
 *   commit `.dist.swap` (journal: the staged and previous folder names) written and fsynced —
 *          from here on the new tree is complete and known
 *   swap   rename dist → `.dist.old-<pid>`, rename `.dist.new-<pid>` → dist, fsync the parent
 *   done   journal removed, previous tree removed, lock released
 *
 * A later run (under the lock) reads the journal and finishes a half-done swap, or drops a staged
 * tree whose journal was never written; orphan `.dist.new-*` / `.dist.old-*` are removed. So after
 * any crash, dist/ is the old or the new complete tree as soon as the next run starts, and between
 * the two renames the complete new tree sits under the name the journal records.
 */

/** A writer failure with the message a user reads (no stack trace needed). */
export class WriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteError';
  }
}

/** Steps where tests inject faults (an exception, or a SIGKILL of the process). */
export type WriteStep = 'locked' | 'staged-file' | 'staged' | 'journal' | 'moved-old' | 'moved-new' | 'cleaned';

export interface WriteOptions {
  /** Called at every step; a test throws here to simulate a failure (disk full, crash). */
  readonly onStep?: (step: WriteStep) => void;
  /** fsync files and folders. @default true (tests of the logic may turn it off for speed) */
  readonly fsync?: boolean;
}

interface Journal {
  readonly staging: string;
  readonly previous: string;
}

function names(outdir: string) {
  const target = resolve(outdir);
  const parent = dirname(target);
  const base = basename(target);
  return {
    target,
    parent,
    base,
    lock: join(parent, `.${base}.lock`),
    lockCandidate: (pid: number) => join(parent, `.${base}.lock-${pid}`),
    /** The pid of a lock candidate left by a run killed before it linked or removed it. */
    candidatePid: (name: string) => (name.startsWith(`.${base}.lock-`) ? Number(name.slice(base.length + 7)) : Number.NaN),
    journal: join(parent, `.${base}.swap`),
    staging: (pid: number) => join(parent, `.${base}.new-${pid}`),
    previous: (pid: number) => join(parent, `.${base}.old-${pid}`),
    isOrphan: (name: string) => name.startsWith(`.${base}.new-`) || name.startsWith(`.${base}.old-`),
  };
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeDurably(path: string, content: string, sync: boolean): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, content);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes the staged files and their directory entries durable before the journal commits them. One
 * syncfs(2) of the file system (`sync -f`, coreutils ≥ 8.24) costs ≈ 0.2 s where an fsync per file
 * costs ≈ 3 s for dist/ on the shared dev machine; without it (macOS), every file and folder is fsynced.
 */
function syncTree(staging: string, files: readonly string[], folders: readonly string[]): void {
  try {
    execFileSync('sync', ['-f', staging], { stdio: 'ignore' });
    return;
  } catch {
    // no GNU sync: fsync one by one
  }
  for (const file of files) fsyncPath(file);
  // A file's directory entry is durable only once its folder is fsynced.
  for (const folder of folders) fsyncPath(folder);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Explains an fs error in one line: code, what it means, the path below the parent folder. */
function describeFsError(error: unknown, parent: string): string {
  const e = error as NodeJS.ErrnoException;
  const meaning: Record<string, string> = {
    ENOSPC: 'no space left on the device; free some space and run synth again',
    EDQUOT: 'disk quota exceeded; free some space and run synth again',
    EROFS: 'the file system is read-only; run synth where the repository is writable',
    EACCES: 'permission denied; make the repository writable by you (e.g. chmod -R u+w on it)',
    EPERM: 'operation not permitted; make the repository writable by you (e.g. chmod -R u+w on it)',
    EMFILE: 'too many open files; raise the limit (ulimit -n) and run synth again',
  };
  const where = e.path ? ` (${relative(parent, e.path) || e.path})` : '';
  return `${e.code ?? 'error'}${where}: ${meaning[e.code ?? ''] ?? e.message}`;
}

/**
 * Takes the lock of `outdir` (`.<name>.lock` beside it) for this process; returns the function that
 * releases it. A lock whose pid is dead is stale and taken over.
 */
export function lockTree(outdir: string): () => void {
  const { lock, lockCandidate, parent, base } = names(outdir);
  mkdirSync(parent, { recursive: true });
  const candidate = lockCandidate(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(candidate, `${process.pid}\n`);
      linkSync(candidate, lock);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new WriteError(`cannot lock ${base}/: ${describeFsError(error, parent)}`);
    } finally {
      rmSync(candidate, { force: true });
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(lock, 'utf8').trim(), 10);
    } catch {
      // Vanished between link and read: the holder just released it; try again.
      continue;
    }
    if (holder !== process.pid && isAlive(holder)) {
      throw new WriteError(`another synth is running (pid ${holder}) and holds ${relative(process.cwd(), lock) || lock}; wait for it to finish (if pid ${holder} is not a synth, delete that file)`);
    }
    rmSync(lock, { force: true }); // stale: its process is gone (a lock is linked complete, so no pid means no holder)
  }
  throw new WriteError(`cannot lock ${base}/: the lock file keeps changing; is another synth starting in a loop?`);
}

/**
 * Brings `outdir` back to a complete tree after an interrupted write, and removes orphans. Call it
 * holding the lock. Returns what it did (for the synth summary and tests).
 */
export function recoverTree(outdir: string): string[] {
  const { target, parent, journal, isOrphan, candidatePid } = names(outdir);
  const done: string[] = [];
  if (!existsSync(parent)) return done;
  if (existsSync(journal)) {
    let entry: Journal | undefined;
    try {
      entry = JSON.parse(readFileSync(journal, 'utf8')) as Journal;
    } catch {
      entry = undefined; // torn journal: written before its fsync completed, so the swap never started
    }
    if (entry && typeof entry.staging === 'string' && typeof entry.previous === 'string') {
      const staging = join(parent, entry.staging);
      const previous = join(parent, entry.previous);
      if (!existsSync(target) && existsSync(staging)) {
        // Died between the two renames: the complete new tree is staged; finish the swap.
        renameSync(staging, target);
        fsyncPath(parent);
        done.push(`finished an interrupted swap (${entry.staging} → ${basename(target)})`);
      } else if (!existsSync(target) && existsSync(previous)) {
        renameSync(previous, target);
        fsyncPath(parent);
        done.push(`restored the previous tree (${entry.previous} → ${basename(target)})`);
      }
    }
    unlinkSync(journal);
  }
  for (const name of readdirSync(parent)) {
    const pid = candidatePid(name);
    if (!isOrphan(name) && (Number.isNaN(pid) || pid === process.pid || isAlive(pid))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    done.push(`removed orphan ${name}`);
  }
  return done;
}

/**
 * Replaces `outdir` with exactly `files` (relative path → content), crash-safe (see the module
 * comment). The caller holds the lock (`lockTree`) or the writer takes it for the duration.
 * Throws WriteError with a one-line reason; the previous tree is then intact.
 */
export function writeTreeAtomically(outdir: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): string[] {
  const release = lockTree(outdir);
  try {
    return writeLocked(outdir, files, options);
  } finally {
    release();
  }
}

function writeLocked(outdir: string, files: ReadonlyMap<string, string>, options: WriteOptions): string[] {
  const { target, parent, base, journal } = names(outdir);
  const step = options.onStep ?? (() => {});
  const sync = options.fsync ?? true;
  step('locked');
  const recovered = recoverTree(outdir);
  // The usual synth changes nothing: reading the tree costs a fraction of rewriting and syncing it.
  if (treeEquals(target, files)) return recovered;
  const staging = names(outdir).staging(process.pid);
  const previous = names(outdir).previous(process.pid);
  for (const relativePath of files.keys()) {
    if (relativePath.startsWith('/') || relativePath.split('/').includes('..')) throw new WriteError(`refusing to write outside ${outdir}: ${relativePath}`);
  }
  const hadPrevious = existsSync(target);
  if (hadPrevious) assertRemovable(target, parent);
  try {
    const folders = new Set<string>([staging]);
    for (const [relativePath, content] of files) {
      const path = join(staging, relativePath);
      const folder = dirname(path);
      if (!folders.has(folder)) {
        mkdirSync(folder, { recursive: true });
        for (let f = folder; f.length > staging.length; f = dirname(f)) folders.add(f);
        folders.add(folder);
      }
      writeDurably(path, content, false);
      step('staged-file');
    }
    mkdirSync(staging, { recursive: true });
    if (sync)
      syncTree(
        staging,
        [...files.keys()].map((relativePath) => join(staging, relativePath)),
        [...folders],
      );
    step('staged');
    writeDurably(journal, JSON.stringify({ staging: basename(staging), previous: basename(previous) }), sync);
    if (sync) fsyncPath(parent);
    step('journal');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    rmSync(journal, { force: true });
    if (error instanceof WriteError) throw error;
    if ((error as NodeJS.ErrnoException).code) throw new WriteError(`cannot write ${base}/: ${describeFsError(error, parent)}; ${base}/ was left as it was`);
    throw error;
  }
  try {
    if (hadPrevious) renameSync(target, previous);
    step('moved-old');
    renameSync(staging, target);
    step('moved-new');
    if (sync) fsyncPath(parent);
  } catch (error) {
    // Put the previous tree back (the journal lets the next run do it if we die here too).
    if (!existsSync(target) && hadPrevious && existsSync(previous)) renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    rmSync(journal, { force: true });
    if ((error as NodeJS.ErrnoException).code) throw new WriteError(`cannot replace ${base}/: ${describeFsError(error, parent)}; ${base}/ was left as it was`);
    throw error;
  }
  // The new tree is in place: what follows is cleanup, which the next run redoes if it fails.
  rmSync(journal, { force: true });
  try {
    rmSync(previous, { recursive: true, force: true });
  } catch {
    // Left as an orphan; recoverTree removes it on the next run.
  }
  step('cleaned');
  return recovered;
}

/**
 * The previous tree must be removable once replaced, or the swap would succeed and leave a
 * `.dist.old-*` behind that nobody can delete: check every folder is writable before changing anything.
 */
function assertRemovable(target: string, parent: string): void {
  const stack = [target];
  while (stack.length > 0) {
    const folder = stack.pop()!;
    const mode = statSync(folder).mode;
    // Root ignores permission bits, so test the bits rather than access(2).
    if ((mode & 0o200) === 0) {
      throw new WriteError(
        `cannot replace ${basename(target)}/: ${relative(parent, folder)}/ is not writable (mode ${(mode & 0o777).toString(8)}), so the old tree could not be removed; run chmod -R u+w ${relative(process.cwd(), target) || target}; ${basename(target)}/ was left as it was`,
      );
    }
    for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) stack.push(join(folder, entry.name));
  }
}

/** Whether `dir` holds exactly `files`: the same paths, the same contents, nothing else. */
export function treeEquals(dir: string, files: ReadonlyMap<string, string>): boolean {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  let count = 0;
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) return false;
    const relativePath = join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1);
    const expected = files.get(relativePath);
    if (expected === undefined || readFileSync(join(dir, relativePath), 'utf8') !== expected) return false;
    count++;
  }
  return count === files.size;
}
