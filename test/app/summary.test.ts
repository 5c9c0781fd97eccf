import { describe, expect, it } from 'vitest';
import { formatSynthSummary } from '../../charts/app/summary.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { build, TEST_TODAY, withChanges, environment } from '../helpers.ts';

describe('synth summary', () => {
  it('prints services × environments with object counts, sandboxes, totals, time and warnings', () => {
    const environments = [
      environment('prod'),
      environment('staging'),
      withChanges('sandbox', {
        sandboxUsers: [
          { github: 'a', expires: '2027-01-31' },
          { github: 'b', expires: '2026-11-30' },
          { github: 'c', expires: '2026-01-01' },
        ],
      }),
    ];
    const b = build(environments);
    const text = formatSynthSummary({ environments, manifests: b.manifests, services: b.services, warnings: b.warnings, today: TEST_TODAY, outdir: 'dist', totalMs: 812.4, gateMs: 120.2 });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^synthesized 3 environments × \d+ services = \d+ objects into dist\/ in 812 ms \(gate 120 ms\), 3 warning\(s\)$/);
    expect(text).toContain('warning: prod › cluster-access: 35 member(s) have no omniIdentity');
    expect(lines[1]).toMatch(/^ {2}service +prod +staging +sandbox$/);
    expect(text).toMatch(/\n {2}cert-manager +2 +2 +2\n/);
    expect(text).toMatch(/\n {2}root +\d+ +\d+ +\d+\n/);
    const total = (env: string) => b.manifests.filter((m) => m.environment === env).length;
    expect(text).toMatch(new RegExp(`\\n {2}objects +${total('prod')} +${total('staging')} +${total('sandbox')}\\n`));
    // Two active sandboxes (c expired), one expiring soon.
    expect(text).toMatch(/\n {2}sandboxes +0 +0 +2\n/);
    expect(text).toContain('warning: sandbox › environment: sandbox of b expires on 2026-11-30 (in 6 days)');
    expect(text).toContain('warning: sandbox › environment: sandbox of c expired on 2026-01-01');
  });

  it('marks services an environment does not run with ·', () => {
    const { 'cert-manager': _off, ...rest } = environment('staging').services;
    const environments = [environment('prod'), withChanges('staging', { services: rest })];
    const b = build(environments);
    const text = formatSynthSummary({ environments, manifests: b.manifests, services: b.services, warnings: [], today: TEST_TODAY, outdir: 'out', totalMs: 1, gateMs: 0, processMs: 900 });
    expect(text).toMatch(/\n {2}cert-manager +2 +·\n/);
    expect(text.split('\n')[0]).toContain('in 1 ms (gate 0 ms; 900 ms since node started)');
    expect(ENVIRONMENTS.length).toBe(3);
  });
});
