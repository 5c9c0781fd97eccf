/**
 * The loader's cache of parsed files (gate/load.ts, used by `npm run validate` run as a bundle):
 * the same tree reads the same, whether parsed or remembered; a different key or content parses again.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTree } from '../../gate/load.ts';

const NAMES = ['prod'];
const configMap = (name: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n${data}`;

function tree(): { dir: string; cacheFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'load-cache-'));
  const dir = join(root, 'dist');
  mkdirSync(join(dir, 'prod', 'root'), { recursive: true });
  mkdirSync(join(dir, 'prod', 'demo'), { recursive: true });
  writeFileSync(join(dir, 'prod', 'demo', 'a.yaml'), configMap('a', '  key: value\n'));
  writeFileSync(join(dir, 'prod', 'demo', 'broken.yaml'), 'a: [\n');
  // .inf is a YAML number JSON cannot hold: never remembered, always parsed
  writeFileSync(join(dir, 'prod', 'demo', 'inf.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inf\n  namespace: demo\n  labels: {}\nweird: .inf\n');
  return { dir, cacheFile: join(root, 'cache', 'parsed.json') };
}

describe('loader: the cache of parsed files', () => {
  it('reads the same objects and problems from the cache as from parsing, and keeps only what JSON holds exactly', () => {
    const { dir, cacheFile } = tree();
    const parsed = loadTree(dir, NAMES);
    const first = loadTree(dir, NAMES, { parseCache: { file: cacheFile, key: 'bundle-1' } });
    const second = loadTree(dir, NAMES, { parseCache: { file: cacheFile, key: 'bundle-1' } });
    expect(first).toEqual(parsed);
    expect(second).toEqual(parsed);
    expect(second.manifests.find((m) => m.object.metadata.name === 'inf')!.object).toMatchObject({ weird: Number.POSITIVE_INFINITY });
    expect(second.problems.map((p) => p.file)).toEqual(['prod/demo/broken.yaml']);
    const stored = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(stored.key).toBe('bundle-1');
    expect(Object.keys(stored.files)).toHaveLength(2); // a.yaml and broken.yaml, not inf.yaml
  });

  it('is read for the same key only, and an edited file is parsed again', () => {
    const { dir, cacheFile } = tree();
    loadTree(dir, NAMES, { parseCache: { file: cacheFile, key: 'bundle-1' } });
    // Tamper with the remembered object: the same key returns it (the cache is really read)…
    const stored = JSON.parse(readFileSync(cacheFile, 'utf8'));
    for (const entry of Object.values(stored.files) as { documents?: { object?: { data?: { key: string } } }[] }[]) {
      if (entry.documents?.[0]?.object?.data) entry.documents[0].object.data.key = 'remembered';
    }
    writeFileSync(cacheFile, JSON.stringify(stored));
    const data = (key: string) => loadTree(dir, NAMES, { parseCache: { file: cacheFile, key } }).manifests.find((m) => m.object.metadata.name === 'a')!.object.data;
    expect(data('bundle-1')).toEqual({ key: 'remembered' });
    // …another bundle (other loader code) ignores it…
    expect(data('bundle-2')).toEqual({ key: 'value' });
    // …and new content is parsed, whatever the key.
    writeFileSync(join(dir, 'prod', 'demo', 'a.yaml'), configMap('a', '  key: edited\n'));
    expect(data('bundle-2')).toEqual({ key: 'edited' });
  });
});
