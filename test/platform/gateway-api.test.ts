import { describe, expect, it } from 'vitest';
import { serviceWaves } from '../../charts/app/service-waves.ts';
import { GatewayApi } from '../../charts/platform/gateway-api/gateway-api.ts';
import { find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('GatewayApi', () => {
  it('installs the standard-channel CRDs of the pinned release by server-side apply', () => {
    const chart = testChart('prod', 'gateway-api');
    new GatewayApi(chart, 'GatewayApi');
    const app = find(objectsOf(chart), 'Application', 'prod-gateway-api-release');
    expect(app.spec.source).toEqual({
      repoURL: 'https://github.com/kubernetes-sigs/gateway-api',
      path: 'config/crd/standard',
      targetRevision: 'v1.2.1',
    });
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  it('adds only the TCPRoute CRD of the same release, which Contour 1.30 cannot start without', () => {
    const chart = testChart('staging', 'gateway-api');
    new GatewayApi(chart, 'GatewayApi');
    const app = find(objectsOf(chart), 'Application', 'staging-gateway-api-tcproute-release');
    expect(app.spec.source).toEqual({
      repoURL: 'https://github.com/kubernetes-sigs/gateway-api',
      path: 'config/crd/experimental',
      targetRevision: 'v1.2.1',
      directory: { include: 'gateway.networking.k8s.io_tcproutes.yaml' },
    });
  });

  it('comes before cert-manager, whose Gateway API support needs the CRDs when it starts, and cert-manager before the gateway', () => {
    const waves = serviceWaves();
    expect(waves.get('gateway-api')).toBeLessThan(waves.get('cert-manager')!);
    expect(waves.get('cert-manager')).toBeLessThan(waves.get('gateway')!);
  });

  it('is the only source of Gateway API CRDs in every environment: one version for the cluster', () => {
    const b = realBuild();
    for (const env of ['prod', 'staging', 'sandbox']) {
      const sources = manifestsOf(b, env, 'root')
        .map((m) => m.object as any)
        .filter((o) => o.kind === 'Application' && o.spec.source?.repoURL === 'https://github.com/kubernetes-sigs/gateway-api')
        .map((o) => o.spec.source.targetRevision);
      expect(new Set(sources)).toEqual(new Set(['v1.2.1']));
      // Contour's manifests come from 01-crds.yaml only, never the provisioner bundle with Gateway API CRDs.
      const contour = manifestsOf(b, env, 'root')
        .map((m) => m.object as any)
        .filter((o) => o.kind === 'Application' && o.spec.source?.repoURL === 'https://github.com/projectcontour/contour');
      expect(contour.map((o) => o.spec.source)).toEqual([{ repoURL: 'https://github.com/projectcontour/contour', path: 'examples/contour', targetRevision: 'v1.30.5', directory: { include: '01-crds.yaml' } }]);
    }
  });
});
