import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import { readCacheFile, writeCacheFile } from '../charts/lib/cache-file.ts';
import type { KubeObject, Manifest } from '../charts/lib/manifest.ts';
import type { GateIssue } from './types.ts';

export interface LoadedTree {
  readonly manifests: Manifest[];
  /** Top-level folders that are not environments (e.g. `talos/`), skipped with the reason. */
  readonly skippedFolders: string[];
  /** Files that are not valid YAML or hold something other than Kubernetes objects. */
  readonly problems: GateIssue[];
  readonly environments: string[];
}

function problem(environment: string, folder: string, file: string, message: string): GateIssue {
  return { rule: 'parse', environment, folder, file: `${environment}/${folder}/${file}`, source: `${environment}/${folder}/${file}`, object: '(file)', field: '', message };
}

/**
 * Files Argo CD's directory source applies (argo-cd v2.14 reposerver/repository/repository.go,
 * `findManifests`: `.yaml`, `.yml`, `.json`; `.jsonnet` is evaluated). Matched in any case: checking
 * a file Argo CD might skip costs nothing, skipping one it applies would hide it from the gate.
 */
const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const JSONNET_FILE = /\.jsonnet$/i;

/**
 * Size limits of the API server (Kubernetes 1.28): a request body is at most 3 MiB
 * (k8s.io/apiserver pkg/server/config.go `MaxRequestBodyBytes`), an object at most what etcd stores
 * (1.5 MiB, etcd's default `--max-request-bytes`), and a ConfigMap's or Secret's data at most 1 MiB
 * (pkg/apis/core/validation `MaxSecretSize`, also applied to ConfigMaps).
 */
export const API_LIMITS = { requestBytes: 3 * 1024 * 1024, objectBytes: 1.5 * 1024 * 1024, dataBytes: 1024 * 1024 } as const;

/**
 * An object's size as JSON, in bytes, when it is over what etcd stores per object
 * (API_LIMITS.objectBytes); undefined when it is not. The exact size costs a JSON.stringify of
 * every object, most of the rule's time: an upper bound read off the object settles nearly all.
 */
export function bytesOverObjectLimit(object: unknown): number | undefined {
  if (jsonBytesAtMost(object) <= API_LIMITS.objectBytes) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(object));
  return bytes > API_LIMITS.objectBytes ? bytes : undefined;
}

/**
 * At least `Buffer.byteLength(JSON.stringify(value))`: a UTF-16 unit of a string or key takes at
 * most 6 bytes (`\u001f`), a number at most 25 characters, each entry its quotes, colon and comma.
 * Anything else than plain data is unbounded (the exact size is then computed).
 */
export function jsonBytesAtMost(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 6 * value.length + 2;
    case 'number':
      return 25;
    case 'boolean':
      return 5;
    case 'undefined': // `null` in an array, nothing in an object
      return 4;
    case 'object': {
      if (value === null) return 4;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) bytes += jsonBytesAtMost(value[index]) + 1;
        return bytes;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return Number.POSITIVE_INFINITY;
      for (const key in value) bytes += 6 * key.length + 4 + jsonBytesAtMost((value as Record<string, unknown>)[key]);
      return bytes;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/** YAML aliases one document may expand (the yaml library's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** Bytes of a ConfigMap's or Secret's data as the API server counts them (keys plus values). */
export function dataBytes(object: KubeObject): number {
  if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') return 0;
  let total = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = (object as Record<string, unknown>)[field];
    if (!data || typeof data !== 'object') continue;
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      total += key.length + (typeof value === 'string' ? (field === 'binaryData' || (field === 'data' && object.kind === 'Secret') ? Math.floor((value.length * 3) / 4) : Buffer.byteLength(value)) : 0);
    }
  }
  return total;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MiB`;

/**
 * Reads a folder in dist layout: `<env>/<folder>/<file>.yaml`, one or more objects per file. A
 * top-level folder is an environment when it is named like one of `environmentNames` or holds a
 * `root/` folder; other folders (e.g. `talos/`) and top-level files (README.md, metadata.json) are
 * skipped. Every file Argo CD would apply is read (`.yaml`, `.yml`, `.json`, any case); symbolic
 * links are refused (Argo CD refuses links out of the repository, and dist/ never has any); files
 * and objects beyond the API server's limits and YAML alias bombs are reported, never thrown.
 */
export function loadTree(dir: string, environmentNames: readonly string[], options: LoadOptions = {}): LoadedTree {
  const parseCache = options.parseCache ? ParseCache.open(options.parseCache) : undefined;
  try {
    return load(dir, environmentNames, parseCache);
  } finally {
    parseCache?.save();
  }
}

function load(dir: string, environmentNames: readonly string[], parseCache: ParseCache | undefined): LoadedTree {
  const manifests: Manifest[] = [];
  const skippedFolders: string[] = [];
  const problems: GateIssue[] = [];
  const environments: string[] = [];
  for (const environment of readdirSync(dir).sort()) {
    const envDir = join(dir, environment);
    const envStat = lstatSync(envDir);
    if (envStat.isSymbolicLink()) {
      problems.push(problem(environment, '', '', `${environment} is a symbolic link; dist/ holds only real folders and files (Argo CD refuses links that leave the repository); replace it with the folder itself`));
      continue;
    }
    if (!envStat.isDirectory()) continue;
    if (!environmentNames.includes(environment) && !existsSync(join(envDir, 'root'))) {
      skippedFolders.push(`${environment}/ (not an environment: no root/ folder)`);
      continue;
    }
    environments.push(environment);
    for (const folder of readdirSync(envDir).sort()) {
      const folderDir = join(envDir, folder);
      const folderStat = lstatSync(folderDir);
      if (folderStat.isSymbolicLink()) {
        problems.push(
          problem(environment, folder, '', `${environment}/${folder} is a symbolic link; dist/ holds only real folders and files (Argo CD refuses links that leave the repository); replace it with the folder itself`),
        );
        continue;
      }
      if (!folderStat.isDirectory()) {
        if (MANIFEST_FILE.test(folder)) problems.push(problem(environment, '', folder, `${environment}/${folder} sits beside the service folders, where no Application reads it; move it into a service folder`));
        continue;
      }
      for (const entry of readdirSync(folderDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const file = entry.name;
        const path = join(folderDir, file);
        if (entry.isSymbolicLink()) {
          problems.push(
            problem(
              environment,
              folder,
              file,
              'is a symbolic link; dist/ holds only real files (Argo CD refuses links that leave the repository, and a link can change what is applied without a diff); replace it with the file itself',
            ),
          );
          continue;
        }
        if (entry.isDirectory()) {
          problems.push(problem(environment, folder, file, `is a folder inside a service folder; the Application of ${environment}/${folder} would apply its files too (recurse) or ignore them; keep one level`));
          continue;
        }
        if (JSONNET_FILE.test(file)) {
          problems.push(problem(environment, folder, file, 'is Jsonnet, which Argo CD evaluates and the gate cannot check; synthesize YAML instead'));
          continue;
        }
        if (!MANIFEST_FILE.test(file)) continue;
        const size = statSync(path).size;
        if (size > API_LIMITS.requestBytes) {
          problems.push(problem(environment, folder, file, `is ${mib(size)}, over the API server's request limit of ${mib(API_LIMITS.requestBytes)}; split it or move the content out of git`));
          continue;
        }
        const text = readFileSync(path, 'utf8');
        const json = /\.json$/i.test(file);
        const parsed = parseCache ? parseCache.get(text, json) : parseFile(text, json);
        if ('error' in parsed) {
          problems.push(problem(environment, folder, file, parsed.error));
          continue;
        }
        for (const [index, document] of parsed.documents.entries()) {
          if ('error' in document) {
            problems.push(problem(environment, folder, file, document.error));
            continue;
          }
          const object = document.object as KubeObject | null;
          if (object === null || object === undefined) continue;
          const items = json && Array.isArray(object) ? [] : [object];
          for (const item of items) {
            if (typeof item !== 'object' || Array.isArray(item) || typeof item.kind !== 'string' || typeof item.apiVersion !== 'string' || typeof item.metadata !== 'object' || item.metadata === null) {
              problems.push(problem(environment, folder, file, `document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata are required)`));
              continue;
            }
            const objectSize = bytesOverObjectLimit(item);
            if (objectSize !== undefined) {
              problems.push(
                problem(
                  environment,
                  folder,
                  file,
                  `document ${index + 1} (${item.kind} ${item.metadata.name}) is ${mib(objectSize)}, over what etcd stores per object (${mib(API_LIMITS.objectBytes)}); move the content out of the object`,
                ),
              );
              continue;
            }
            const data = dataBytes(item);
            if (data > API_LIMITS.dataBytes) {
              problems.push(
                problem(
                  environment,
                  folder,
                  file,
                  `document ${index + 1} (${item.kind} ${item.metadata.name}) has ${mib(data)} of data, over the API server's ${mib(API_LIMITS.dataBytes)} for a ${item.kind}; keep large content out of ${item.kind}s (a volume, an image, an object store)`,
                ),
              );
              continue;
            }
            manifests.push({ environment, folder, file, source: `${environment}/${folder}/${file}`, object: item });
          }
          if (json && Array.isArray(object)) problems.push(problem(environment, folder, file, 'is a JSON array; Argo CD applies one object per JSON file (or a List kind); write one object per file'));
        }
      }
    }
  }
  return { manifests, skippedFolders, problems, environments };
}

export interface LoadOptions {
  /**
   * Remember what each file content parsed to, under `file`, keyed by `key` and the content's
   * sha256 (the launcher gives the compiled bundle's name, so any change of the loader's code starts
   * a new cache). A warm `npm run validate` then reads JSON instead of parsing YAML.
   */
  readonly parseCache?: { readonly file: string; readonly key: string };
}

/** What one file reads as: a parse error, or its documents (each an object or a problem). */
type ParsedFile = { readonly error: string } | { readonly documents: readonly ({ readonly error: string } | { readonly object: unknown })[] };

/** Parses one file the way Argo CD reads it (JSON as one document, YAML as a stream). */
function parseFile(text: string, json: boolean): ParsedFile {
  const kind = json ? 'JSON' : 'YAML';
  let documents: Document[];
  try {
    const parsed = json ? [parseDocument(text)] : parseAllDocuments(text);
    documents = (Array.isArray(parsed) ? parsed : [parsed]) as Document[];
  } catch (error) {
    return { error: `not valid ${kind}: ${(error as Error).message.split('\n')[0]}` };
  }
  return {
    documents: documents.map((document, index) => {
      if (document.errors.length > 0) return { error: `not valid ${kind}: ${document.errors[0]!.message.split('\n')[0]}` };
      try {
        return { object: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
      } catch (error) {
        const message = (error as Error).message;
        return {
          error: /alias/i.test(message)
            ? `document ${index + 1} expands YAML aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb: a few lines that become gigabytes); write the values out without anchors`
            : `document ${index + 1} cannot be read: ${message.split('\n')[0]}`,
        };
      }
    }),
  };
}

/** Whether a parsed value survives JSON unchanged (YAML can also yield .inf, .nan, -0). */
function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isJsonData);
}

class ParseCache {
  private readonly next: Record<string, ParsedFile> = {};
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly key: string,
    private readonly known: Record<string, ParsedFile>,
  ) {}

  static open(options: { readonly file: string; readonly key: string }): ParseCache {
    // None yet, or torn, or of another loader: parse everything.
    const stored = readCacheFile<{ key?: string; files?: Record<string, ParsedFile> }>(options.file);
    return new ParseCache(options.file, options.key, stored?.key === options.key && stored.files ? stored.files : {});
  }

  get(text: string, json: boolean): ParsedFile {
    const hash = createHash('sha256')
      .update(json ? 'json\0' : 'yaml\0')
      .update(text)
      .digest('hex');
    const known = this.known[hash];
    if (known) {
      this.next[hash] = known;
      return known;
    }
    const parsed = parseFile(text, json);
    this.changed = true;
    // Only what JSON holds exactly is kept; anything else is parsed again next time.
    if ('error' in parsed || parsed.documents.every((d) => 'error' in d || d.object === undefined || isJsonData(d.object))) this.next[hash] = parsed;
    return parsed;
  }

  /** Keeps the entries of this run only (the cache never outgrows the tree it was used on). */
  save(): void {
    if (!this.changed && Object.keys(this.next).length === Object.keys(this.known).length) return;
    writeCacheFile(this.file, JSON.stringify({ key: this.key, files: this.next }));
  }
}
