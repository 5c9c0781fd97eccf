/**
 * `npm run validate`'s loader against what a club member could put in a tree Argo CD applies:
 * every case gives exactly one problem naming the file, and the gate never throws.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTree } from '../../gate/load.ts';
import { validateDirectory } from '../../scripts/validate.ts';
import { LOADER_CASE_COUNT } from './counts.ts';

const NAMES = ['prod', 'staging', 'sandbox'];
const configMap = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\n${extra}`;

/** A tree with prod/root/ and prod/demo/, plus what `build` adds; returns its path. */
function tree(build: (demo: string, root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'loader-'));
  mkdirSync(join(root, 'prod', 'root'), { recursive: true });
  mkdirSync(join(root, 'prod', 'demo'), { recursive: true });
  build(join(root, 'prod', 'demo'), root);
  return root;
}

interface LoaderCase {
  readonly name: string;
  readonly build: (demo: string, root: string) => void;
  /** [file, message] of the one problem, exactly. */
  readonly problem: readonly [string, string | RegExp];
  /** Objects the loader still reads. */
  readonly objects?: number;
}

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
  ),
].join('\n');

const LOADER_CASES: LoaderCase[] = [
  {
    name: 'a .YAML file is read (and its bad object reported)',
    build: (d) => writeFileSync(join(d, 'CONFIG.YAML'), 'kind: ConfigMap\n'),
    problem: ['prod/demo/CONFIG.YAML', 'document 1 is not a Kubernetes object (apiVersion, kind and metadata are required)'],
  },
  {
    name: 'a .json file is read',
    build: (d) => writeFileSync(join(d, 'config.json'), '{"kind": "ConfigMap"}'),
    problem: ['prod/demo/config.json', 'document 1 is not a Kubernetes object (apiVersion, kind and metadata are required)'],
  },
  { name: 'a .Yml file is read', build: (d) => writeFileSync(join(d, 'x.Yml'), 'apiVersion: v1\nkind: [oops\n'), problem: ['prod/demo/x.Yml', /^not valid YAML: /] },
  { name: 'invalid JSON', build: (d) => writeFileSync(join(d, 'x.json'), '{"apiVersion": "v1",'), problem: ['prod/demo/x.json', /^not valid JSON: /] },
  {
    name: 'a JSON array of objects',
    build: (d) => writeFileSync(join(d, 'list.json'), `[${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } })}]`),
    problem: ['prod/demo/list.json', 'is a JSON array; Argo CD applies one object per JSON file (or a List kind); write one object per file'],
  },
  {
    name: 'a symbolic link to a file outside the tree',
    build: (d) => symlinkSync('/etc/hostname', join(d, 'host.yaml')),
    problem: [
      'prod/demo/host.yaml',
      'is a symbolic link; dist/ holds only real files (Argo CD refuses links that leave the repository, and a link can change what is applied without a diff); replace it with the file itself',
    ],
  },
  {
    name: 'a dangling symbolic link',
    build: (d) => symlinkSync(join(d, 'missing.yaml'), join(d, 'dangling.yaml')),
    problem: [
      'prod/demo/dangling.yaml',
      'is a symbolic link; dist/ holds only real files (Argo CD refuses links that leave the repository, and a link can change what is applied without a diff); replace it with the file itself',
    ],
  },
  {
    name: 'a symbolic link to a folder',
    build: (_, root) => symlinkSync(join(root, 'prod', 'root'), join(root, 'prod', 'linked')),
    problem: ['prod/linked/', 'prod/linked is a symbolic link; dist/ holds only real folders and files (Argo CD refuses links that leave the repository); replace it with the folder itself'],
  },
  {
    name: 'a YAML alias bomb',
    build: (d) =>
      writeFileSync(
        join(d, 'bomb.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\nlol:\n${bomb
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      ),
    problem: ['prod/demo/bomb.yaml', 'document 1 expands YAML aliases more than 100 times (an alias bomb: a few lines that become gigabytes); write the values out without anchors'],
  },
  {
    name: 'a 5 MB file',
    build: (d) => writeFileSync(join(d, 'big.yaml'), configMap('big', `data:\n  blob: "${'x'.repeat(5 * 1024 * 1024)}"\n`)),
    problem: ['prod/demo/big.yaml', "is 5 MiB, over the API server's request limit of 3 MiB; split it or move the content out of git"],
  },
  {
    name: 'a 2 MB ConfigMap',
    build: (d) => writeFileSync(join(d, 'cm.yaml'), configMap('cm', `data:\n  blob: "${'x'.repeat(2 * 1024 * 1024)}"\n`)),
    problem: ['prod/demo/cm.yaml', 'document 1 (ConfigMap cm) is 2 MiB, over what etcd stores per object (1.5 MiB); move the content out of the object'],
  },
  {
    name: 'a 1.2 MB ConfigMap (under etcd, over the ConfigMap limit)',
    build: (d) => writeFileSync(join(d, 'cm.yaml'), configMap('cm', `data:\n  blob: "${'x'.repeat(1.2 * 1024 * 1024)}"\n`)),
    problem: ['prod/demo/cm.yaml', "document 1 (ConfigMap cm) has 1.2 MiB of data, over the API server's 1 MiB for a ConfigMap; keep large content out of ConfigMaps (a volume, an image, an object store)"],
  },
  { name: 'a Jsonnet file', build: (d) => writeFileSync(join(d, 'app.jsonnet'), '{}'), problem: ['prod/demo/app.jsonnet', 'is Jsonnet, which Argo CD evaluates and the gate cannot check; synthesize YAML instead'] },
  {
    name: 'a folder inside a service folder',
    build: (d) => mkdirSync(join(d, 'nested')),
    problem: ['prod/demo/nested', 'is a folder inside a service folder; the Application of prod/demo would apply its files too (recurse) or ignore them; keep one level'],
  },
  {
    name: 'a manifest beside the service folders',
    build: (_, root) => writeFileSync(join(root, 'prod', 'stray.yaml'), configMap('stray')),
    problem: ['prod//stray.yaml', 'prod/stray.yaml sits beside the service folders, where no Application reads it; move it into a service folder'],
  },
];

describe('bad input: the loader of npm run validate', () => {
  it('counts its cases for the corpus total', () => expect(LOADER_CASES.length).toBe(LOADER_CASE_COUNT));

  it.each(LOADER_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const dir = tree(c.build);
    const loaded = loadTree(dir, NAMES);
    expect(loaded.problems).toHaveLength(1);
    const [problem] = loaded.problems;
    expect(problem!.file).toBe(c.problem[0]);
    if (typeof c.problem[1] === 'string') expect(problem!.message).toBe(c.problem[1]);
    else expect(problem!.message).toMatch(c.problem[1]);
    // and the whole gate reports it without throwing
    const validation = validateDirectory(dir);
    expect(validation.report.errors.map((e) => e.message)).toContain(problem!.message);
  });
});
