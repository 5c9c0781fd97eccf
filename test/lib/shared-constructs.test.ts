import { describe, expect, it } from 'vitest';
import { VaultSecret } from '../../charts/lib/external-secret.ts';
import { PlatformNamespace } from '../../charts/lib/namespace.ts';
import { PlatformRoute, environmentListeners } from '../../charts/lib/route.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

describe('PlatformNamespace', () => {
  it('carries Pod Security labels, the mesh decision and an early sync wave', () => {
    const chart = testChart('prod', 'demo');
    new PlatformNamespace(chart, 'Ns', { name: 'demo', podSecurity: 'baseline', mesh: 'injected' });
    new PlatformNamespace(chart, 'Other', { name: 'system', podSecurity: 'privileged', mesh: 'excluded' });
    const demo = find(objectsOf(chart), 'Namespace', 'demo');
    expect(demo.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/audit': 'baseline',
      'pod-security.kubernetes.io/warn': 'baseline',
      'kuma.io/sidecar-injection': 'enabled',
      'app.kubernetes.io/part-of': 'plateforme-cedille',
    });
    expect(demo.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(find(objectsOf(chart), 'Namespace', 'system').metadata.labels['kuma.io/sidecar-injection']).toBe('disabled');
  });
});

describe('VaultSecret', () => {
  it('turns "keys K from Vault path P" into an ExternalSecret on the system store', () => {
    const chart = testChart('prod', 'argocd');
    new VaultSecret(chart, 'Dex', {
      namespace: 'argocd',
      secretName: 'argocd-dex-github',
      path: 'argocd/dex',
      keys: { 'dex.github.clientSecret': 'client-secret' },
      secretMetadata: { labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    });
    const es = find(objectsOf(chart), 'ExternalSecret', 'argocd-dex-github', 'argocd');
    expect(es.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-kv-system' });
    expect(es.spec.target).toEqual({
      name: 'argocd-dex-github',
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      template: { engineVersion: 'v2', metadata: { labels: { 'app.kubernetes.io/part-of': 'argocd' } } },
    });
    expect(es.spec.data).toEqual([{ secretKey: 'dex.github.clientSecret', remoteRef: { key: 'argocd/dex', property: 'client-secret' } }]);
  });

  it('uses the workloads store on request', () => {
    const chart = testChart('prod', 'demo');
    new VaultSecret(chart, 'S', { namespace: 'demo', secretName: 's', path: 'demo/external-secrets/db', keys: { password: 'password' }, store: 'workloads' });
    expect(find(objectsOf(chart), 'ExternalSecret', 's').spec.secretStoreRef.name).toBe('vault-kv');
  });

  it('fails on a path that includes the mount', () => {
    expect(configErrors(() => new VaultSecret(testChart('prod', 'argocd'), 'Dex', { namespace: 'argocd', secretName: 'x', path: 'kv-system/argocd/dex', keys: { a: 'b' } }))).toEqual([
      'prod › argocd/Dex: path is "kv-system/argocd/dex" but a path inside the KV v2 mount "kv-system" is lower-case segments separated by "/", without the mount or "data/"; write it like "argocd/dex"',
    ]);
  });

  it('fails without keys', () => {
    expect(configErrors(() => new VaultSecret(testChart('prod', 'argocd'), 'Dex', { namespace: 'argocd', secretName: 'x', path: 'argocd/dex', keys: {} }))).toEqual([
      'prod › argocd/Dex: keys is {} but a secret needs at least one key; map each Secret key to a Vault property',
    ]);
  });
});

describe('PlatformRoute', () => {
  it('routes <host>.<domain> through its own HTTPS listener with a certificate from the environment issuer', () => {
    const chart = testChart('staging', 'grafana');
    const route = new PlatformRoute(chart, 'Route', { host: 'grafana', namespace: 'grafana', backend: { service: 'grafana', port: 80 } });
    expect(route.hostname).toBe('grafana.staging.omni.cedille.club');
    const objects = objectsOf(chart);
    const httpRoute = find(objects, 'HTTPRoute', 'grafana', 'grafana');
    expect(httpRoute.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'gateway', sectionName: 'https-grafana' }]);
    expect(httpRoute.spec.hostnames).toEqual(['grafana.staging.omni.cedille.club']);
    expect(httpRoute.spec.rules[0].backendRefs).toEqual([{ name: 'grafana', port: 80 }]);
    const certificate = find(objects, 'Certificate', 'grafana', 'gateway');
    expect(certificate.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-staging' });
    expect(certificate.spec.secretName).toBe('grafana-tls');
    expect(environmentListeners(chart)).toEqual([{ name: 'https-grafana', hostname: 'grafana.staging.omni.cedille.club', secretName: 'grafana-tls' }]);
  });

  it('rejects a hostname outside the environment domain', () => {
    expect(configErrors(() => new PlatformRoute(testChart('prod', 'grafana'), 'Route', { host: 'grafana.staging', namespace: 'grafana', backend: { service: 'grafana', port: 80 } }))).toEqual([
      'prod › grafana/Route: host is "grafana.staging" but a route serves one name directly under the environment\'s domain omni.cedille.club (one DNS label, so prod can never claim a staging or sandbox name); give the first label only, e.g. "grafana" for grafana.omni.cedille.club',
    ]);
  });

  it('rejects two routes for one hostname', () => {
    const chart = testChart('prod', 'grafana');
    new PlatformRoute(chart, 'A', { host: 'grafana', namespace: 'grafana', backend: { service: 'grafana', port: 80 } });
    expect(configErrors(() => new PlatformRoute(chart, 'B', { host: 'grafana', namespace: 'other', backend: { service: 'x', port: 80 } }))).toEqual([
      'prod › grafana/B: host is "grafana" but another route of prod already serves grafana.omni.cedille.club; give each route its own host',
    ]);
  });
});
