import { describe, expect, it } from 'vitest';
import { RESOURCES_FINALIZER } from '../../charts/lib/argocd-application.ts';
import { HelmApplication } from '../../charts/lib/helm-application.ts';
import { configErrors, find, objectsOf, testChart, realBuild } from '../helpers.ts';

const chartPin = { repoURL: 'https://charts.example.org', chart: 'demo', version: '1.2.3', appVersion: 'v1.2.3', crdGroups: [] };

describe('Argo CD escape hatches', () => {
  it('ignoreDifferences are typed, rendered as given, and respected on sync', () => {
    const chart = testChart('prod', 'demo');
    const ignored = { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[].clientConfig.caBundle'] };
    new HelmApplication(chart, 'Chart', { chart: chartPin, namespace: 'demo', values: {}, ignoreDifferences: [{ ...ignored, reason: 'cert-manager injects the CA bundle' }] });
    const app = find(objectsOf(chart), 'Application', 'prod-demo-chart');
    expect(app.spec.ignoreDifferences).toEqual([ignored]);
    // The reason is for reviewers and `npm run render`, beside the entry.
    expect(app.metadata.annotations['platform.cedille.club/ignore-differences-reason']).toBe('ValidatingWebhookConfiguration *: cert-manager injects the CA bundle');
    expect(app.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
  });

  it('without ignoreDifferences, neither the field nor the sync option', () => {
    const chart = testChart('prod', 'demo');
    new HelmApplication(chart, 'Chart', { chart: chartPin, namespace: 'demo', values: {} });
    const app = find(objectsOf(chart), 'Application', 'prod-demo-chart');
    expect(app.spec.ignoreDifferences).toBeUndefined();
    expect(app.spec.syncPolicy.syncOptions).toBeUndefined();
    expect(app.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
  });

  it('fails on an entry that ignores nothing, and on a JSON pointer written as a path', () => {
    const chart = testChart('prod', 'demo');
    expect(
      configErrors(
        () =>
          new HelmApplication(chart, 'Chart', {
            chart: chartPin,
            namespace: 'demo',
            values: {},
            ignoreDifferences: [
              { kind: 'Deployment', reason: 'r' },
              { kind: 'Deployment', jsonPointers: ['spec.replicas'], reason: 'r' },
            ],
          }),
      ),
    ).toEqual([
      'prod › demo/Chart/Application: ignoreDifferences[0] is {"kind":"Deployment"} but it names no field to ignore; give jsonPointers, jqPathExpressions or managedFieldsManagers',
      'prod › demo/Chart/Application: ignoreDifferences[1].jsonPointers[0] is "spec.replicas" but a JSON pointer starts with "/"; write "/spec/replicas"',
    ]);
  });

  it('only the roots and Argo CD itself lack the cascading-delete finalizer', () => {
    const roots = realBuild().manifests.filter((m) => m.folder === 'root' && m.object.kind === 'Application');
    const withoutFinalizer = roots.filter((m) => !(m.object.metadata as { finalizers?: string[] }).finalizers?.includes(RESOURCES_FINALIZER)).map((m) => m.object.metadata.name);
    expect(withoutFinalizer.sort()).toEqual(['prod-argocd-chart', 'prod-root', 'sandbox-root', 'staging-root']);
    expect(roots.length).toBeGreaterThan(withoutFinalizer.length);
  });
});
