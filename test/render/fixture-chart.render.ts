/**
 * npm run render end to end on a chart of our own (test/fixtures/charts/render-fixture), one failure
 * class per test: an unknown values key, a chart that is not deterministic (randAlphaNum), a pod
 * consuming a Secret created at a later wave, a floating image inside the chart, a missing chart.
 * helm runs here (built from tools/go/helm on first use): `npm run render:test`, not `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../charts/lib/render.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { checkRendered } from '../../tools/render/check.ts';
import { renderDist, type RenderOptions } from '../../tools/render/index.ts';

const REPO = 'https://charts.example.org';
const labels = { 'app.kubernetes.io/part-of': 'plateforme-cedille', 'app.kubernetes.io/managed-by': 'cdk8s', 'platform.cedille.club/environment': 'prod', 'platform.cedille.club/service': 'fixture' };

/** A dist tree with prod's fixture chart Application (values, wave) and a folder making Secret fixture-admin at wave 65. */
function distTree(values: Record<string, unknown>, chartWave = 60, version = '0.1.0'): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-dist-'));
  const write = (path: string, object: unknown) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), toYaml(object));
  };
  const application = (name: string, wave: number, source: unknown, syncPolicy: unknown = {}) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', labels, annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
    spec: { project: 'prod', destination: { server: 'https://kubernetes.default.svc', namespace: 'fixture' }, source, syncPolicy },
  });
  write(
    'prod/root/application-prod-fixture-chart.yaml',
    application(
      'prod-fixture-chart',
      chartWave,
      { repoURL: REPO, chart: 'render-fixture', targetRevision: version, helm: { releaseName: 'fixture', valuesObject: values } },
      {
        syncOptions: ['CreateNamespace=true'],
        managedNamespaceMetadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    ),
  );
  write('prod/root/application-prod-fixture.yaml', application('prod-fixture', 65, { repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', path: 'prod/fixture', targetRevision: 'dist' }));
  write('prod/fixture/externalsecret-fixture-admin.yaml', {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'fixture-admin', namespace: 'fixture', labels },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-kv-system' }, target: { name: 'fixture-admin' }, data: [{ secretKey: 'password', remoteRef: { key: 'fixture/admin', property: 'password' } }] },
  });
  return dir;
}

function options(): RenderOptions {
  const charts = mkdtempSync(join(tmpdir(), 'render-charts-'));
  const packed = spawnSync('tar', ['-czf', join(charts, 'render-fixture-0.1.0.tgz'), '-C', join(REPO_ROOT, 'test', 'fixtures', 'charts'), 'render-fixture']);
  expect(packed.status).toBe(0);
  return {
    kubernetesVersion: () => '1.28',
    sources: { dirs: [{ dir: charts, origin: 'CHARTS_DIR' }], pull: false, lockFile: join(charts, 'charts.lock.json') },
    cacheDir: mkdtempSync(join(tmpdir(), 'render-cache-')),
  };
}

async function findings(values: Record<string, unknown>, chartWave?: number): Promise<string[]> {
  return checkRendered(await renderDist(distTree(values, chartWave), options())).map((f) => `[${f.check}] ${f.text}`);
}

describe('npm run render on a chart of our own', () => {
  it('renders it as Argo CD would, cached on the second run, with nothing to report', async () => {
    const opts = options();
    const dir = distTree({ image: { tag: '1.2.3' } });
    const first = await renderDist(dir, opts);
    expect(first.applications.map((a) => [a.application, a.chart.chart, a.chart.version, a.manifests.length, a.cached])).toEqual([['prod-fixture-chart', 'render-fixture', '0.1.0', 1, false]]);
    expect(first.manifests[0]).toMatchObject({ environment: 'prod', folder: 'prod-fixture-chart', application: 'prod-fixture-chart', chart: 'render-fixture', version: '0.1.0', wave: 60 });
    expect(first.manifests[0]!.object.metadata.namespace).toBe('fixture');
    expect(checkRendered(first)).toEqual([]);
    expect((await renderDist(dir, opts)).applications[0]!.cached).toBe(true);
  });

  it('fails on a values key the chart does not have', async () => {
    expect(await findings({ settings: { logLevl: 'debug' } })).toEqual([
      "[values] prod › prod-fixture-chart (render-fixture@0.1.0): settings.logLevl is not a value of the chart (not in its values.yaml); did you mean settings.logLevel?; fix the key in the service's values (charts/platform/), or declare the map free-form in the catalogue (freeFormValues)",
    ]);
  });

  it('fails on a chart that renders differently each time (randAlphaNum)', async () => {
    expect(await findings({ randomSecret: true })).toEqual([
      "[determinism] prod › prod-fixture-chart (render-fixture@0.1.0): Secret fixture/fixture-token at /data/token differs between two renders of the same input (Argo CD would show it OutOfSync forever and rewrite it on every self-heal); pin it through the chart's values (e.g. an existing Secret or a cert-manager certificate), or declare an ignoreDifferences entry with a reason",
    ]);
  });

  it('fails on a pod mounting a Secret that is created at a later wave, and passes once the chart syncs after it', async () => {
    expect(await findings({ consumedSecret: 'fixture-admin' })).toEqual([
      "[gate:reference-ordering] prod › prod-fixture-chart (render-fixture@0.1.0): Deployment fixture/fixture at /spec/template/spec/volumes/0/secret/secretName: Secret fixture/fixture-admin is created only by ExternalSecret fixture/fixture-admin in prod/fixture/ (Application prod-fixture, wave 65), after this pod's Application prod-fixture-chart (wave 60): the pod cannot start, the Application never turns healthy and the later wave never syncs; sync the consumer after what creates it",
    ]);
    expect(await findings({ consumedSecret: 'fixture-admin' }, 66)).toEqual([]);
  });

  it('fails on a floating image inside the chart', async () => {
    expect(await findings({ image: { repository: 'busybox', tag: 'latest' } })).toEqual([
      '[gate:pinned-images] prod › prod-fixture-chart (render-fixture@0.1.0): Deployment fixture/fixture at /spec/template/spec/containers/0/image: image "busybox:latest" is not pinned (floating tag "latest"); pin it in the catalogue (IMAGES)',
    ]);
  });

  it('fails with the places looked and the fix when the chart is nowhere', async () => {
    const opts = options();
    const charts = opts.sources!.dirs[0]!.dir;
    await expect(renderDist(distTree({}, 60, '9.9.9'), opts)).rejects.toThrow(
      `chart render-fixture@9.9.9 (${REPO}) not found: looked in CHARTS_DIR (${charts}); helm pull is off (RENDER_OFFLINE=1). Fix: put render-fixture-9.9.9.tgz in CHARTS_DIR (or ../shared/charts), or unset RENDER_OFFLINE on a machine that reaches ${REPO}`,
    );
  });
});
