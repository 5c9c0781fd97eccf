/**
 * Where the schemas come from (ARCHITECTURE.md, "Where upstream material comes from"): every file's
 * upstream location is in schemas.lock.json; downloads go to a loopback server, never the internet.
 * These tests fetch one kind per recipe; `npm run test:slow` fetches and gates the whole lock.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemas, fetchSchemas } from '../../gate/schema-download.ts';
import { extract, inputsOf, isDerived } from '../../gate/schema-sources.ts';
import { type SchemaLock, SchemaFiles, schemaPlaces, sha256 } from '../../gate/schemas-location.ts';
import { lock, startUpstream, type Upstream } from './upstream-server.ts';

const local = new SchemaFiles();
const tmp = () => mkdtempSync(join(tmpdir(), 'schemas-'));

/** The lock cut down to some kinds (their CRD, JSON schemas and the inputs of derived files). */
function lockOfKinds(keys: readonly string[]): SchemaLock {
  const kinds = lock.kinds.filter((k) => keys.includes(`${k.group}/${k.kind}`));
  const wanted = new Set(kinds.flatMap((k) => [k.crdFile, ...k.jsonSchemaFiles.map((f) => f.file)]));
  for (const file of [...wanted]) {
    const from = lock.files[file]!.from;
    if (isDerived(from)) for (const input of inputsOf(from)) wanted.add(input);
  }
  return { ...lock, kinds, files: Object.fromEntries(Object.entries(lock.files).filter(([file]) => wanted.has(file))) };
}

/** One kind per way a file is made: raw copy, catalog schema, derived schema, document, Go string, rendered template, built CRD, crds-extra. */
const ONE_PER_RECIPE = lockOfKinds(['argoproj.io/AppProject', 'projectcontour.io/ContourDeployment', 'cdi.kubevirt.io/CDI', 'cert-manager.io/Issuer', 'openebs.io/DiskPool', 'gcp.upbound.io/ProviderConfig']);

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());

describe('schemas.lock.json', () => {
  it('records where every file comes from', () => {
    const recipes = Object.values(lock.files).map((entry) => (isDerived(entry.from) ? entry.from.derive : (entry.from.extract?.split(':')[0] ?? 'raw')));
    const count = (recipe: string) => recipes.filter((r) => r === recipe).length;
    expect(['raw', 'document', 'go-raw-string', 'cert-manager-crd', 'openapi2jsonschema', 'diskpool-crd'].map((r) => `${r} ${count(r)}`)).toEqual([
      'raw 88',
      'document 2',
      'go-raw-string 1',
      'cert-manager-crd 3',
      'openapi2jsonschema 47',
      'diskpool-crd 1',
    ]);
    for (const entry of Object.values(lock.files)) if (!isDerived(entry.from)) expect(entry.from.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(lock.kinds.find((k) => k.group === 'gcp.upbound.io' && k.kind === 'ProviderConfig')?.jsonSchemaFiles).toEqual([{ file: 'jsonschema/gcp.upbound.io/providerconfig_v1beta1.json' }]);
  });

  it('pins the local copies byte for byte', () => {
    const differing = Object.entries(lock.files).filter(([file, entry]) => {
      const path = local.locate(file);
      return path !== undefined && sha256(readFileSync(path)) !== entry.sha256;
    });
    expect(differing.map(([file]) => file)).toEqual([]);
  });

  it('cuts each upstream file the way the lock says', () => {
    expect(extract('---\nkind: A\nmetadata:\n  name: x\n---\nkind: B\nmetadata:\n  labels: {}\n  name: y\n', 'document:y')).toBe('kind: B\nmetadata:\n  labels: {}\n  name: y\n');
    expect(extract('var m = map[string]string{\n\t"cdi": `a: ` + "`" + `b` + "`" + `\n`,\n}', 'go-raw-string:cdi')).toBe('a: `b`\n');
    expect(() => extract('x: 1\n', 'document:nope')).toThrow('no document named nope');
  });
});

describe('fetching the pinned schemas', () => {
  it('downloads each upstream file once, cuts and derives the rest, all verified', async () => {
    const out = join(tmp(), 'cache');
    const before = upstream.requests.length;
    const result = await fetchSchemas({ lock: ONE_PER_RECIPE, upstream: upstream.url, out });
    expect(result.files).toBe(Object.keys(ONE_PER_RECIPE.files).length);
    expect(upstream.requests.length - before).toBe(result.downloads);
    expect(new SchemaFiles([out], ONE_PER_RECIPE).missing()).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'jsonschema/gcp.upbound.io/providerconfig_v1beta1.json'), 'utf8')).properties.spec.additionalProperties).toBe(false);
  });

  it('refuses a file whose hash differs from the pin and leaves the cache as it was', async () => {
    const out = join(tmp(), 'cache');
    const file = 'crds/argoproj.io/appprojects.argoproj.io.yaml';
    const tampered: SchemaLock = { ...ONE_PER_RECIPE, files: { ...ONE_PER_RECIPE.files, [file]: { ...lock.files[file]!, sha256: '0'.repeat(64) } } };
    await expect(fetchSchemas({ lock: tampered, upstream: upstream.url, out })).rejects.toThrow(
      `${file}: sha256 ${lock.files[file]!.sha256} does not match the pinned ${'0'.repeat(64)} (argoproj/argo-cd@v2.14.21 manifests/crds/appproject-crd.yaml)`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('names the URL an upstream file is missing from', async () => {
    await expect(fetchSchemas({ lock: ONE_PER_RECIPE, upstream: `${upstream.url}/nowhere`, out: join(tmp(), 'cache') })).rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/nowhere\/\S+: HTTP 404$/);
  });

  it('verifies what it reads: an altered local copy is refused', () => {
    const dir = tmp();
    const file = 'jsonschema/argoproj.io/appproject_v1alpha1.json';
    mkdirSync(join(dir, 'jsonschema/argoproj.io'), { recursive: true });
    writeFileSync(join(dir, file), local.text(file).replace('"object"', '"array"'));
    expect(() => new SchemaFiles([dir]).text(file)).toThrow(`${join(dir, file)}: sha256 `);
  });

  it('with no local copy and no network: one error of at most five lines, naming the places and the command', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const nowhere = join(tmp(), 'nowhere');
    const logged: string[] = [];
    const message = await ensureSchemas({ places: [nowhere], out: join(nowhere, 'cache'), upstream: `http://127.0.0.1:${port}`, log: (line) => logged.push(line) });
    expect(logged).toEqual([`schemas: ${Object.keys(lock.files).length} pinned file(s) not found locally; downloading them once into ${join(nowhere, 'cache')}`]);
    const lines = message!.split('\n');
    expect(lines.length + logged.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/^the pinned schemas \(schemas\.lock\.json\) are not on this machine: 142 file\(s\) missing, e\.g\. /);
    expect(lines[1]).toBe(`  looked in: ${nowhere}, ${join(nowhere, 'cache')}`);
    expect(lines[2]).toMatch(new RegExp(`^  download failed: GET http://127\\.0\\.0\\.1:${port}/\\S+: ECONNREFUSED$`));
    expect(lines[3]).toContain('run `npm run schemas:fetch`');
  });

  it('needs nothing when the schemas are beside the repository', async () => {
    expect(await ensureSchemas({ places: schemaPlaces(), log: () => expect.unreachable() })).toBeUndefined();
  });
});
