import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildPlatform } from '../../charts/app/build.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { yamlText } from '../../charts/lib/yaml-text.ts';
import { withSandboxUsers } from '../../tools/bench-users.ts';

const reference = (value: unknown) => stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });

const AWKWARD_STRINGS = [
  '',
  ' ',
  'a ',
  ' a',
  'true',
  'True',
  'FALSE',
  'null',
  'Null',
  '~',
  '0',
  '007',
  '-1',
  '+1',
  '1.5',
  '.5',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '-.Inf',
  '.nan',
  'yes',
  'no',
  'on',
  'off',
  'y',
  '2026-11-30',
  '12:30',
  '1:2',
  'a: b',
  'a:b',
  'a #b',
  'a#b',
  '#a',
  '- a',
  '-',
  '?',
  '? a',
  ':',
  'a:',
  '*a',
  '&a',
  '!a',
  '|',
  '>',
  "'a'",
  '"a"',
  "it's",
  'say "hi"',
  `both ' and "`,
  '%a',
  '@a',
  '`a',
  '[a]',
  '{a}',
  'a,b',
  'a, b',
  '---',
  '--- a',
  '...',
  'a\tb',
  '\ta',
  'é',
  '日本',
  '💥',
  'a\nb',
  'a\n',
  'a\n\n',
  'a\n\nb\n',
  '\na',
  ' a\nb',
  'a \nb',
  'a\nb ',
  'a\n ',
  '---\na',
  'a\n---\nb',
  'line\n  indented\n',
  'x\u0001y',
  'tab\there\n',
  'http://example.com/a?b=c#d',
  'key=value',
  'a'.repeat(2000),
  `${'b'.repeat(100)}\n${'c'.repeat(100)}`,
];

describe('yamlText', () => {
  it('writes every object of the platform exactly as yaml does (all environments, 20 sandbox users)', () => {
    const build = buildPlatform(withSandboxUsers(ENVIRONMENTS, 20, '2026-12-24'), { today: '2026-11-24' });
    expect(build.manifests.length).toBeGreaterThan(500);
    const different = build.manifests.filter((m) => yamlText(m.object) !== reference(m.object)).map((m) => `${m.environment}/${m.folder}/${m.file}`);
    expect(different).toEqual([]);
  });

  it('writes awkward strings as yaml does, as values, keys, sequence items and nested block scalars', () => {
    for (const text of AWKWARD_STRINGS) {
      const documents = [{ value: text }, { [text || 'empty']: 'v', other: 1 }, { list: [text, { inner: text }, [text, text]] }, { a: { b: { c: text } }, d: [{ e: [text] }] }, [text, { x: text }]];
      for (const document of documents) expect([text, yamlText(document)]).toEqual([text, reference(document)]);
    }
  });

  it('writes numbers, booleans, nulls and empty collections as yaml does', () => {
    const document = { n: [0, -0, 1, -7, 2 ** 53, 1.5, -0.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER], b: [true, false], z: null, e: {}, l: [], nested: [[], {}, [[]]], u: undefined, only: { u: undefined } };
    expect(yamlText(document)).toBe(reference(document));
  });

  it('sorts keys by code point like yaml, at every level', () => {
    const document = { b: 1, B: 2, a: { z: 1, 'Z-': 2, _: 3, '10': 4, '9': 5 }, é: 1, '~': 2 };
    expect(yamlText(document)).toBe(reference(document));
  });
});
