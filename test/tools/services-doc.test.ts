import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { SERVICES } from '../../charts/platform/registry.ts';
import { SERVICES_DOC, servicesDoc } from '../../tools/services-doc.ts';

describe('services diagram', () => {
  it(`${SERVICES_DOC} is current (run \`npm run docs\` and commit when this fails)`, () => {
    expect(readFileSync(join(REPO_ROOT, SERVICES_DOC), 'utf8')).toBe(servicesDoc(SERVICES, ENVIRONMENTS));
  });

  it('draws an edge per dependency, groups services by level and says where each runs', () => {
    const registry = {
      'cert-manager': { description: 'certificates', dependsOn: [] },
      vault: { description: 'secrets | KMS', dependsOn: ['cert-manager'] },
      grafana: { description: 'dashboards', dependsOn: ['vault', 'cert-manager'] },
    };
    const doc = servicesDoc(registry, [
      { name: 'prod', services: { 'cert-manager': {}, vault: {}, grafana: {} } },
      { name: 'staging', services: { 'cert-manager': {} } },
    ]);
    expect(doc).toContain(
      [
        'flowchart LR',
        '  subgraph level0["level 0 · wave 0"]',
        '    svc_cert_manager["cert-manager"]',
        '  end',
        '  subgraph level1["level 1 · wave 10"]',
        '    svc_vault["vault"]',
        '  end',
        '  subgraph level2["level 2 · wave 20"]',
        '    svc_grafana["grafana"]',
        '  end',
        '  svc_cert_manager --> svc_vault',
        '  svc_vault --> svc_grafana',
        '  svc_cert_manager --> svc_grafana',
      ].join('\n'),
    );
    expect(doc).toContain('| `vault` | secrets \\| KMS | `cert-manager` | 1 | ✓ |  |');
    expect(doc).toContain('| `cert-manager` | certificates | — | 0 | ✓ | ✓ |');
  });
});
