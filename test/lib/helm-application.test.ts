import { describe, expect, it } from 'vitest';
import { HelmApplication, ManifestApplication, helmTplLiteral } from '../../charts/lib/helm-application.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

const chartPin = { repoURL: 'https://charts.example.org', chart: 'demo', version: '1.2.3', appVersion: 'v1.2.3', crdGroups: ['demo.io'] };

describe('HelmApplication', () => {
  it('renders an Argo CD Application for the pinned chart with typed values', () => {
    const chart = testChart('staging', 'demo');
    new HelmApplication<{ replicas: number }>(chart, 'Chart', {
      chart: chartPin,
      namespace: 'demo',
      values: { replicas: 2 },
      syncOptions: ['ServerSideApply=true'],
      waveOffset: 2,
      createNamespace: { podSecurity: 'baseline', labels: { 'kuma.io/sidecar-injection': 'enabled' } },
    });
    const app = find(objectsOf(chart), 'Application', 'staging-demo-chart');
    expect(app.metadata.namespace).toBe('argocd');
    expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '22' });
    expect(app.spec.project).toBe('staging');
    expect(app.spec.destination).toEqual({ server: 'https://staging.vcluster-staging.svc:443', namespace: 'demo' });
    expect(app.spec.source).toEqual({
      repoURL: 'https://charts.example.org',
      chart: 'demo',
      targetRevision: '1.2.3',
      helm: { releaseName: 'demo', valuesObject: { replicas: 2 } },
    });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'kuma.io/sidecar-injection': 'enabled',
    });
  });

  it('fails on a wave offset that would overtake the service folder', () => {
    expect(configErrors(() => new HelmApplication(testChart('prod', 'demo'), 'Chart', { chart: chartPin, namespace: 'demo', values: {}, waveOffset: 5 }))).toEqual([
      'prod › demo/Chart: waveOffset is 5 but upstream Applications of a service use offsets 0 to 4 (the folder syncs at 5); choose an offset between 0 and 4',
    ]);
  });

  it('fails on a namespace that is not a DNS label', () => {
    expect(configErrors(() => new HelmApplication(testChart('prod', 'demo'), 'Chart', { chart: chartPin, namespace: 'Demo_NS', values: {} }))).toEqual([
      'prod › demo/Chart: namespace is "Demo_NS" but it is not a DNS label; use lower-case letters, digits and dashes',
    ]);
  });
});

describe('ManifestApplication', () => {
  it('reads upstream manifests from git at the pinned tag', () => {
    const chart = testChart('prod', 'edge');
    new ManifestApplication(chart, 'Crds', {
      name: 'gateway-api',
      namespace: 'default',
      manifests: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api', tag: 'v1.2.1', path: 'config/crd/standard', crdGroups: ['gateway.networking.k8s.io'] },
      syncOptions: ['ServerSideApply=true'],
    });
    const app = find(objectsOf(chart), 'Application', 'prod-gateway-api-release');
    expect(app.spec.source).toEqual({ repoURL: 'https://github.com/kubernetes-sigs/gateway-api', path: 'config/crd/standard', targetRevision: 'v1.2.1' });
  });
});

describe('helmTplLiteral', () => {
  it("quotes Go-template actions for a chart's tpl, deep, and leaves other values alone", () => {
    expect(helmTplLiteral({ a: ['Node {{ $labels.node }} on {{ $labels.x }}', 3, null], b: 'plain' })).toEqual({ a: ['Node {{`{{ $labels.node }}`}} on {{`{{ $labels.x }}`}}', 3, null], b: 'plain' });
  });
});
