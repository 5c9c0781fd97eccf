/**
 * `npm run schemas:fetch`: makes every file pinned in `schemas.lock.json` available, downloading
 * from the upstream repositories into `.cache/schemas` what SCHEMAS_DIR, ../shared and the cache
 * lack (gate/schema-download.ts); `-- --force [--out DIR]` downloads everything again.
 *
 * `npm run schemas:fetch -- --write-lock [--shared DIR]` records `../shared/schemas` and
 * `../shared/crds-extra` into `schemas.lock.json`: every file's upstream location (or recipe) and
 * sha256 (docs/decisions/0103-schema-download.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_UPSTREAM, describe, ensureSchemas, fetchSchemas } from '../gate/schema-download.ts';
import { crdFacts, type FileSource, isDerived, type UpstreamSource } from '../gate/schema-sources.ts';
import { LOCK_FILE, type LockedFile, type PinnedKind, REPO_ROOT, readLock, SCHEMAS_CACHE_DIR, type SchemaLock, SchemaFiles, schemaPlaces, sha256 } from '../gate/schemas-location.ts';

// ---- --write-lock: record the local copies (../shared) with their upstream locations ----

interface SharedIndexEntry {
  readonly group: string;
  readonly kind: string;
  readonly crdFile: string;
  readonly upstreamRepo: string;
  readonly upstreamRef: { readonly tag: string; readonly commit: string };
  readonly upstreamPath: string;
  readonly jsonSchemaFiles?: readonly { readonly file: string; readonly source: string; readonly catalogPath?: string; readonly catalogCommit?: string }[];
}

const KUBERNETES_DEFINITIONS: UpstreamSource = {
  // The file's last change in cdk8s-team/cdk8s ("chore: v28 kubernetes-spec", #1573).
  repo: 'cdk8s-team/cdk8s',
  commit: '749720900394df4dde7b71e3678e96b889ff6202',
  path: 'kubernetes-schemas/v1.28.0/_definitions.json',
};

/** Files that are not a byte copy of one upstream file (../shared/schemas/README.md). */
function extractionOf(entry: SharedIndexEntry, crdName: string): string | undefined {
  if (entry.group === 'cert-manager.io') return `cert-manager-crd:${entry.upstreamRef.tag}`;
  if (entry.upstreamPath.endsWith('.go')) return `go-raw-string:${crdName.split('.')[0]!.replace(/s$/, '')}`;
  if (entry.group === 'projectcontour.io') return `document:${crdName}`;
  return undefined;
}

/** The lock of the local copies: every file hashed, with its upstream location or recipe. */
export function lockOf(sharedRoot: string): SchemaLock {
  const schemasRoot = join(sharedRoot, 'schemas');
  const files: Record<string, LockedFile> = {};
  const kinds: PinnedKind[] = [];
  const add = (file: string, from: FileSource, text: string, shared?: string) => {
    files[file] = { sha256: sha256(text), bytes: Buffer.byteLength(text), from, ...(shared ? { shared } : {}) };
  };
  const definitions = 'kubernetes/v1.28.0/_definitions.json';
  add(definitions, KUBERNETES_DEFINITIONS, readFileSync(join(schemasRoot, definitions), 'utf8'));
  const index = JSON.parse(readFileSync(join(schemasRoot, 'index.json'), 'utf8')) as SharedIndexEntry[];
  for (const entry of index) {
    const crdText = readFileSync(join(schemasRoot, entry.crdFile), 'utf8');
    const facts = crdFacts(crdText);
    const crdName = `${facts.plural}.${facts.group}`;
    const { tag, commit } = entry.upstreamRef;
    for (const schema of entry.jsonSchemaFiles ?? []) {
      const text = readFileSync(join(schemasRoot, schema.file), 'utf8');
      const version = schema.file.match(/_([^_]+)\.json$/)![1]!;
      add(schema.file, schema.source === 'derived' ? { derive: 'openapi2jsonschema', crd: entry.crdFile, version } : { repo: schema.source, commit: schema.catalogCommit!, path: schema.catalogPath! }, text);
    }
    const from: FileSource =
      entry.group === 'openebs.io'
        ? { derive: 'diskpool-crd', schema: entry.jsonSchemaFiles![0]!.file }
        : { repo: entry.upstreamRepo, tag, commit, path: entry.upstreamPath, ...(extractionOf(entry, crdName) ? { extract: extractionOf(entry, crdName)! } : {}) };
    add(entry.crdFile, from, crdText);
    kinds.push({ group: facts.group, kind: facts.kind, versions: facts.versions, crdFile: entry.crdFile, jsonSchemaFiles: (entry.jsonSchemaFiles ?? []).map(({ file }) => ({ file })) });
  }
  // CRDs added after ../shared/schemas was frozen: byte copies; their JSON schemas are derived.
  const extra = JSON.parse(readFileSync(join(sharedRoot, 'crds-extra', 'index.json'), 'utf8')) as SharedIndexEntry[];
  for (const entry of extra) {
    const crdText = readFileSync(join(sharedRoot, 'crds-extra', entry.crdFile), 'utf8');
    const facts = crdFacts(crdText);
    const crdFile = `crds/${entry.crdFile}`;
    add(crdFile, { repo: entry.upstreamRepo, tag: entry.upstreamRef.tag, commit: entry.upstreamRef.commit, path: entry.upstreamPath }, crdText, `crds-extra/${entry.crdFile}`);
    const jsonSchemaFiles = facts.versions.map(({ name }) => ({ file: `jsonschema/${facts.group}/${facts.kind.toLowerCase()}_${name}.json` }));
    for (const { file } of jsonSchemaFiles) {
      const version = file.match(/_([^_]+)\.json$/)![1]!;
      files[file] = { sha256: '', bytes: 0, from: { derive: 'openapi2jsonschema', crd: crdFile, version } };
    }
    kinds.push({ group: facts.group, kind: facts.kind, versions: facts.versions, crdFile, jsonSchemaFiles });
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const lock: SchemaLock = { upstream: DEFAULT_UPSTREAM, kinds, files: sorted };
  // Derived files are hashed as derived here (their inputs are upstream files, already hashed),
  // which also proves every recipe against the local copy.
  const reader = new SchemaFiles([schemasRoot, sharedRoot], lock);
  for (const [file, entry] of Object.entries(sorted)) {
    if (!isDerived(entry.from)) continue;
    const text = reader.deriveFrom(entry.from);
    if (entry.sha256 && entry.sha256 !== sha256(text)) throw new Error(`${file}: the local copy differs from what ${describe(entry.from)} gives`);
    (sorted as Record<string, LockedFile>)[file] = { ...entry, sha256: sha256(text), bytes: Buffer.byteLength(text) };
  }
  return lock;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values } = parseArgs({ options: { 'write-lock': { type: 'boolean' }, shared: { type: 'string' }, force: { type: 'boolean' }, out: { type: 'string' } } });
  if (values['write-lock']) {
    const shared = resolve(values.shared ?? join(REPO_ROOT, '..', 'shared'));
    const lock = lockOf(shared);
    writeFileSync(LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`pinned ${Object.keys(lock.files).length} schema files (${lock.kinds.length} kinds) from ${shared} in schemas.lock.json`);
  } else if (values.force || values.out) {
    const out = resolve(values.out ?? SCHEMAS_CACHE_DIR);
    try {
      const { files, bytes, downloads } = await fetchSchemas({ lock: readLock(), out });
      console.log(`schemas: ${files} files (${(bytes / 1e6).toFixed(1)} MB, ${downloads} downloads) verified into ${out}`);
    } catch (error) {
      console.error(`schemas:fetch failed, ${out} left as it was: ${(error as Error).message}`);
      process.exit(1);
    }
  } else {
    const problem = await ensureSchemas({ verify: true, log: console.log });
    if (problem) {
      console.error(`schemas:fetch: ${problem}`);
      process.exit(1);
    }
    console.log(`schemas: every file of schemas.lock.json is available (${schemaPlaces().join(', ')})`);
  }
}
