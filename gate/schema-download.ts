/**
 * Fills the git-ignored `.cache/schemas` from the pinned upstream locations recorded in
 * `schemas.lock.json` (repository, tag, commit, path of every file), the way kubeconform fetches
 * its catalogue: raw files at a commit, cut out of a larger file where the lock says so, derived
 * files (openapi2jsonschema) computed here; every file checked against its sha256, the cache
 * swapped in atomically. `SCHEMAS_UPSTREAM` overrides the base URL (tests: a loopback server).
 * Synth and validate call `ensureSchemas()` first, so a fresh clone fills the cache by itself.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { extract, type FileSource, inputsOf, isDerived, type UpstreamSource } from './schema-sources.ts';
import { type LockedFile, missingMessage, readLock, SCHEMAS_CACHE_DIR, type SchemaLock, SchemaFiles, schemaPlaces, sha256 } from './schemas-location.ts';

export const DEFAULT_UPSTREAM = 'https://raw.githubusercontent.com';

export interface FetchOptions {
  readonly lock: SchemaLock;
  /** @default SCHEMAS_UPSTREAM, else the lock's `upstream` */
  readonly upstream?: string;
  /** @default .cache/schemas */
  readonly out?: string;
  /** Parallel downloads. @default 6 */
  readonly concurrency?: number;
}

const urlOf = (base: string, source: UpstreamSource) => `${base.replace(/\/+$/, '')}/${source.repo}/${source.commit}/${source.path}`;

async function download(url: string, attempts = 3): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    // A kept-alive connection the server has just closed: try again on a new one.
    if ((cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET') && attempts > 1) return download(url, attempts - 1);
    throw new Error(`GET ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.text();
}

/** Downloads, cuts, derives and verifies every pinned file into `out` (untouched on failure). */
export async function fetchSchemas(options: FetchOptions): Promise<{ files: number; bytes: number; downloads: number }> {
  const base = options.upstream ?? (process.env.SCHEMAS_UPSTREAM || options.lock.upstream);
  const out = options.out ?? SCHEMAS_CACHE_DIR;
  const entries = Object.entries(options.lock.files);
  const staging = `${out}.download-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const bodies = new Map<string, Promise<string>>();
  const fetchOnce = (url: string) => {
    const known = bodies.get(url);
    if (known) return known;
    const body = download(url);
    bodies.set(url, body);
    return body;
  };
  const made = new Map<string, string>();
  const verify = (file: string, entry: LockedFile, text: string) => {
    const actual = sha256(text);
    if (actual !== entry.sha256) throw new Error(`${file}: sha256 ${actual} does not match the pinned ${entry.sha256} (${describe(entry.from)})`);
    made.set(file, text);
  };
  try {
    const upstream = entries.filter(([, entry]) => !isDerived(entry.from));
    const queue = [...upstream];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [file, entry] = next;
        const source = entry.from as UpstreamSource;
        verify(file, entry, extract(await fetchOnce(urlOf(base, source)), source.extract));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));
    // Derived files: from files made above, in dependency order.
    const files = new SchemaFiles([staging], options.lock);
    for (const [file, text] of made) write(staging, file, text);
    for (const [file] of entries.filter(([, entry]) => isDerived(entry.from))) {
      const from = options.lock.files[file]!.from;
      if (isDerived(from)) for (const input of inputsOf(from)) if (!made.has(input)) throw new Error(`${file} is derived from ${input}, which is not pinned`);
      made.set(file, files.text(file));
      write(staging, file, made.get(file)!);
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(dirname(out), { recursive: true });
    renameSync(staging, out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { files: made.size, bytes: [...made.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0), downloads: bodies.size };
}

function write(root: string, file: string, text: string): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function describe(source: FileSource): string {
  if (isDerived(source)) return `derived by ${source.derive} from ${inputsOf(source).join(', ')}`;
  return `${source.repo}@${source.tag ?? source.commit.slice(0, 12)} ${source.path}${source.extract ? ` (${source.extract})` : ''}`;
}

/**
 * Makes sure every pinned schema can be read: from SCHEMAS_DIR, ../shared or the cache, else by
 * downloading them once into the cache (`verify`: also replace files whose sha256 is not the pin). Returns the one error to print (≤ 5 lines) when neither works.
 */
export async function ensureSchemas(options: { places?: readonly string[]; upstream?: string; out?: string; verify?: boolean; log?: (line: string) => void } = {}): Promise<string | undefined> {
  const places = options.places ?? schemaPlaces();
  const out = options.out ?? SCHEMAS_CACHE_DIR;
  const lock = readLock();
  const missing = new SchemaFiles([...places, out], lock).missing({ verify: options.verify ?? false });
  if (missing.length === 0) return undefined;
  (options.log ?? console.error)(`schemas: ${missing.length} pinned file(s) not found locally; downloading them once into ${out}`);
  try {
    await fetchSchemas({ lock, out, ...(options.upstream ? { upstream: options.upstream } : {}) });
    return undefined;
  } catch (error) {
    return missingMessage([...places, out], missing, (error as Error).message);
  }
}
