import { describe, expect, it } from 'vitest';
import { CertManager } from '../../charts/platform/cert-manager/cert-manager.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('CertManager', () => {
  it('installs the pinned chart with its CRDs, in a restricted namespace', () => {
    const chart = testChart('prod', 'cert-manager');
    new CertManager(chart, 'CertManager');
    const app = find(objectsOf(chart), 'Application', 'prod-cert-manager-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.16.5' });
    expect(app.spec.source.helm.valuesObject.crds).toEqual({ enabled: true, keep: true });
    expect(app.spec.source.helm.valuesObject.config.enableGatewayAPI).toBe(true);
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'cert-manager' });
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('20');
    expect(app.metadata.labels['argocd.argoproj.io/sync-wave']).toBeUndefined();
  });

  it('creates only the issuer the environment may use, solving HTTP-01 through the Gateway', () => {
    const prod = testChart('prod', 'cert-manager');
    new CertManager(prod, 'CertManager');
    const issuers = objectsOf(prod).filter((o) => o.kind === 'ClusterIssuer');
    expect(issuers.map((o) => o.metadata.name)).toEqual(['letsencrypt-prod']);
    const issuer = issuers[0] as any;
    expect(issuer.metadata.namespace).toBeUndefined();
    expect(issuer.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(issuer.spec.acme.email).toBe('cedille@etsmtl.ca');
    expect(issuer.spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0]).toMatchObject({ kind: 'Gateway', name: 'platform', namespace: 'gateway' });

    const staging = testChart('staging', 'cert-manager');
    new CertManager(staging, 'CertManager');
    const stagingIssuer = find(objectsOf(staging), 'ClusterIssuer', 'letsencrypt-staging');
    expect(stagingIssuer.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
  });

  it('prod never references letsencrypt-staging, staging and sandbox never letsencrypt-prod', () => {
    const b = realBuild();
    const text = (env: string) => JSON.stringify(manifestsOf(b, env).map((m) => m.object));
    expect(text('prod')).not.toContain('letsencrypt-staging');
    expect(text('prod')).not.toContain('acme-staging');
    for (const env of ['staging', 'sandbox']) {
      expect(text(env)).not.toContain('letsencrypt-prod');
      expect(text(env)).not.toContain('acme-v02.api.letsencrypt.org');
    }
  });

  it('fails when replicas is impossible', () => {
    expect(configErrors(() => new CertManager(testChart('prod', 'cert-manager'), 'CertManager', { replicas: 0 }))).toEqual([
      'prod › cert-manager/CertManager: replicas is 0 but cert-manager runs 1 to 3 leader-elected controllers; set replicas between 1 and 3',
    ]);
  });
});
