/**
 * `npm run render` proves the catalogue's chart-made Services (`provides.services`, what the gate
 * checks route ports against without rendering) against the rendered chart.
 */
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../../charts/environments/catalogue.ts';
import { providesFindings } from '../../tools/render/check.ts';

const service = (name: string, ports: number[]) => ({
  environment: 'prod',
  folder: 'prod-argocd-chart',
  file: `service-${name}.yaml`,
  source: '',
  object: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'argocd' }, spec: { ports: ports.map((port) => ({ port })) } },
});
const app = (manifests: unknown[]) => ({ environment: 'prod', application: 'prod-argocd-chart', chart: { chart: 'argo-cd', version: '7.9.1' }, source: { releaseName: 'argocd', namespace: 'argocd' }, manifests }) as any;

describe('render: provides.services against the rendered chart', () => {
  it('accepts the declaration when the chart renders exactly those Services and ports', () => {
    expect(providesFindings(app([service('argocd-server', [443, 80]), service('argocd-repo-server', [8081])]), CHARTS.argoCd)).toEqual([]);
  });

  it('names a declared port the chart does not render, and a declared Service it does not render', () => {
    expect(providesFindings(app([service('argocd-server', [443])]), CHARTS.argoCd).map((f) => f.text)).toEqual([
      'prod › prod-argocd-chart (argo-cd@7.9.1): Service argocd/argocd-server has ports 443 but the catalogue declares 80, 443 (provides.services, what the gate checks routes against); set the rendered ports in charts/environments/catalogue.ts',
      'prod › prod-argocd-chart (argo-cd@7.9.1): the catalogue declares Service argocd/argocd-repo-server (provides.services) but the chart renders no such Service; fix provides.services in charts/environments/catalogue.ts',
    ]);
  });
});
