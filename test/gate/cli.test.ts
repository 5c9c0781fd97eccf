/**
 * `npm run validate DIR` as a user runs it: a copy of the real dist/ with one defect injected fails
 * and names the file, the object and the field; the cdk8s plugin reports the same findings.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../charts/lib/manifest.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { formatGateErrors } from '../../gate/gate.ts';
import { validateDirectory } from '../../scripts/validate.ts';
import { distTree, findObject, writeTree } from './fixture.ts';

/** `npm run validate DIR` as a user runs it (the smoke test). */
function validate(dir: string) {
  return spawnSync(process.execPath, ['scripts/run.mjs', 'scripts/validate.ts', dir], { cwd: REPO_ROOT, encoding: 'utf8' });
}

/** The same command's verdict, in process: its exit status and its error report. */
function validateInProcess(dir: string) {
  const { report } = validateDirectory(dir);
  return { status: report.errors.length > 0 ? 1 : 0, stderr: formatGateErrors(report.errors) };
}

/** A copy of the committed dist/ with one change. */
function broken(inject: (tree: Manifest[]) => void): string {
  const tree = distTree();
  inject(tree);
  return writeTree(tree);
}

const issuer = (t: Manifest[]) => findObject(t, 'ClusterIssuer', 'letsencrypt-prod');
const certManagerChart = (t: Manifest[]) => t.find((m) => m.environment === 'prod' && m.folder === 'root' && (m.object as any).spec?.source?.chart === 'cert-manager')!.object as any;

describe('npm run validate DIR', () => {
  it('passes the committed dist/ and prints the summary; skips non-environment folders', () => {
    const dir = writeTree(distTree());
    mkdirSync(join(dir, 'talos'), { recursive: true });
    writeFileSync(join(dir, 'talos', 'worker-1.yaml'), 'machine: {}\n');
    const run = validate(dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^validated ${distTree().length} objects of 3 environment\\(s\\) \\(prod, sandbox, staging\\) in .* in \\d+ ms`));
    expect(run.stdout).toContain('objects per kind:');
    expect(run.stdout).toMatch(/\n\s+\d+ {2}cert-manager\.io\/v1\/ClusterIssuer\n/);
    expect(run.stdout).toContain('cel: rules evaluated: ');
    expect(run.stdout).toContain('skipped checks:');
    expect(run.stdout).toContain('waived (known gaps, charts/app/gate-waivers.ts):');
    expect(run.stdout).toMatch(/skipped folders: .*talos\/ \(not an environment: no root\/ folder\)/);
    expect(run.stdout).toMatch(/0 errors\n$/);
  });

  it('names file, object and field of a schema error', () => {
    const run = validateInProcess(broken((t) => (issuer(t).object.spec.acme.emial = 'x@example.org')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('prod/cert-manager/clusterissuer-letsencrypt-prod.yaml: ClusterIssuer letsencrypt-prod at /spec/acme/emial: unknown field "emial" (did you mean "email"?) [schema]');
  });

  it('names file, object and field of a dangling reference', () => {
    const run = validateInProcess(broken((t) => (findObject(t, 'Certificate', 'argocd').object.spec.issuerRef.name = 'letsencrypt-staging')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('prod/argocd/certificate-argocd.yaml: Certificate gateway/argocd at /spec/issuerRef/name: ClusterIssuer letsencrypt-staging does not exist in prod');
  });

  it('names file, object and field of an ordering error', () => {
    const run = validateInProcess(broken((t) => (certManagerChart(t).metadata.annotations['argocd.argoproj.io/sync-wave'] = '99')));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /prod\/cert-manager\/clusterissuer-letsencrypt-prod\.yaml: ClusterIssuer letsencrypt-prod at \/kind: the CRDs of cert-manager\.io are installed by prod-cert-manager-chart \(wave 99\), not before this folder's Application prod-cert-manager \(wave \d+\)/,
    );
  });

  it('reports a file that is not YAML', () => {
    const dir = writeTree(distTree());
    writeFileSync(join(dir, 'prod', 'cert-manager', 'broken.yaml'), 'kind: [unclosed\n');
    const run = validateInProcess(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/prod\/cert-manager\/broken\.yaml: \(file\): not valid YAML/);
  });
});

describe('cdk8s validation plugin', () => {
  /** Every YAML file of the tree, as the cdk8s CLI lists them (talos/ and omni/ included). */
  function manifestsOf(dir: string): string[] {
    return (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith('.yaml')).map((file) => join(dir, file));
  }

  async function runPlugin(dir: string) {
    const require = createRequire(import.meta.url);
    const { PlatformGate } = require('../../charts/cdk8s-validation-plugin.cjs');
    const violations: any[] = [];
    let status = '';
    const context = {
      manifests: manifestsOf(dir),
      logger: { log: () => undefined },
      report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => (status = s) },
    };
    await new PlatformGate().validate(context);
    return { status, violations };
  }

  it('passes the committed dist/', async () => {
    expect(await runPlugin(writeTree(distTree()))).toEqual({ status: 'success', violations: [] });
  });

  it('turns gate errors into violations with manifest path, resource and field', async () => {
    const dir = broken((t) => (issuer(t).object.spec.acme.emial = 'x@example.org'));
    const { status, violations } = await runPlugin(dir);
    expect(status).toBe('failure');
    expect(violations).toHaveLength(1);
    expect(violations[0].ruleName).toBe('schema');
    expect(violations[0].violatingResources).toEqual([
      { resourceName: 'ClusterIssuer letsencrypt-prod', locations: ['/spec/acme/emial'], manifestPath: join(dir, 'prod', 'cert-manager', 'clusterissuer-letsencrypt-prod.yaml') },
    ]);
  });
});
