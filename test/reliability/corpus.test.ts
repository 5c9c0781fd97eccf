/**
 * Issue 18's bad-input corpus, in-process: every case runs `npm run synth` as a function (runSynth)
 * against a copy of the committed dist/, and checks the exit code, the exact messages, that no
 * stack trace is printed, and that dist/ is byte-identical afterwards (no orphan, no lock left).
 * Data and catalogue cases fail before the build (milliseconds); construct cases build.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSynth } from '../../charts/app/run.ts';
import { synthesize } from '../../charts/app/synth.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { TEST_TODAY } from '../helpers.ts';
import { CONSTRUCT_CASES, INTERNAL_CASES, SECRET_CASES } from './more-cases.ts';
import { DATA_CASES, type SynthCase } from './cases.ts';
import { ISSUE_18_CASES } from './issue18-cases.ts';

let root = '';
let out = '';
let before = '';
let scanCache = '';

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else hash.update(`${prefix}${entry.name}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bad-input-'));
  out = join(root, 'dist');
  cpSync(join(REPO_ROOT, 'dist'), out, { recursive: true });
  before = treeHash(out);
  scanCache = join(root, 'secret-scan.json');
});
afterAll(() => {
  // the tree is still the committed one after the whole corpus
  expect(treeHash(out)).toBe(before);
});

export const ALL_CASES: SynthCase[] = [...DATA_CASES, ...CONSTRUCT_CASES, ...INTERNAL_CASES, ...SECRET_CASES, ...ISSUE_18_CASES];

let reused: Extract<ReturnType<typeof synthesize>, { ok: true }> | undefined;

async function run(c: SynthCase) {
  const undo = c.patch?.();
  try {
    if (c.alterFiles && !c.environments && !reused) {
      const result = synthesize({ environments: ENVIRONMENTS, today: TEST_TODAY });
      if (!result.ok) throw new Error(result.problems);
      reused = result;
    }
    return await runSynth({
      ...(c.alterFiles && !c.environments ? { reuse: reused } : {}),
      environments: c.environments?.() ?? ENVIRONMENTS,
      today: TEST_TODAY,
      outdir: out,
      secretScanCache: scanCache,
      ...(c.alterFiles ? { alterFiles: c.alterFiles } : {}),
    });
  } finally {
    undo?.();
  }
}

describe('bad input: synth', () => {
  it('has at least 120 cases with distinct names, together with the writer and loader corpora', async () => {
    const { LOADER_CASE_COUNT, WRITER_CASE_COUNT } = await import('./counts.ts');
    expect(new Set(ALL_CASES.map((c) => c.name)).size).toBe(ALL_CASES.length);
    expect(ALL_CASES.length + LOADER_CASE_COUNT + WRITER_CASE_COUNT).toBeGreaterThanOrEqual(120);
  });

  it.each(ALL_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await run(c);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`synth failed; ${relative(process.cwd(), out)}/ was left as it was.`);
    const messages = lines.slice(1).map((line) => line.replace(/^ {2}/, ''));
    expect(messages).toHaveLength(c.messages.length);
    c.messages.forEach((expected, index) => {
      if (typeof expected === 'string') expect(messages[index]).toBe(expected);
      else expect(messages[index]).toMatch(expected);
    });
    expect(result.code).toBe(c.code);
    expect(result.stdout).toBe('');
    // no raw stack trace, whatever the input
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(treeHash(out)).toBe(before);
    expect(readdirSync(root).filter((name) => name !== 'secret-scan.json')).toEqual(['dist']);
  });
});
