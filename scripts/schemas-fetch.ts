/**
 * `npm run schemas:fetch [-- --base-url URL] [--out DIR]`: fills the git-ignored schema cache
 * (`.cache/schemas`, where the gate looks when neither SCHEMAS_DIR nor ../shared/schemas exists), the
 * way kubeconform fetches its catalogue. Downloads `index.json` and every file it lists (Kubernetes
 * 1.28 definitions, pinned CRDs, their JSON schemas) from a mirror of the shared schemas layout, checks
 * each against the sha256 pinned in `schemas.lock.json`, and swaps the cache in atomically.
 *
 * `npm run schemas:fetch -- --write-lock [DIR]` records the hashes of a local schemas folder
 * (default: the one the gate uses) into `schemas.lock.json`. See docs/decisions/0103-schema-download.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT, SCHEMAS_CACHE_DIR, schemasDir } from '../gate/schemas-location.ts';

export const LOCK_FILE = join(REPO_ROOT, 'schemas.lock.json');
const DEFINITIONS = 'kubernetes/v1.28.0/_definitions.json';

export interface SchemaLock {
  readonly files: Record<string, { readonly sha256: string; readonly bytes: number }>;
}

interface IndexEntry {
  readonly crdFile: string;
  readonly jsonSchemaFiles: readonly { readonly file: string }[];
}

/** Every file the gate, the tests and `npm run import` may read, from the index. */
export function filesOf(index: readonly IndexEntry[]): string[] {
  const files = new Set<string>(['index.json', DEFINITIONS]);
  for (const entry of index) {
    files.add(entry.crdFile);
    for (const schema of entry.jsonSchemaFiles) files.add(schema.file);
  }
  return [...files].sort();
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes of a local schemas folder. */
export function lockOf(dir: string): SchemaLock {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as IndexEntry[];
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const file of filesOf(index)) {
    const data = readFileSync(join(dir, file));
    files[file] = { sha256: sha256(data), bytes: data.length };
  }
  return { files };
}

export interface FetchOptions {
  readonly baseUrl: string;
  readonly out: string;
  readonly lock: SchemaLock;
  /** Parallel downloads. @default 8 */
  readonly concurrency?: number;
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Downloads and verifies every pinned file into `out` (replaced atomically; untouched on failure). */
export async function fetchSchemas(options: FetchOptions): Promise<{ files: number; bytes: number }> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const verify = (file: string, data: Uint8Array) => {
    const pinned = options.lock.files[file];
    if (!pinned) throw new Error(`${file} is not pinned in schemas.lock.json; refusing an unpinned schema`);
    const actual = sha256(data);
    if (actual !== pinned.sha256) throw new Error(`${file}: sha256 ${actual} does not match the pinned ${pinned.sha256}; the mirror at ${base} serves a different file`);
  };
  const indexData = await download(`${base}/index.json`);
  verify('index.json', indexData);
  const files = filesOf(JSON.parse(Buffer.from(indexData).toString('utf8')) as IndexEntry[]);
  const staging = `${options.out}.download-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  let bytes = 0;
  try {
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const data = file === 'index.json' ? indexData : await download(`${base}/${file}`);
        verify(file, data);
        const path = join(staging, file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, data);
        bytes += data.length;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    rmSync(options.out, { recursive: true, force: true });
    mkdirSync(dirname(options.out), { recursive: true });
    renameSync(staging, options.out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { files: files.length, bytes };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  if (process.argv.includes('--write-lock')) {
    const dir = resolve(argument('--write-lock') ?? schemasDir());
    const lock = lockOf(dir);
    writeFileSync(LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`pinned ${Object.keys(lock.files).length} schema files from ${dir} in schemas.lock.json`);
  } else {
    const baseUrl = argument('--base-url') ?? process.env.SCHEMAS_BASE_URL ?? process.env.npm_package_config_schemasBaseUrl ?? '';
    if (!baseUrl) {
      console.error('schemas:fetch: no base URL; pass --base-url URL or set SCHEMAS_BASE_URL (a mirror of the shared schemas layout: index.json, kubernetes/, crds/, jsonschema/)');
      process.exit(2);
    }
    const out = resolve(argument('--out') ?? SCHEMAS_CACHE_DIR);
    if (!existsSync(LOCK_FILE)) {
      console.error('schemas:fetch: schemas.lock.json is missing; nothing is pinned');
      process.exit(2);
    }
    const lock = JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as SchemaLock;
    fetchSchemas({ baseUrl, out, lock }).then(
      ({ files, bytes }) => console.log(`fetched ${files} schema files (${(bytes / 1e6).toFixed(1)} MB) from ${baseUrl} into ${out}`),
      (error: Error) => {
        console.error(`schemas:fetch failed, ${out} left as it was: ${error.message}`);
        process.exit(1);
      },
    );
  }
}
