import { describe, expect, it } from 'vitest';
import { serviceWaves } from '../../charts/app/service-waves.ts';
import { HostedEdges } from '../../charts/platform/hosted-edges/hosted-edges.ts';
import { configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

describe('HostedEdges', () => {
  it('passes each vcluster domain through to its own Envoy: TLS by SNI, untouched, and plain HTTP for its ACME challenges', () => {
    // The real build: staging has a route (an HTTPS listener), sandbox has none.
    const objects = manifestsOf(realBuild(), 'prod', 'hosted-edges').map((m) => m.object as any);
    const staging = find(objects, 'HTTPProxy', 'staging-edge', 'vcluster-staging');
    expect(staging.apiVersion).toBe('projectcontour.io/v1');
    expect(staging.spec).toEqual({
      virtualhost: { fqdn: '*.staging.omni.cedille.club', tls: { passthrough: true } },
      tcpproxy: { services: [{ name: 'envoy-platform-x-gateway-x-staging', port: 443 }] },
      routes: [{ conditions: [{ prefix: '/' }], permitInsecure: true, services: [{ name: 'envoy-platform-x-gateway-x-staging', port: 80 }] }],
    });
    // external-dns (on the host only) publishes the wildcard at the edge node.
    expect(staging.metadata.annotations['external-dns.alpha.kubernetes.io/target']).toBe('edge.omni.cedille.club');
    // No certificate on the host for a hosted domain: the vcluster's own issuer signs its names.
    expect(objects.filter((o) => o.kind === 'Certificate')).toEqual([]);
  });

  it('forwards only plain HTTP to a hosted Gateway without an HTTPS listener (its Envoy has no port 443: B3)', () => {
    const chart = testChart('prod', 'hosted-edges');
    new HostedEdges(chart, 'HostedEdges', { environments: [environment('sandbox')] });
    expect(find(objectsOf(chart), 'HTTPProxy', 'sandbox-edge', 'vcluster-sandbox').spec).toEqual({
      virtualhost: { fqdn: '*.sandbox.omni.cedille.club' },
      routes: [{ conditions: [{ prefix: '/' }], permitInsecure: true, services: [{ name: 'envoy-platform-x-gateway-x-sandbox', port: 80 }] }],
    });
  });

  it('syncs with the hosted roots, after the vclusters (their ACME challenges come through it)', () => {
    const root = manifestsOf(realBuild(), 'prod', 'root').map((m) => m.object as any);
    const wave = (name: string) => Number(find(root, 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('prod-hosted-edges')).toBe(wave('staging-root'));
    expect(wave('prod-hosted-edges')).toBeGreaterThan(wave('prod-vcluster'));
  });

  it("syncs after the gateway and the vclusters (its HTTPProxies need Contour's CRDs and the synced Envoy Services)", () => {
    const waves = serviceWaves();
    expect(waves.get('hosted-edges')).toBeGreaterThan(waves.get('gateway')!);
    expect(waves.get('hosted-edges')).toBeGreaterThan(waves.get('vcluster')!);
  });

  it('fails when an environment is not a vcluster of this host', () => {
    expect(configErrors(() => new HostedEdges(testChart('prod', 'hosted-edges'), 'HostedEdges', { environments: [environment('prod')] }))).toEqual([
      'prod › hosted-edges/HostedEdges: environments[0] is "prod" but only vclusters hosted by prod are forwarded through its edge; list environments whose cluster.host is "prod"',
      'prod › hosted-edges/HostedEdges: environments[0] is "prod" but its domain omni.cedille.club is not under omni.cedille.club, the domain this edge answers for; give it a domain like "prod.omni.cedille.club"',
    ]);
  });

  it('fails when an environment is listed twice', () => {
    expect(configErrors(() => new HostedEdges(testChart('prod', 'hosted-edges'), 'HostedEdges', { environments: [environment('staging'), environment('staging')] }))).toEqual([
      'prod › hosted-edges/HostedEdges: environments[1] is "staging" but it is listed twice; list each environment once',
    ]);
  });

  it('fails when a hosted domain lies outside the host domain', () => {
    const odd = withChanges('staging', { domain: 'staging.example.org' });
    expect(configErrors(() => new HostedEdges(testChart('prod', 'hosted-edges'), 'HostedEdges', { environments: [odd] }))).toEqual([
      'prod › hosted-edges/HostedEdges: environments[0] is "staging" but its domain staging.example.org is not under omni.cedille.club, the domain this edge answers for; give it a domain like "staging.omni.cedille.club"',
    ]);
  });
});
