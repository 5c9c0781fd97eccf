/**
 * `npm run validate DIR` as a user runs it: a copy of a real tree with one defect injected fails and
 * names the file, the object and the field; the cdk8s plugin reports the same findings.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../charts/lib/manifest.ts';
import { REPO_ROOT } from '../../charts/lib/schemas-location.ts';
import { baseTree, objectAt, writeTree } from './fixture.ts';

function validate(dir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'charts/validate.ts', dir], { cwd: REPO_ROOT, encoding: 'utf8' });
}

function broken(inject: (tree: Manifest[]) => void): string {
  const tree = baseTree();
  inject(tree);
  return writeTree(tree);
}

describe('npm run validate DIR', () => {
  it('passes a valid tree and prints the summary; skips non-environment folders', () => {
    const dir = writeTree(baseTree());
    mkdirSync(join(dir, 'talos'));
    writeFileSync(join(dir, 'talos', 'worker-1.yaml'), 'machine: {}\n');
    const run = validate(dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^validated ${baseTree().length} objects of 3 environment\\(s\\) \\(prod, sandbox, staging\\) in .* in \\d+ ms`));
    expect(run.stdout).toContain('objects per kind:');
    expect(run.stdout).toContain('       1  apps/v1/Deployment\n');
    expect(run.stdout).toContain('      12  argoproj.io/v1alpha1/Application\n');
    expect(run.stdout).toContain('cel: rules evaluated: ');
    expect(run.stdout).toContain('skipped checks:');
    expect(run.stdout).toContain('transition rule (oldSelf)');
    expect(run.stdout).toContain('skipped folders: talos/ (not an environment: no root/ folder)');
    expect(run.stdout).toMatch(/0 errors\n$/);
  });

  it('names file, object and field of a schema error', () => {
    const run = validate(broken((t) => (objectAt(t, 'demo/deployment-demo.yaml').spec.template.spec.containers[0].imagePullPolicy = 'Sometimes')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'prod/demo/deployment-demo.yaml: Deployment demo/demo at /spec/template/spec/containers/0/imagePullPolicy: must be one of "Always", "IfNotPresent", "Never"; got "Sometimes" [schema]',
    );
  });

  it('names file, object and field of a dangling reference', () => {
    const run = validate(broken((t) => (objectAt(t, 'demo/certificate-demo.yaml').spec.issuerRef.name = 'letsencrypt-staging')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('1 error(s):\nprod › demo:\n  prod/demo/certificate-demo.yaml: Certificate demo/demo at /spec/issuerRef/name: ClusterIssuer letsencrypt-staging does not exist in prod');
  });

  it('names file, object and field of an ordering error', () => {
    const run = validate(broken((t) => (objectAt(t, 'root/application-prod-gateway-api-release.yaml').metadata.annotations['argocd.argoproj.io/sync-wave'] = '20')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("prod/demo/httproute-demo.yaml: HTTPRoute demo/demo at /kind: the CRDs of gateway.networking.k8s.io are installed by prod-gateway-api-release (wave 20), not before this folder's Application prod-demo (wave 15)");
  });

  it('reports a file that is not YAML', () => {
    const dir = writeTree(baseTree());
    writeFileSync(join(dir, 'prod', 'demo', 'broken.yaml'), 'kind: [unclosed\n');
    const run = validate(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/prod\/demo\/broken\.yaml: \(file\): not valid YAML/);
  });
});

describe('cdk8s validation plugin', () => {
  function manifestsOf(dir: string): string[] {
    const files: string[] = [];
    for (const env of ['prod', 'staging', 'sandbox']) {
      for (const folder of readdirSync(join(dir, env))) for (const file of readdirSync(join(dir, env, folder))) files.push(join(dir, env, folder, file));
    }
    return files;
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

  it('passes a valid tree', async () => {
    expect(await runPlugin(writeTree(baseTree()))).toEqual({ status: 'success', violations: [] });
  });

  it('turns gate errors into violations with manifest path, resource and field', async () => {
    const dir = broken((t) => (objectAt(t, 'demo/persistentvolumeclaim-demo-data.yaml').spec.storageClassName = 'fast'));
    const { status, violations } = await runPlugin(dir);
    expect(status).toBe('failure');
    expect(violations).toHaveLength(1);
    expect(violations[0].ruleName).toBe('references');
    expect(violations[0].violatingResources).toEqual([
      { resourceName: 'PersistentVolumeClaim demo/demo-data', locations: ['/spec/storageClassName'], manifestPath: join(dir, 'prod', 'demo', 'persistentvolumeclaim-demo-data.yaml') },
    ]);
  });
});
