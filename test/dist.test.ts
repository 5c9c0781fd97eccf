import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../charts/app/synth.ts';
import { runSynth } from '../charts/app/run.ts';
import { today } from '../charts/app/sandboxes.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { TEST_TODAY, environment, readTree, withChanges } from './helpers.ts';

const sorted = (files: Map<string, string>) => [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

function freshFiles(environments = ENVIRONMENTS, date = today()): Map<string, string> {
  const result = synthesize({ environments, today: date });
  if (!result.ok) throw new Error(result.problems);
  return result.files;
}

describe('dist/', () => {
  it('the committed dist/ equals a fresh synth (run `npm run synth` and commit when this fails)', () => {
    const committed = readTree(join(REPO_ROOT, 'dist'));
    const fresh = freshFiles();
    const stale = [...committed.keys()].filter((path) => !fresh.has(path));
    const missing = [...fresh.keys()].filter((path) => !committed.has(path));
    const changed = [...fresh.keys()].filter((path) => committed.has(path) && committed.get(path) !== fresh.get(path));
    expect({ stale, missing, changed }).toEqual({ stale: [], missing: [], changed: [] });
  });

  it('has a folder per environment with its root, README and metadata', () => {
    const files = freshFiles();
    for (const env of ['prod', 'staging', 'sandbox']) {
      expect([...files.keys()].some((path) => path.startsWith(`${env}/root/appproject-${env}.yaml`))).toBe(true);
    }
    expect(files.get('README.md')).toContain('generated, do not edit');
    const metadata = JSON.parse(files.get('metadata.json')!);
    expect(metadata.tools.cdk8s).toBe('2.70.106');
    expect(JSON.stringify(metadata)).not.toMatch(/\d{4}-\d{2}-\d{2}T|[0-9a-f]{40}/);
  });

  it('npm run synth in its own process writes the same bytes as a synth in this one', () => {
    const a = mkdtempSync(join(tmpdir(), 'synth-a-'));
    // `npm test` ran tsc over everything first (charts/app/type-check.ts).
    const env = { ...process.env, PLATFORM_TODAY: TEST_TODAY, PLATFORM_TYPECHECKED: '1' };
    execFileSync(process.execPath, ['scripts/run.mjs', 'charts/main.ts'], { cwd: REPO_ROOT, env: { ...env, CDK8S_OUTDIR: join(a, 'dist') }, stdio: 'pipe' });
    const first = readTree(join(a, 'dist'));
    const second = freshFiles(ENVIRONMENTS, TEST_TODAY);
    expect(first.size).toBeGreaterThan(10);
    expect(sorted(first)).toEqual(sorted(second));
  });

  it('`cdk8s synth` writes the same tree as `npm run synth`, through the validation plugin', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cdk8s-synth-')), 'dist');
    const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--output', out], {
      cwd: REPO_ROOT,
      env: { ...process.env, PLATFORM_TODAY: TEST_TODAY, PLATFORM_TYPECHECKED: '1' },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Validations ended succesfully');
    expect(sorted(readTree(out))).toEqual(sorted(freshFiles(ENVIRONMENTS, TEST_TODAY)));
  });

  it('removing a service from an environment removes its folder and its root Applications', () => {
    const before = freshFiles(ENVIRONMENTS, TEST_TODAY);
    // The sample app's Certificate needs cert-manager: the gate refuses a staging with one and not the other.
    const { 'cert-manager': _removed, 'sample-app': _needsCertManager, ...rest } = environment('staging').services;
    const after = freshFiles([environment('prod'), withChanges('staging', { services: rest }), environment('sandbox')], TEST_TODAY);
    expect([...before.keys()].filter((p) => p.startsWith('staging/cert-manager/'))).not.toEqual([]);
    expect([...after.keys()].filter((p) => p.startsWith('staging/cert-manager/'))).toEqual([]);
    expect(after.has('staging/root/application-staging-cert-manager.yaml')).toBe(false);
    expect(after.has('staging/root/application-staging-cert-manager-chart.yaml')).toBe(false);
    expect(after.has('prod/root/application-prod-cert-manager.yaml')).toBe(true);
  });

  it('bad input stops synth with a non-zero exit and leaves the previous dist/ untouched', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'synth-bad-')), 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'previous.yaml'), 'kept');
    const result = await runSynth({ environments: [withChanges('prod', { domain: 'not a domain' })], today: TEST_TODAY, outdir: out });
    expect(result.code).toBe(1);
    expect(readTree(out)).toEqual(new Map([['previous.yaml', 'kept']]));

    const cli = spawnSync(process.execPath, ['scripts/run.mjs', 'charts/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK8S_OUTDIR: out, PLATFORM_TODAY: 'not-a-date', PLATFORM_TYPECHECKED: '1' },
      encoding: 'utf8',
    });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain('PLATFORM_TODAY is "not-a-date"');
    expect(readTree(out)).toEqual(new Map([['previous.yaml', 'kept']]));
  });
});
