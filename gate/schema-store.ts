import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './schemas-location.ts';
import type { SchemaNode } from './structural.ts';

/** What `<schemas>/index.json` says about one pinned CRD kind. */
export interface PinnedKind {
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly { readonly name: string; readonly served: boolean; readonly storage: boolean }[];
  readonly crdFile: string;
  readonly jsonSchemaFiles: readonly { readonly file: string }[];
}

/** The schema the API server would apply to one apiVersion/kind. */
export type KindSchema =
  | { readonly source: 'kubernetes'; readonly definition: string; readonly schema: SchemaNode }
  | { readonly source: 'pinned-crd'; readonly file: string; readonly schema: SchemaNode }
  | { readonly source: 'crd-in-tree'; readonly file: string; readonly schema: SchemaNode }
  | { readonly source: 'none'; readonly reason: string };

export const KUBERNETES_DEFINITIONS = join('kubernetes', 'v1.28.0', '_definitions.json');
export const SCHEMAS_INDEX = 'index.json';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Reads the schemas lazily and once per process: the Kubernetes definitions on the first core kind,
 * `index.json` on the first custom resource, and one JSON schema file per custom kind actually
 * present. Stores are cached per directory (`SchemaStore.at`).
 */
export class SchemaStore {
  private static readonly stores = new Map<string, SchemaStore>();

  /** The shared store for a schemas directory. */
  static at(dir: string): SchemaStore {
    let store = SchemaStore.stores.get(dir);
    if (!store) {
      store = new SchemaStore(dir);
      SchemaStore.stores.set(dir, store);
    }
    return store;
  }

  private definitionsCache?: Record<string, SchemaNode>;
  private byGvk?: Map<string, string>;
  private groups?: Set<string>;
  private indexCache?: Map<string, PinnedKind>;
  private readonly files = new Map<string, SchemaNode>();
  /** Files read so far (the benchmark and tests check laziness). */
  readonly loaded: string[] = [];

  constructor(readonly dir: string) {}

  private readJson(relative: string): any {
    const path = join(this.dir, relative);
    if (!existsSync(path)) {
      throw new SchemaStoreError(
        `schema file ${path} is missing; the gate reads the Kubernetes 1.28 and CRD schemas from SCHEMAS_DIR, ../shared/schemas or .cache/schemas (fill the cache with \`npm run schemas:fetch\`)`,
      );
    }
    this.loaded.push(relative);
    const bytes = readFileSync(path);
    // Every schema file read is checked against the lock, so a corrupt, truncated or swapped file is
    // named (never a JSON.parse stack trace, never a silently different schema).
    const pinned = lockedSchemaFiles()?.[relative];
    const refetch = 'restore it from the pinned source (npm run schemas:fetch, or re-copy ../shared/schemas)';
    if (pinned) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== pinned.sha256) {
        throw new SchemaStoreError(`schema file ${path} does not match schemas.lock.json (sha256 ${sha256.slice(0, 12)}…, ${bytes.length} bytes; locked ${pinned.sha256.slice(0, 12)}…, ${pinned.bytes} bytes); ${refetch}`);
      }
    }
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new SchemaStoreError(`schema file ${path} is not valid JSON (${(error as Error).message}); it is corrupt or truncated: ${refetch}`);
    }
  }

  get definitions(): Record<string, SchemaNode> {
    if (!this.definitionsCache) {
      const document = this.readJson(KUBERNETES_DEFINITIONS);
      this.definitionsCache = document.definitions as Record<string, SchemaNode>;
      this.byGvk = new Map();
      this.groups = new Set();
      for (const [name, definition] of Object.entries(this.definitionsCache)) {
        for (const gvk of (definition['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []) {
          this.byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
          this.groups.add(gvk.group);
        }
      }
    }
    return this.definitionsCache;
  }

  /** Resolves `#/definitions/X` (also `_definitions.json#/definitions/X`). */
  readonly resolve = (ref: string): SchemaNode | undefined => {
    const at = ref.indexOf('#/definitions/');
    return at < 0 ? undefined : this.definitions[ref.slice(at + '#/definitions/'.length)];
  };

  get objectMeta(): SchemaNode {
    return this.definitions[OBJECT_META]!;
  }

  /** Kubernetes 1.28 definition name of a core apiVersion/kind, if any. */
  coreDefinition(group: string, version: string, kind: string): string | undefined {
    void this.definitions;
    return this.byGvk!.get(`${group}/${version}/${kind}`);
  }

  /** API groups of Kubernetes 1.28 itself: a kind there without a definition does not exist. */
  get coreGroups(): ReadonlySet<string> {
    void this.definitions;
    return this.groups!;
  }

  /** Pinned CRD kinds by `group/Kind`. */
  get index(): Map<string, PinnedKind> {
    if (!this.indexCache) {
      const entries = this.readJson(SCHEMAS_INDEX) as PinnedKind[];
      this.indexCache = new Map(entries.map((entry) => [`${entry.group}/${entry.kind}`, entry]));
    }
    return this.indexCache;
  }

  /** A JSON schema file, parsed once. */
  file(relative: string): SchemaNode {
    let schema = this.files.get(relative);
    if (!schema) {
      schema = this.readJson(relative) as SchemaNode;
      this.files.set(relative, schema);
    }
    return schema;
  }

  /** The schema of a pinned custom resource kind at a version, or why there is none. */
  pinned(group: string, version: string, kind: string): KindSchema {
    const entry = this.index.get(`${group}/${kind}`);
    if (!entry) return { source: 'none', reason: `no pinned CRD defines ${group}/${kind}` };
    const served = entry.versions.filter((v) => v.served).map((v) => v.name);
    if (!served.includes(version)) {
      return { source: 'none', reason: `the pinned CRD ${entry.crdFile} does not serve ${group}/${version} (served: ${served.join(', ')})` };
    }
    const file = entry.jsonSchemaFiles.map((f) => f.file).find((f) => f.endsWith(`/${kind.toLowerCase()}_${version}.json`));
    if (!file) return { source: 'none', reason: `index.json lists no JSON schema for ${group}/${version} ${kind}` };
    return { source: 'pinned-crd', file, schema: this.file(file) };
  }
}

export class SchemaStoreError extends Error {}

let lockCache: Record<string, { sha256: string; bytes: number }> | null | undefined;

/** `schemas.lock.json` at the repository root (files by path below the schemas folder), read once. */
function lockedSchemaFiles(): Record<string, { sha256: string; bytes: number }> | null {
  if (lockCache === undefined) {
    const path = join(REPO_ROOT, 'schemas.lock.json');
    lockCache = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> }).files : null;
  }
  return lockCache;
}
