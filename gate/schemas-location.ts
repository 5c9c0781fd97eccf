import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCacheFile } from '../charts/lib/cache-file.ts';
import { type DerivedSource, diskPoolCrd, type FileSource, inputsOf, isDerived, openapi2jsonschema } from './schema-sources.ts';

/**
 * Repository root: the nearest folder above this module holding package.json. Searched rather than
 * fixed, because synth runs this module either from source (gate/) or bundled (.cache/build/).
 */
export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

/** Git-ignored cache filled from the pinned upstream locations (`npm run schemas:fetch`). */
export const SCHEMAS_CACHE_DIR = join(REPO_ROOT, '.cache', 'schemas');

/** Every schema file the project reads: where it comes from and its sha256. */
export const LOCK_FILE = join(REPO_ROOT, 'schemas.lock.json');

/** What the lock says about one pinned CRD kind. */
export interface PinnedKind {
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly { readonly name: string; readonly served: boolean; readonly storage: boolean }[];
  readonly crdFile: string;
  readonly jsonSchemaFiles: readonly { readonly file: string }[];
}

export interface LockedFile {
  readonly sha256: string;
  readonly bytes: number;
  readonly from: FileSource;
  /** Where the file sits under `../shared` when that is not `schemas/<lock path>`. */
  readonly shared?: string;
}

export interface SchemaLock {
  /** Base URL of raw repository files: `<upstream>/<repo>/<commit>/<path>`. */
  readonly upstream: string;
  readonly kinds: readonly PinnedKind[];
  readonly files: Readonly<Record<string, LockedFile>>;
}

export function readLock(path = LOCK_FILE): SchemaLock {
  return JSON.parse(readFileSync(path, 'utf8')) as SchemaLock;
}

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/**
 * The folders a schema file may be found in, in order: `SCHEMAS_DIR` (same layout as the cache),
 * `../shared/schemas` and `../shared/<its shared path>` beside the repository, the download cache.
 */
export function schemaPlaces(env: NodeJS.ProcessEnv = process.env): string[] {
  const shared = resolve(REPO_ROOT, '..', 'shared');
  return [...(env.SCHEMAS_DIR ? [resolve(env.SCHEMAS_DIR)] : []), join(shared, 'schemas'), shared, SCHEMAS_CACHE_DIR];
}

export class SchemaFileError extends Error {}

/**
 * Reads pinned schema files by lock path, from the first place holding them; a derived file found
 * nowhere is derived from its inputs. Every file read is checked against the lock's sha256.
 */
export class SchemaFiles {
  private readonly derived = new Map<string, string>();

  constructor(
    readonly places: readonly string[] = schemaPlaces(),
    readonly lock: SchemaLock = readLock(),
  ) {}

  /** A file already on disk, or undefined. */
  locate(file: string): string | undefined {
    const entry = this.lock.files[file];
    for (const place of this.places) {
      for (const candidate of [join(place, file), ...(entry?.shared ? [join(place, entry.shared)] : [])]) {
        if (existsSync(candidate)) return candidate;
      }
    }
    return undefined;
  }

  /** Pinned files that cannot be read here (absent, or with `verify` altered, and not derivable). */
  missing(options: { verify?: boolean } = {}): string[] {
    const can = (file: string): boolean => {
      const path = this.locate(file);
      if (path && (!options.verify || sha256(readFileSync(path)) === this.lock.files[file]?.sha256)) return true;
      const from = this.lock.files[file]?.from;
      return from !== undefined && isDerived(from) && inputsOf(from).every(can);
    };
    return Object.keys(this.lock.files).filter((file) => !can(file));
  }

  text(file: string): string {
    const entry = this.lock.files[file];
    if (!entry) throw new SchemaFileError(`${file} is not pinned in schemas.lock.json`);
    const cached = this.derived.get(file);
    if (cached !== undefined) return cached;
    const path = this.locate(file);
    let text: string;
    if (path) text = readFileSync(path, 'utf8');
    else if (isDerived(entry.from)) text = this.deriveFrom(entry.from);
    else throw new SchemaFileError(missingMessage(this.places, [file]));
    const actual = sha256(text);
    if (actual !== entry.sha256) {
      throw new SchemaFileError(`${path ?? `${file} (derived)`}: sha256 ${actual} is not the ${entry.sha256} pinned in schemas.lock.json; restore the file or run \`npm run schemas:fetch\``);
    }
    if (!path) {
      this.derived.set(file, text);
      // Derived once per machine: later runs read it from the cache (still verified on every read).
      writeCacheFile(join(SCHEMAS_CACHE_DIR, file), text);
    }
    return text;
  }

  json(file: string): any {
    return JSON.parse(this.text(file));
  }

  /** A derived file, computed from its (verified) inputs. */
  deriveFrom(from: DerivedSource): string {
    return from.derive === 'openapi2jsonschema' ? openapi2jsonschema(this.text(from.crd), from.version) : diskPoolCrd(this.text(from.schema));
  }
}

/** The one error of a machine without the schemas (at most five lines). */
export function missingMessage(places: readonly string[], missing: readonly string[], cause?: string): string {
  return [
    `the pinned schemas (schemas.lock.json) are not on this machine: ${missing.length} file(s) missing, e.g. ${missing[0]}`,
    `  looked in: ${[...new Set(places)].join(', ')}`,
    ...(cause ? [`  download failed: ${cause}`] : []),
    '  fix: with network, run `npm run schemas:fetch` (fills .cache/schemas from the pinned upstream files); offline, set SCHEMAS_DIR to a copy of them',
  ].join('\n');
}

/**
 * Every pinned schema file as one folder in the lock's layout, for tools that read a directory
 * (kubeconform, the API server test, helm's API list): written once per lock into
 * `.cache/schemas-tree/<lock hash>/`, each file verified as it is read.
 */
export function schemasDir(files: SchemaFiles = new SchemaFiles()): string {
  const key = sha256(JSON.stringify(files.lock)).slice(0, 16);
  const dir = join(REPO_ROOT, '.cache', 'schemas-tree', key);
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const file of Object.keys(files.lock.files)) {
    mkdirSync(dirname(join(partial, file)), { recursive: true });
    writeFileSync(join(partial, file), files.text(file));
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process wrote it first: same lock, same content.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}
