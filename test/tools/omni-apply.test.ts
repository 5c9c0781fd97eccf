import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { omniAccessPolicy } from '../../charts/platform/cluster-access/cluster-access.ts';
import { omniApply } from '../../tools/omni-apply.ts';

const env = { OMNI_ENDPOINT: 'https://omni.example.org', OMNI_SERVICE_ACCOUNT_KEY: 'key', OMNICTL: '/opt/omnictl' };

function policyFile(cluster: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'omni-')), 'access-policy.yaml');
  writeFileSync(file, stringify(omniAccessPolicy(cluster, [{ github: 'alice', omniIdentity: 'alice@example.org', role: 'Reader' }])));
  return file;
}

describe('npm run omni:apply', () => {
  it('runs omnictl apply with --dry-run in pull requests, without it on main', () => {
    const calls: string[][] = [];
    const run = (command: string, args: readonly string[]) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: 'applied\n', stderr: '' };
    };
    const file = policyFile('cedille-cluster');
    expect(omniApply({ file, clusterName: 'cedille-cluster', dryRun: true, env, run })).toEqual({ code: 0, output: `/opt/omnictl apply -f ${file} --dry-run\napplied` });
    expect(omniApply({ file, clusterName: 'cedille-cluster', dryRun: false, env, run }).code).toBe(0);
    expect(calls).toEqual([
      ['/opt/omnictl', 'apply', '-f', file, '--dry-run'],
      ['/opt/omnictl', 'apply', '-f', file],
    ]);
  });

  it('fails when omnictl refuses the policy', () => {
    const run = () => ({ status: 1, stdout: '', stderr: 'access policy test "alice is Reader" failed\n' });
    expect(omniApply({ file: policyFile('cedille-cluster'), clusterName: 'cedille-cluster', dryRun: true, env, run }).code).toBe(1);
  });

  it('refuses a policy for another cluster, and runs nothing without credentials', () => {
    const run = () => {
      throw new Error('omnictl must not run');
    };
    expect(omniApply({ file: policyFile('plateforme-cedille'), clusterName: 'cedille-cluster', dryRun: true, env, run }).output).toMatch(/has 1 rule\(s\) for clusters other than cedille-cluster; run npm run synth$/);
    expect(omniApply({ file: policyFile('cedille-cluster'), clusterName: 'cedille-cluster', dryRun: false, env: { OMNI_ENDPOINT: 'x' }, run })).toEqual({
      code: 1,
      output: 'OMNI_SERVICE_ACCOUNT_KEY not set: omnictl needs the Omni endpoint and a service-account key (repository settings: variable OMNI_ENDPOINT, secret OMNI_SERVICE_ACCOUNT_KEY)',
    });
  });
});
