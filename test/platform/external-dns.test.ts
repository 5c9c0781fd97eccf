import { describe, expect, it } from 'vitest';
import { serviceWaves } from '../../charts/app/service-waves.ts';
import { ExternalDns } from '../../charts/platform/external-dns/external-dns.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('ExternalDns', () => {
  it('publishes the Gateway routes and forwarded wildcards of the domain in Cloud DNS, owning only its records', () => {
    const chart = testChart('prod', 'external-dns');
    new ExternalDns(chart, 'ExternalDns');
    const app = find(objectsOf(chart), 'Application', 'prod-external-dns-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://kubernetes-sigs.github.io/external-dns/', chart: 'external-dns', targetRevision: '1.15.2' });
    const values = app.spec.source.helm.valuesObject;
    expect(values.provider).toEqual({ name: 'google' });
    expect(values.sources).toEqual(['gateway-httproute', 'contour-httpproxy']);
    expect(values.domainFilters).toEqual(['omni.cedille.club']);
    expect(values.excludeDomains).toEqual([]);
    expect(values.policy).toBe('sync');
    expect(values.registry).toBe('txt');
    expect(values.txtOwnerId).toBe('plateforme-cedille-prod');
    expect(values.txtPrefix).toBe('edns-');
    expect(values.extraArgs).toEqual(['--google-project=fine-harbor-276700', '--google-zone-visibility=public', '--txt-wildcard-replacement=wildcard', '--gateway-namespace=gateway']);
  });

  it('reads its GCP key from Vault, mounted where GOOGLE_APPLICATION_CREDENTIALS points', () => {
    const chart = testChart('prod', 'external-dns');
    new ExternalDns(chart, 'ExternalDns');
    const objects = objectsOf(chart);
    const secret = find(objects, 'ExternalSecret', 'external-dns-gcp', 'external-dns');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-kv-system' });
    expect(secret.spec.data).toEqual([{ secretKey: 'credentials.json', remoteRef: { key: 'external-dns/gcp', property: 'credentials.json' } }]);
    const values = find(objects, 'Application', 'prod-external-dns-chart').spec.source.helm.valuesObject;
    expect(values.extraVolumes).toEqual([{ name: 'gcp-credentials', secret: { secretName: 'external-dns-gcp' } }]);
    expect(values.extraVolumeMounts).toEqual([{ name: 'gcp-credentials', mountPath: '/etc/secrets/gcp', readOnly: true }]);
    expect(values.env).toEqual([{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/etc/secrets/gcp/credentials.json' }]);
  });

  it('syncs its chart after its folder, so the pod never starts before its namespace and key exist', () => {
    const chart = testChart('prod', 'external-dns');
    new ExternalDns(chart, 'ExternalDns');
    const objects = objectsOf(chart);
    const app = find(objects, 'Application', 'prod-external-dns-chart');
    expect(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBe(chart.folderWave + 1);
    expect(app.spec.syncPolicy.syncOptions ?? []).not.toContain('CreateNamespace=true');
    expect(find(objects, 'Namespace', 'external-dns').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(serviceWaves().get('external-dns')).toBeGreaterThan(serviceWaves().get('gateway')!);
  });

  it("runs on the host only: vclusters get their names through the host's wildcard records", () => {
    const b = realBuild();
    expect(manifestsOf(b, 'prod', 'external-dns').length).toBeGreaterThan(0);
    for (const env of ['staging', 'sandbox']) {
      expect(b.services.get(env)).not.toContain('external-dns');
    }
  });

  it('fails when an excluded domain is outside its domain', () => {
    expect(configErrors(() => new ExternalDns(testChart('prod', 'external-dns'), 'ExternalDns', { excludeDomains: ['example.org'] }))).toEqual([
      'prod › external-dns/ExternalDns: excludeDomains[0] is "example.org" but an excluded domain is a subdomain of omni.cedille.club, the domain this instance publishes; write it like "staging.omni.cedille.club"',
    ]);
  });

  it('fails when the interval is not a duration', () => {
    expect(configErrors(() => new ExternalDns(testChart('prod', 'external-dns'), 'ExternalDns', { interval: '1 minute' }))).toEqual([
      'prod › external-dns/ExternalDns: interval is "1 minute" but it is not a Go duration in whole seconds, minutes or hours; write it like "1m"',
    ]);
  });
});
