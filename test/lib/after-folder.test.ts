import { describe, expect, it } from 'vitest';
import { VaultSecret } from '../../charts/lib/external-secret.ts';
import { HelmApplication } from '../../charts/lib/helm-application.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

const chartPin = { repoURL: 'https://charts.example.org', chart: 'demo', version: '1.2.3', appVersion: 'v1.2.3', crdGroups: [] };

describe('HelmApplication afterFolder', () => {
  it('syncs just after the service folder, keeping offsets in order, inside the service level', () => {
    const chart = testChart('prod', 'demo');
    new HelmApplication(chart, 'A', { chart: chartPin, name: 'a', namespace: 'demo', values: {}, afterFolder: true });
    new HelmApplication(chart, 'B', { chart: chartPin, name: 'b', namespace: 'demo', values: {}, afterFolder: true, waveOffset: 3 });
    const wave = (name: string) => find(objectsOf(chart), 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(chart.folderWave).toBe(25);
    expect(wave('prod-a-chart')).toBe('26');
    expect(wave('prod-b-chart')).toBe('29');
  });

  it('fails when an offset after the folder would reach the next level', () => {
    expect(configErrors(() => new HelmApplication(testChart('prod', 'demo'), 'Chart', { chart: chartPin, namespace: 'demo', values: {}, afterFolder: true, waveOffset: 4 }))).toEqual([
      'prod › demo/Chart: waveOffset is 4 but Applications synced after the folder use offsets 0 to 3 (the next service level starts at 10); choose an offset between 0 and 3',
    ]);
  });

  it('syncs after the folder, which creates the namespace, when the values name a Secret the folder creates', () => {
    const chart = testChart('prod', 'demo');
    new VaultSecret(chart, 'Credentials', { namespace: 'demo', secretName: 'demo-credentials', path: 'demo/credentials', keys: { password: 'password' } });
    const app = new HelmApplication(chart, 'Chart', {
      chart: chartPin,
      namespace: 'demo',
      createNamespace: { podSecurity: 'restricted', mesh: 'excluded' },
      values: { auth: { existingSecret: 'demo-credentials' } },
    });
    const objects = objectsOf(chart);
    const application = find(objects, 'Application', 'prod-demo-chart');
    expect(app.consumedFolderSecrets).toEqual(['demo-credentials']);
    expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('26');
    expect(application.spec.syncPolicy.syncOptions).toBeUndefined();
    expect(find(objects, 'Namespace', 'demo').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('stays before the folder when the values name no Secret of the folder', () => {
    const chart = testChart('prod', 'demo');
    new VaultSecret(chart, 'Credentials', { namespace: 'demo', secretName: 'demo-credentials', path: 'demo/credentials', keys: { password: 'password' } });
    new HelmApplication(chart, 'Chart', { chart: chartPin, namespace: 'demo', createNamespace: { podSecurity: 'restricted' }, values: { auth: { existingSecret: 'other' } } });
    expect(find(objectsOf(chart), 'Application', 'prod-demo-chart').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('20');
  });

  it('fails when afterFolder: false would make the chart wait for its own folder', () => {
    const chart = testChart('prod', 'demo');
    new VaultSecret(chart, 'Credentials', { namespace: 'demo', secretName: 'demo-credentials', path: 'demo/credentials', keys: { password: 'password' } });
    expect(configErrors(() => new HelmApplication(chart, 'Chart', { chart: chartPin, namespace: 'demo', afterFolder: false, values: { auth: { existingSecret: 'demo-credentials' } } }))).toEqual([
      "prod › demo/Chart: afterFolder is false but the values name demo-credentials, which this service's folder creates: the chart's pods would wait for a later wave forever; drop afterFolder: false (the chart then syncs after its folder)",
    ]);
  });

  it('declares ignored fields with their reason and keeps them on sync', () => {
    const chart = testChart('prod', 'demo');
    new HelmApplication(chart, 'Chart', {
      chart: chartPin,
      namespace: 'demo',
      values: {},
      ignoreDifferences: [{ group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', name: 'demo', jsonPointers: ['/webhooks/0/clientConfig/caBundle'], reason: 'the controller writes its CA' }],
    });
    const application = find(objectsOf(chart), 'Application', 'prod-demo-chart');
    expect(application.spec.ignoreDifferences).toEqual([{ group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', name: 'demo', jsonPointers: ['/webhooks/0/clientConfig/caBundle'] }]);
    expect(application.metadata.annotations['platform.cedille.club/ignore-differences-reason']).toBe('MutatingWebhookConfiguration demo: the controller writes its CA');
    expect(application.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
  });
});
