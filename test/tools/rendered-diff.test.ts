import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffRendered, formatRenderedDiff, readRenderedTree } from '../../tools/rendered-diff.ts';

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'kuma-control-plane', namespace: 'kuma-system' },
  spec: { template: { spec: { containers: [{ name: 'control-plane', image }] } } },
});
const secret = (cert: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kuma-tls-cert', namespace: 'kuma-system' }, data: { 'tls.crt': cert, 'ca.crt': 'Q0E=' } });

function tree(objects: Record<string, unknown[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rendered-'));
  for (const [application, list] of Object.entries(objects)) {
    mkdirSync(join(dir, application), { recursive: true });
    writeFileSync(join(dir, application, 'objects.json'), JSON.stringify(list));
  }
  return dir;
}

describe('rendered diff of an upgrade', () => {
  const before = readRenderedTree(tree({ 'prod/prod-kuma-chart': [deployment('kumahq/kuma-cp:2.9.19'), secret('b2xk')], 'prod/prod-vault-chart': [deployment('x')] }));
  const after = readRenderedTree(
    tree({
      'prod/prod-kuma-chart': [
        { kind: 'List', items: [deployment('kumahq/kuma-cp:2.9.20'), secret('bmV3')] },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kuma-new', namespace: 'kuma-system' } },
      ],
      'prod/prod-vault-chart': [deployment('x')],
    }),
  );

  it('lists, per Application, the objects added and the fields changed; unchanged Applications are left out', () => {
    expect(diffRendered(before, after)).toEqual([
      {
        application: 'prod/prod-kuma-chart',
        added: ['ConfigMap kuma-system/kuma-new'],
        removed: [],
        changed: new Map([
          ['Deployment.apps kuma-system/kuma-control-plane', ['spec.template.spec.containers[name=control-plane].image: "kumahq/kuma-cp:2.9.19" → "kumahq/kuma-cp:2.9.20"']],
          ['Secret kuma-system/kuma-tls-cert', ['data.tls.crt: changed (secret value not shown)']],
        ]),
      },
    ]);
  });

  it('never prints a Secret value', () => {
    const markdown = formatRenderedDiff(diffRendered(before, after));
    expect(markdown).toContain('data.tls.crt: changed (secret value not shown)');
    expect(markdown).not.toContain('bmV3');
    expect(markdown).not.toContain('b2xk');
  });

  it('says so when nothing changes, and cuts a long comment on a line', () => {
    expect(formatRenderedDiff(diffRendered(before, before))).toBe('**Rendered charts:** no object changes.\n');
    const cut = formatRenderedDiff(diffRendered(before, after), 200);
    expect(cut.length).toBeLessThan(400);
    expect(cut).toContain('_Cut at 200 characters: run the render locally for the rest._');
  });
});
