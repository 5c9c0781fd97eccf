import { type PinnedKind, SchemaFileError, SchemaFiles, schemaPlaces } from './schemas-location.ts';
import type { SchemaNode } from './structural.ts';

/** The schema the API server would apply to one apiVersion/kind. */
export type KindSchema =
  | { readonly source: 'kubernetes'; readonly definition: string; readonly schema: SchemaNode }
  | { readonly source: 'pinned-crd'; readonly file: string; readonly schema: SchemaNode }
  | { readonly source: 'crd-in-tree'; readonly file: string; readonly schema: SchemaNode }
  | { readonly source: 'none'; readonly reason: string };

/** `kubernetes/v1.28.0/_definitions.json` → `1.28` */
const DEFINITIONS_FILE = /^kubernetes\/v(\d+\.\d+)\.\d+\/_definitions\.json$/;
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Reads the schemas lazily and once per process: the Kubernetes definitions on the first core kind,
 * and one JSON schema file per custom kind actually present; the kinds come from schemas.lock.json.
 * Stores are cached per place list (`SchemaStore.at`).
 */
export class SchemaStore {
  private static readonly stores = new Map<string, SchemaStore>();

  /**
   * The shared store for one schemas directory, or for the usual places (schemaPlaces()), and one
   * Kubernetes minor (`1.28`; default: the one whose definitions the lock pins).
   */
  static at(dir?: string, kubernetesVersion?: string): SchemaStore {
    const places = dir === undefined ? schemaPlaces() : [dir];
    const key = [...places, kubernetesVersion ?? ''].join('\n');
    let store = SchemaStore.stores.get(key);
    if (!store) {
      store = new SchemaStore(new SchemaFiles(places), kubernetesVersion);
      SchemaStore.stores.set(key, store);
    }
    return store;
  }

  private definitionsCache?: Record<string, SchemaNode>;
  private byGvk?: Map<string, string>;
  private groups?: Set<string>;
  private indexCache?: Map<string, PinnedKind>;
  private readonly parsed = new Map<string, SchemaNode>();
  /** Files read so far (the benchmark and tests check laziness). */
  readonly loaded: string[] = [];

  /** The Kubernetes minor whose built-in kinds this store knows. */
  readonly kubernetesVersion: string;
  private readonly definitionsFile?: string;

  constructor(
    readonly files: SchemaFiles,
    kubernetesVersion?: string,
  ) {
    const pinned = Object.keys(files.lock.files).flatMap((file) => {
      const minor = DEFINITIONS_FILE.exec(file)?.[1];
      return minor ? [{ file, minor }] : [];
    });
    const chosen = kubernetesVersion === undefined ? pinned[0] : pinned.find((p) => p.minor === kubernetesVersion);
    this.kubernetesVersion = kubernetesVersion ?? chosen?.minor ?? '(none pinned)';
    this.definitionsFile = chosen?.file;
  }

  private readJson(relative: string): any {
    try {
      const json = this.files.json(relative);
      this.loaded.push(relative);
      return json;
    } catch (error) {
      if (error instanceof SchemaFileError) throw new SchemaStoreError(error.message);
      throw error;
    }
  }

  get definitions(): Record<string, SchemaNode> {
    if (!this.definitionsCache) {
      if (!this.definitionsFile) {
        throw new SchemaStoreError(
          `schemas.lock.json pins no Kubernetes ${this.kubernetesVersion} definitions (kubernetes/v${this.kubernetesVersion}.<patch>/_definitions.json); pin them, or set the platform's kubernetesVersion to a pinned one`,
        );
      }
      const document = this.readJson(this.definitionsFile);
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

  /** Kubernetes definition name of a core apiVersion/kind, if any. */
  coreDefinition(group: string, version: string, kind: string): string | undefined {
    void this.definitions;
    return this.byGvk!.get(`${group}/${version}/${kind}`);
  }

  /** API groups of Kubernetes itself: a kind there without a definition does not exist. */
  get coreGroups(): ReadonlySet<string> {
    void this.definitions;
    return this.groups!;
  }

  /** Pinned CRD kinds by `group/Kind`. */
  get index(): Map<string, PinnedKind> {
    if (!this.indexCache) {
      this.indexCache = new Map(this.files.lock.kinds.map((entry) => [`${entry.group}/${entry.kind}`, entry]));
    }
    return this.indexCache;
  }

  /** A JSON schema file, parsed once. */
  file(relative: string): SchemaNode {
    let schema = this.parsed.get(relative);
    if (!schema) {
      schema = this.readJson(relative) as SchemaNode;
      this.parsed.set(relative, schema);
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
    if (!file) return { source: 'none', reason: `schemas.lock.json lists no JSON schema for ${group}/${version} ${kind}` };
    return { source: 'pinned-crd', file, schema: this.file(file) };
  }
}

export class SchemaStoreError extends Error {}
