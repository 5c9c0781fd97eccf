import { describe, expect, it } from 'vitest';
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
});
