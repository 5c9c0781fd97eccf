/**
 * Issue 18: the Vault UI/API was public on the Gateway without anyone deciding it. Rule
 * `public-routes` refuses a public route to a backend not declared in PLATFORM.publicBackends.
 */
import { describe, expect, it } from 'vitest';
import { platformGateOptions } from '../../charts/app/gate-config.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { runGate } from '../../gate/gate.ts';
import { realBuild } from '../helpers.ts';

const platform = realBuild();
const MESSAGE =
  'would be reachable from the internet and is not declared public; put it behind SSO, or keep it off the public edge (kubectl port-forward), or declare it in PLATFORM.publicBackends with how it authenticates and why (docs/decisions/0907-public-endpoints.md)';

function gate(extra: Manifest[]) {
  return runGate([...platform.manifests, ...extra], { ...platformGateOptions(ENVIRONMENTS), only: ['public-routes'] }).errors.map((e) => `${e.file} ${e.field} ${e.message}`);
}

const vaultRoute: Manifest = {
  environment: 'prod',
  folder: 'vault',
  file: 'httproute-vault.yaml',
  source: 'test',
  object: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'vault', namespace: 'vault' },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'gateway', sectionName: 'https-vault' }],
      hostnames: ['vault.omni.cedille.club'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'vault-ui', port: 8200 }] }],
    },
  } as unknown as KubeObject,
};

describe('public routes', () => {
  it('accepts the platform as synthesized: every public backend is declared', () => {
    expect(gate([])).toEqual([]);
  });

  it('refuses the Vault UI route that was public before decision 0907', () => {
    expect(gate([vaultRoute])).toEqual([`prod/vault/httproute-vault.yaml /spec/rules/0/backendRefs/0/name Service vault/vault-ui ${MESSAGE}`]);
  });

  it('refuses the HotROD route straight to HotROD, as it was before its SSO', () => {
    const hotrod = platform.manifests.find((m) => m.environment === 'staging' && m.object.kind === 'HTTPRoute' && m.object.metadata.name === 'hotrod')!;
    const direct: Manifest = {
      ...hotrod,
      object: { ...hotrod.object, spec: { ...(hotrod.object as any).spec, rules: [{ backendRefs: [{ name: 'hotrod', port: 8080 }] }] } } as KubeObject,
    };
    expect(gate([direct])).toEqual([`staging/sample-app/httproute-hotrod.yaml /spec/rules/0/backendRefs/0/name Service sample/hotrod ${MESSAGE}`]);
  });

  it('judges Contour HTTPProxies too, and ignores routes not attached to a Gateway', () => {
    const proxy: Manifest = {
      environment: 'prod',
      folder: 'demo',
      file: 'httpproxy-demo.yaml',
      source: 'test',
      object: {
        apiVersion: 'projectcontour.io/v1',
        kind: 'HTTPProxy',
        metadata: { name: 'demo', namespace: 'vault' },
        spec: { virtualhost: { fqdn: 'x.omni.cedille.club' }, routes: [{ services: [{ name: 'vault-active', port: 8200 }] }] },
      } as unknown as KubeObject,
    };
    const meshOnly = { ...vaultRoute, object: { ...vaultRoute.object, spec: { ...(vaultRoute.object as any).spec, parentRefs: [{ group: '', kind: 'Service', name: 'vault' }] } } as KubeObject };
    expect(gate([proxy, meshOnly])).toEqual([`prod/demo/httpproxy-demo.yaml /spec/routes/0/services/0/name Service vault/vault-active ${MESSAGE}`]);
  });
});
