import { describe, expect, it } from 'vitest';
import { VaultSecret } from '../../charts/lib/external-secret.ts';
import { ExternalSecrets } from '../../charts/platform/external-secrets/external-secrets.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('ExternalSecrets', () => {
  it('installs the pinned chart with its CRDs and a fixed service account', () => {
    const chart = testChart('prod', 'external-secrets');
    new ExternalSecrets(chart, 'ExternalSecrets');
    const app = find(objectsOf(chart), 'Application', 'prod-external-secrets-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://charts.external-secrets.io', chart: 'external-secrets', targetRevision: '0.10.7' });
    expect(app.spec.source.helm.valuesObject).toEqual({ installCRDs: true, replicaCount: 1, leaderElect: false, serviceAccount: { create: true, name: 'external-secrets' } });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('creates one ClusterSecretStore per KV v2 mount, over verified TLS with Kubernetes auth', () => {
    const chart = testChart('prod', 'external-secrets');
    new ExternalSecrets(chart, 'ExternalSecrets');
    const objects = objectsOf(chart);
    const system = find(objects, 'ClusterSecretStore', 'vault-kv-system');
    expect(system.metadata.namespace).toBeUndefined();
    expect(system.spec.provider.vault).toEqual({
      server: 'https://vault-active.vault.svc:8200',
      path: 'kv-system',
      version: 'v2',
      caProvider: { type: 'Secret', name: 'vault-tls', namespace: 'vault', key: 'ca.crt' },
      auth: { kubernetes: { mountPath: 'cluster/prod', role: 'external-secrets', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
    });
    const workloads = find(objects, 'ClusterSecretStore', 'vault-kv');
    expect(workloads.spec.provider.vault.path).toBe('kv');
    // no namespace: the service account of the ExternalSecret's own namespace
    expect(workloads.spec.provider.vault.auth.kubernetes).toEqual({ mountPath: 'cluster/prod', role: 'secret-reader', serviceAccountRef: { name: 'external-secrets' } });
    expect(workloads.spec.conditions).toBeUndefined();
  });

  it('serves the platform secrets only to the namespaces whose VaultSecrets use the system store', () => {
    const chart = testChart('prod', 'external-secrets');
    new ExternalSecrets(chart, 'ExternalSecrets');
    new VaultSecret(chart, 'Dex', { namespace: 'argocd', secretName: 'dex', path: 'argocd/dex', keys: { a: 'a' } });
    new VaultSecret(chart, 'Grafana', { namespace: 'grafana', secretName: 'oauth', path: 'grafana/oauth', keys: { a: 'a' } });
    new VaultSecret(chart, 'App', { namespace: 'demo', secretName: 'db', path: 'demo/external-secrets/db', keys: { a: 'a' }, store: 'workloads' });
    expect(find(objectsOf(chart), 'ClusterSecretStore', 'vault-kv-system').spec.conditions).toEqual([{ namespaces: ['argocd', 'grafana'] }]);
  });

  it('serves no namespace when nothing uses the system store', () => {
    const chart = testChart('prod', 'external-secrets');
    new ExternalSecrets(chart, 'ExternalSecrets');
    expect(find(objectsOf(chart), 'ClusterSecretStore', 'vault-kv-system').spec.conditions).toEqual([{ namespaces: ['external-secrets'] }]);
  });

  it('runs in prod after Vault, with its stores in dist/prod', () => {
    const b = realBuild();
    const stores = manifestsOf(b, 'prod', 'external-secrets').filter((m) => m.object.kind === 'ClusterSecretStore');
    expect(stores.map((m) => m.object.metadata.name).sort()).toEqual(['vault-kv', 'vault-kv-system']);
    const wave = (name: string) => Number(manifestsOf(b, 'prod', 'root').find((m) => m.object.metadata.name === name)!.object.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('prod-vault')).toBeLessThan(wave('prod-external-secrets-chart'));
  });

  it('fails when replicas is impossible', () => {
    expect(configErrors(() => new ExternalSecrets(testChart('prod', 'external-secrets'), 'ExternalSecrets', { replicas: 4 }))).toEqual([
      'prod › external-secrets/ExternalSecrets: replicas is 4 but External Secrets runs 1 to 3 leader-elected controllers; set replicas between 1 and 3',
    ]);
  });
});
