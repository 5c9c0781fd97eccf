import { describe, expect, it } from 'vitest';
import { VaultTls } from '../../charts/platform/vault-tls/vault-tls.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('VaultTls', () => {
  it('chains a self-signed bootstrap issuer, the CA certificate and the platform-ca ClusterIssuer', () => {
    const chart = testChart('prod', 'vault-tls');
    new VaultTls(chart, 'VaultTls');
    const objects = objectsOf(chart);
    expect(find(objects, 'ClusterIssuer', 'platform-ca-bootstrap').spec).toEqual({ selfSigned: {} });
    const ca = find(objects, 'Certificate', 'platform-ca', 'cert-manager');
    expect(ca.spec).toMatchObject({ isCA: true, secretName: 'platform-ca', issuerRef: { kind: 'ClusterIssuer', name: 'platform-ca-bootstrap' } });
    const issuer = find(objects, 'ClusterIssuer', 'platform-ca');
    expect(issuer.metadata.namespace).toBeUndefined();
    expect(issuer.spec).toEqual({ ca: { secretName: 'platform-ca' } });
  });

  it("issues Vault's certificate for its services, its pods and 127.0.0.1, and creates the restricted vault namespace", () => {
    const chart = testChart('prod', 'vault-tls');
    new VaultTls(chart, 'VaultTls');
    const objects = objectsOf(chart);
    const cert = find(objects, 'Certificate', 'vault-server', 'vault');
    expect(cert.spec.secretName).toBe('vault-tls');
    expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'platform-ca' });
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['vault.vault.svc', 'vault-active.vault.svc', 'vault-ui.vault.svc', '*.vault-internal']));
    expect(cert.spec.ipAddresses).toEqual(['127.0.0.1']);
    expect(cert.spec.duration).toBe('8760h');
    const namespace = find(objects, 'Namespace', 'vault');
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'kuma.io/sidecar-injection': 'disabled' });
  });

  it('syncs before the vault service', () => {
    const b = realBuild();
    const wave = (name: string) => Number(manifestsOf(b, 'prod', 'root').find((m) => m.object.metadata.name === name)!.object.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('prod-vault-tls')).toBeLessThan(wave('prod-vault-chart'));
    expect(wave('prod-cert-manager-chart')).toBeLessThan(wave('prod-vault-tls'));
  });

  it('fails when the certificate would be renewed before it is issued', () => {
    expect(configErrors(() => new VaultTls(testChart('prod', 'vault-tls'), 'VaultTls', { certificateDuration: '30d' }))).toEqual([
      'prod › vault-tls/VaultTls: certificateDuration is "30d" but cert-manager renews 30 days (720h) before expiry, so the certificate must last longer, written in hours; write it like "8760h"',
    ]);
  });
});
