/**
 * Where a pinned chart comes from, verified against `charts.lock.json`: `CHARTS_DIR` when set, else
 * `../shared/charts` beside the repository (packaged charts with an `index.json`), else
 * `.cache/charts`, else `helm pull` into `.cache/charts` (needs network). The first resolution of a
 * chart version records its sha256 in the lock file; every later one must match it.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../gate/schemas-location.ts';

export const CHARTS_CACHE_DIR = join(REPO_ROOT, '.cache', 'charts');
export const CHARTS_LOCK_FILE = join(REPO_ROOT, 'charts.lock.json');

export class ChartError extends Error {}

/** A chart as an Application names it. */
export interface ChartRef {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
}

export interface ResolvedChart extends ChartRef {
  /** The packaged chart (.tgz). */
  readonly file: string;
  readonly sha256: string;
  /** Where it was found: `CHARTS_DIR`, `../shared/charts`, `.cache/charts` or `helm pull`. */
  readonly origin: string;
}

export interface ChartSources {
  /** Folders holding `<chart>-<version>.tgz` (and possibly an `index.json`), in order. */
  readonly dirs: readonly { readonly dir: string; readonly origin: string }[];
  /** Pull missing charts with helm into the cache (network). @default true */
  readonly pull: boolean;
  readonly lockFile: string;
}

/** The chart sources of this machine, in the order of the issue (#15): CHARTS_DIR, ../shared/charts, .cache/charts. */
export function chartSources(env: NodeJS.ProcessEnv = process.env): ChartSources {
  const dirs: { dir: string; origin: string }[] = [];
  if (env.CHARTS_DIR) dirs.push({ dir: resolve(env.CHARTS_DIR), origin: 'CHARTS_DIR' });
  else {
    const shared = resolve(REPO_ROOT, '..', 'shared', 'charts');
    if (existsSync(shared)) dirs.push({ dir: shared, origin: '../shared/charts' });
  }
  dirs.push({ dir: CHARTS_CACHE_DIR, origin: '.cache/charts' });
  return { dirs, pull: env.RENDER_OFFLINE !== '1', lockFile: env.CHARTS_LOCK_FILE ? resolve(env.CHARTS_LOCK_FILE) : CHARTS_LOCK_FILE };
}

export function chartKey(ref: ChartRef): string {
  return `${ref.repoURL.replace(/\/+$/, '')} ${ref.chart} ${ref.version}`;
}

interface LockFile {
  readonly comment: string;
  charts: Record<string, { sha256: string }>;
}

const LOCK_COMMENT =
  'sha256 of every packaged chart npm run render used, recorded on first use and verified on every later one (tools/render/charts.ts). A changed digest means a different chart under the same version: find out why before updating it.';

export function readLock(file: string): LockFile {
  if (!existsSync(file)) return { comment: LOCK_COMMENT, charts: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as LockFile;
}

function writeLock(file: string, lock: LockFile): void {
  const sorted = Object.fromEntries(Object.entries(lock.charts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(file, `${JSON.stringify({ comment: LOCK_COMMENT, charts: sorted }, null, 2)}\n`);
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** `index.json` entries of a shared charts folder, when it has one. */
function indexEntry(dir: string, ref: ChartRef): string | undefined {
  const index = join(dir, 'index.json');
  if (!existsSync(index)) return undefined;
  const entries = JSON.parse(readFileSync(index, 'utf8')) as { repoURL: string; chart: string; version: string; file: string }[];
  const entry = entries.find((e) => chartKey(e) === chartKey(ref));
  return entry ? join(dir, entry.file) : undefined;
}

function findInDir(dir: string, ref: ChartRef): string | undefined {
  const fromIndex = indexEntry(dir, ref);
  if (fromIndex && existsSync(fromIndex)) return fromIndex;
  const plain = join(dir, `${ref.chart}-${ref.version}.tgz`);
  return existsSync(plain) ? plain : undefined;
}

/** `helm pull` into .cache/charts (a temporary folder first, so a failed pull leaves nothing). */
function pull(helm: string, ref: ChartRef): string {
  const partial = join(CHARTS_CACHE_DIR, `.pull-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const result = spawnSync(helm, ['pull', ref.chart, '--repo', ref.repoURL, '--version', ref.version, '--destination', partial], { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new ChartError((result.stderr || result.stdout || String(result.error)).trim().split('\n').slice(-3).join(' '));
    const [file] = readdirSync(partial).filter((f) => f.endsWith('.tgz'));
    if (!file) throw new ChartError('helm pull wrote no .tgz');
    const target = join(CHARTS_CACHE_DIR, `${ref.chart}-${ref.version}.tgz`);
    renameSync(join(partial, file), target);
    return target;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * The packaged chart for `ref`, verified against (or recorded in) the lock file. `helm` is only
 * called (and so only built) when no folder has the chart.
 */
export function resolveChart(ref: ChartRef, sources: ChartSources, helm: () => string): ResolvedChart {
  let file: string | undefined;
  let origin = '';
  for (const source of sources.dirs) {
    file = findInDir(source.dir, ref);
    if (file) {
      origin = source.origin;
      break;
    }
  }
  const looked = sources.dirs.map((s) => `${s.origin} (${s.dir})`).join(', ');
  if (!file && sources.pull) {
    mkdirSync(CHARTS_CACHE_DIR, { recursive: true });
    try {
      file = pull(helm(), ref);
      origin = 'helm pull';
    } catch (error) {
      throw new ChartError(
        `chart ${ref.chart}@${ref.version} (${ref.repoURL}) not found: looked in ${looked}; helm pull failed: ${(error as Error).message}. ` +
          `Fix: put ${ref.chart}-${ref.version}.tgz in CHARTS_DIR (or ../shared/charts), or run on a machine that reaches ${ref.repoURL}`,
      );
    }
  }
  if (!file) {
    throw new ChartError(
      `chart ${ref.chart}@${ref.version} (${ref.repoURL}) not found: looked in ${looked}; helm pull is off (RENDER_OFFLINE=1). ` +
        `Fix: put ${ref.chart}-${ref.version}.tgz in CHARTS_DIR (or ../shared/charts), or unset RENDER_OFFLINE on a machine that reaches ${ref.repoURL}`,
    );
  }
  const sha256 = sha256File(file);
  const lock = readLock(sources.lockFile);
  const key = chartKey(ref);
  const locked = lock.charts[key];
  if (!locked) {
    lock.charts[key] = { sha256 };
    writeLock(sources.lockFile, lock);
  } else if (locked.sha256 !== sha256) {
    throw new ChartError(
      `chart ${ref.chart}@${ref.version} from ${origin} (${file}) has sha256 ${sha256} but ${sources.lockFile} records ${locked.sha256}: ` +
        `a different package under the same version. Fix: use the package the lock records; if the change is intended (e.g. an official package replacing a rebuild), delete its entry from the lock file and re-run`,
    );
  }
  return { ...ref, file, sha256, origin };
}
