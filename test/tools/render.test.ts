/**
 * npm run render's logic without helm (helm runs in `npm run render:test`): chart resolution and its
 * lock, the values check, render-twice comparison, and the two gate rules it adds (reference
 * ordering, Pod Security), each on a fixture of our own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { runGate } from '../../gate/gate.ts';
import { NO_FACTS } from '../../gate/facts.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import type { HelmApplicationSource } from '../../tools/render/applications.ts';
import { ChartError, resolveChart, type ChartSources } from '../../tools/render/charts.ts';
import { determinismFindings, differingPointers } from '../../tools/render/determinism.ts';
import { helmTemplateArgs } from '../../tools/render/index.ts';
import { chartDefaults, checkValues, closest } from '../../tools/render/values.ts';

const FIXTURE_CHART = join(REPO_ROOT, 'test', 'fixtures', 'charts', 'render-fixture');
const REF = { repoURL: 'https://charts.example.org', chart: 'render-fixture', version: '0.1.0' };
const noHelm = () => {
  throw new Error('helm must not run when a folder has the chart');
};

/** A charts folder holding the fixture chart packaged (tar, no helm). */
function chartsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-charts-'));
  const packed = spawnSync('tar', ['-czf', join(dir, 'render-fixture-0.1.0.tgz'), '-C', join(FIXTURE_CHART, '..'), 'render-fixture']);
  expect(packed.status).toBe(0);
  return dir;
}

function sources(dir: string, lockFile: string, pull = false): ChartSources {
  return { dirs: [{ dir, origin: 'CHARTS_DIR' }], pull, lockFile };
}

describe('chart resolution', () => {
  it('records the sha256 on first use and verifies it after', () => {
    const dir = chartsDir();
    const lock = join(dir, 'charts.lock.json');
    const first = resolveChart(REF, sources(dir, lock), noHelm);
    expect(first.origin).toBe('CHARTS_DIR');
    expect(JSON.parse(readFileSync(lock, 'utf8')).charts['https://charts.example.org render-fixture 0.1.0']).toEqual({ packaged: first.sha256 });
    expect(resolveChart(REF, sources(dir, lock), noHelm).sha256).toBe(first.sha256);
  });

  it('fails when the package differs from the one the lock records', () => {
    const dir = chartsDir();
    const lock = join(dir, 'charts.lock.json');
    writeFileSync(lock, JSON.stringify({ charts: { 'https://charts.example.org render-fixture 0.1.0': { packaged: 'f'.repeat(64) } } }));
    expect(() => resolveChart(REF, sources(dir, lock), noHelm)).toThrow(/has sha256 [0-9a-f]{64} but .*charts\.lock\.json records f{64} for the packaged package: a different package under the same version/);
  });

  it('fails with the places looked and the fix when no source has the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-empty-'));
    expect(() => resolveChart({ ...REF, version: '9.9.9' }, sources(dir, join(dir, 'lock.json')), noHelm)).toThrow(ChartError);
    expect(() => resolveChart({ ...REF, version: '9.9.9' }, sources(dir, join(dir, 'lock.json')), noHelm)).toThrow(
      `chart render-fixture@9.9.9 (https://charts.example.org) not found: looked in CHARTS_DIR (${dir}); helm pull is off (RENDER_OFFLINE=1). Fix: put render-fixture-9.9.9.tgz in CHARTS_DIR (or ../shared/charts), or unset RENDER_OFFLINE on a machine that reaches https://charts.example.org`,
    );
  });
});

describe('values check', () => {
  const defaults = chartDefaults(FIXTURE_CHART);

  it('accepts keys of values.yaml, and any key under an empty map', () => {
    expect(checkValues({ image: { tag: '2.0.0' }, podAnnotations: { 'a/b': 'c' }, settings: { port: 9090 } }, defaults)).toEqual([]);
  });

  it('fails on an unknown key with the closest existing one', () => {
    expect(checkValues({ settings: { logLevl: 'debug' } }, defaults)).toEqual([
      { path: 'settings.logLevl', message: 'settings.logLevl is not a value of the chart (not in its values.yaml); did you mean settings.logLevel?' },
    ]);
  });

  it('accepts keys under a map the chart pin declares free-form, and only there', () => {
    expect(checkValues({ settings: { extra: 1 } }, defaults, ['settings'])).toEqual([]);
    expect(checkValues({ image: { digest: 'sha256:0' } }, defaults, ['settings']).map((f) => f.path)).toEqual(['image.digest']);
  });

  it('accepts a property of values.schema.json missing from values.yaml', () => {
    expect(checkValues({ extra: { a: 1 } }, { values: {}, schema: { properties: { extra: { type: 'object' } } } })).toEqual([]);
  });

  it('suggests nothing when no key is close', () => {
    expect(closest('zzzzzzzz', ['image', 'settings'])).toBeUndefined();
  });
});

const app = (ignore: HelmApplicationSource['ignoreDifferences'] = [], reason?: string): HelmApplicationSource => ({
  environment: 'prod',
  name: 'prod-demo-chart',
  wave: 20,
  chart: REF,
  releaseName: 'demo',
  namespace: 'demo',
  values: {},
  skipCrds: false,
  ignoreDifferences: ignore,
  manifest: {
    environment: 'prod',
    folder: 'root',
    file: 'application-prod-demo-chart.yaml',
    source: 'x',
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'prod-demo-chart', ...(reason ? { annotations: { 'platform.cedille.club/ignore-differences-reason': reason } } : {}) } },
  },
});

const secret = (token: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'demo-token', namespace: 'demo' }, data: { token } });

describe('render-twice comparison', () => {
  it('names the object and field that differ', () => {
    expect(differingPointers({ a: { b: [1, 2] } }, { a: { b: [1, 3] } })).toEqual(['/a/b/1']);
    expect(determinismFindings(app(), [secret('AAA')], [secret('BBB')])).toEqual([{ object: 'Secret demo/demo-token', group: '', kind: 'Secret', namespace: 'demo', name: 'demo-token', field: '/data/token' }]);
  });

  it('accepts a field an ignoreDifferences entry with a reason covers, and asks for the reason otherwise', () => {
    const ignore = [{ kind: 'Secret', name: 'demo-token', jsonPointers: ['/data'] }];
    expect(determinismFindings(app(ignore, 'generated in the cluster'), [secret('AAA')], [secret('BBB')])).toEqual([]);
    expect(determinismFindings(app(ignore), [secret('AAA')], [secret('BBB')])[0]?.needsReason).toBe(true);
  });

  it('passes the inputs Argo CD v2.14 passes to helm template', () => {
    expect(helmTemplateArgs('/c.tgz', app(), '/v.json', 'v1.28.0', ['apps/v1'])).toEqual([
      'template',
      '/c.tgz',
      '--name-template',
      'demo',
      '--namespace',
      'demo',
      '--kube-version',
      'v1.28.0',
      '--values',
      '/v.json',
      '--api-versions',
      'apps/v1',
      '--include-crds',
    ]);
    expect(helmTemplateArgs('/c.tgz', { ...app(), skipCrds: true }, '/v.json', 'v1.28.0', [])).not.toContain('--include-crds');
  });
});

const m = (folder: string, object: KubeObject): Manifest => ({ environment: 'prod', folder, file: `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, source: folder, object });
const application = (name: string, wave: number, spec: Record<string, unknown>): Manifest =>
  m('root', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } }, spec } as KubeObject);

/** prod: a chart Application at `chartWave` whose Deployment mounts Secret demo-admin, made by an ExternalSecret of folder demo (wave 65). */
function tree(chartWave: number, podSecurity = 'baseline', pod: Record<string, unknown> = {}): Manifest[] {
  return [
    application('prod-demo', 65, { destination: { namespace: 'demo' }, source: { repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', path: 'prod/demo', targetRevision: 'dist' } }),
    application('prod-demo-chart', chartWave, {
      destination: { namespace: 'demo' },
      source: { repoURL: 'https://charts.example.org', chart: 'demo', targetRevision: '1.0.0', helm: { releaseName: 'demo' } },
      syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: { 'pod-security.kubernetes.io/enforce': podSecurity } } },
    }),
    m('demo', { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'demo-admin', namespace: 'demo' }, spec: { target: { name: 'demo-admin' } } } as KubeObject),
    m('prod-demo-chart', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: 'demo' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'x:1', ...pod }], volumes: [{ name: 'admin', secret: { secretName: 'demo-admin' } }] } } },
    } as KubeObject),
  ];
}

const facts = { ...NO_FACTS, repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille' };

describe('reference-ordering rule', () => {
  it('fails when a pod mounts a Secret created at a later wave', () => {
    const report = runGate(tree(60), { facts, only: ['reference-ordering'] });
    expect(report.errors.map((e) => `${e.object} at ${e.field}: ${e.message}`)).toEqual([
      "Deployment demo/demo at /spec/template/spec/volumes/0/secret/secretName: Secret demo/demo-admin is created only by ExternalSecret demo/demo-admin in prod/demo/ (Application prod-demo, wave 65), after this pod's Application prod-demo-chart (wave 60): the pod cannot start, the Application never turns healthy and the later wave never syncs; sync the consumer after what creates it",
    ]);
  });

  it('passes when the chart syncs after the folder that creates the Secret', () => {
    expect(runGate(tree(66), { facts, only: ['reference-ordering'] }).errors).toEqual([]);
  });
});

describe('pod-security rule', () => {
  it('fails on a pod the namespace level does not admit', () => {
    const report = runGate(tree(66, 'restricted'), { facts, only: ['pod-security'] });
    expect(report.errors.map((e) => `${e.field}: ${e.message}`)).toContain(
      '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation: container "app": allowPrivilegeEscalation must be false in namespace demo, which enforces Pod Security "restricted"; set the chart\'s securityContext values, or give the namespace the level it needs (with a decision record)',
    );
    expect(runGate(tree(66, 'baseline', { securityContext: { privileged: true } }), { facts, only: ['pod-security'] }).errors.map((e) => e.field)).toEqual(['/spec/template/spec/containers/0/securityContext/privileged']);
  });

  it('passes a pod within its namespace level', () => {
    expect(runGate(tree(66, 'baseline'), { facts, only: ['pod-security'] }).errors).toEqual([]);
  });
});
