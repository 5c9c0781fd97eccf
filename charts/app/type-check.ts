import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { readCacheFile, writeCacheFile } from '../lib/cache-file.ts';

/**
 * Synth runs TypeScript through tsx, which strips types without checking them: a misspelled optional
 * field (`expire:` for `expires:`) would be ignored. So synth refuses to run on sources that do not
 * type-check. The check (tsc over what synth runs, `tsconfig.synth.json`) is cached by the hash of
 * those sources, so a warm synth pays a hash (≈ 20 ms), not a compile (docs/decisions/0902-synth-type-checks.md).
 */
export interface TypeCheckOptions {
  readonly root?: string;
  /** tsconfig, relative to root. @default tsconfig.synth.json */
  readonly project?: string;
  /** Folders whose .ts files the check covers (their hash is the cache key). */
  readonly folders?: readonly string[];
}

/** The result as `npm run synth` reports it, or undefined when the sources type-check. */
export function checkTypes(options: TypeCheckOptions = {}, env: NodeJS.ProcessEnv = process.env): { code: 1; stdout: string; stderr: string } | undefined {
  // `npm test` runs tsc over the whole project before its synth subprocesses: they skip the check.
  if (env.PLATFORM_TYPECHECKED === '1') return undefined;
  const problems = typeProblems(options);
  if (problems.length === 0) return undefined;
  return {
    code: 1,
    stdout: '',
    stderr: `synth failed; dist/ was left as it was.\n  type check (${problems.length} error(s)): synth runs only sources that type-check\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  };
}

/** The type errors of the sources synth runs, as user messages; [] when they type-check (cached). */
export function typeProblems(options: TypeCheckOptions = {}): string[] {
  const root = options.root ?? REPO_ROOT;
  const project = options.project ?? 'tsconfig.synth.json';
  const folders = options.folders ?? ['charts', 'gate', 'imports'];
  const cacheDir = join(root, '.cache', 'typecheck');
  const files = sourceFiles(root, [project, 'tsconfig.json', 'package-lock.json'], folders);
  const stamps = readCacheFile<Stamps>(join(cacheDir, 'stamps.json')); // none yet, or torn: hash the sources
  const trusted = stampedKey(stamps, root, files);
  const key = trusted ?? sourceHash(root, files);
  const marker = join(cacheDir, `ok-${key}`);
  if (existsSync(marker)) {
    if (!trusted) writeStamps(join(cacheDir, 'stamps.json'), root, files, key);
    return [];
  }
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  if (run.status === 0) {
    mkdirSync(cacheDir, { recursive: true });
    // One marker: the sources of the last good check.
    for (const name of readdirSync(cacheDir)) if (name.startsWith('ok-')) rmSync(join(cacheDir, name), { force: true });
    writeFileSync(marker, `${project}\n`);
    writeStamps(join(cacheDir, 'stamps.json'), root, files, key);
    return [];
  }
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => /\berror TS\d+:/.test(line));
  if (lines.length === 0) return [`tsc exited ${run.status ?? run.signal} without a diagnostic: ${(run.stderr || run.stdout || run.error?.message || '').trim().slice(0, 300)}`];
  return lines.map(formatDiagnostic);
}

/** `charts/x.ts(5,30): error TS2353: …` → `all environments › charts/x.ts:5:30: … (TS2353); fix the source …` */
export function formatDiagnostic(line: string): string {
  const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
  if (!match) return line.trim();
  const [, file, row, column, code, message] = match;
  const environment = /^charts\/environments\/(prod|staging|sandbox)\.ts$/.exec(file!)?.[1] ?? 'all environments';
  return `${environment} › ${file}:${row}:${column}: ${message} (${code}); fix the source so it type-checks (npm run typecheck)`;
}

/** The files the check covers, relative to root, in a stable order. */
function sourceFiles(root: string, files: readonly string[], folders: readonly string[]): string[] {
  const found = files.filter((file) => existsSync(join(root, file)));
  for (const folder of folders) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .sort();
    for (const name of entries) found.push(join(folder, name));
  }
  return found;
}

function sourceHash(root: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 32);
}

/**
 * The content hash of the last check with the size and mtime of each file, as git's index keeps
 * them: when every file still has its recorded size and mtime, and that mtime is older than the
 * record by more than RACY_MS (a same-tick edit keeps both), the sources are the ones hashed then.
 * Reading 7 MB of generated imports/ to hash them was the larger part of a warm check.
 */
interface Stamps {
  readonly key: string;
  readonly recordedAt: number;
  readonly files: Record<string, readonly [number, number]>;
}

const RACY_MS = 2000;

function stampedKey(stamps: Stamps | undefined, root: string, files: readonly string[]): string | undefined {
  if (!stamps || Object.keys(stamps.files).length !== files.length) return undefined;
  for (const file of files) {
    const recorded = stamps.files[file];
    if (!recorded) return undefined;
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(join(root, file));
    } catch {
      return undefined;
    }
    if (stat.size !== recorded[0] || stat.mtimeMs !== recorded[1] || stat.mtimeMs >= stamps.recordedAt - RACY_MS) return undefined;
  }
  return stamps.key;
}

function writeStamps(path: string, root: string, files: readonly string[], key: string): void {
  const recordedAt = Date.now();
  const entries: Record<string, readonly [number, number]> = {};
  for (const file of files) {
    const stat = statSync(join(root, file));
    entries[file] = [stat.size, stat.mtimeMs];
  }
  writeCacheFile(path, JSON.stringify({ key, recordedAt, files: entries } satisfies Stamps));
}
