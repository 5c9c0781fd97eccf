import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { INTENDED_DIFFERENCES } from '../../charts/environments/intended-differences.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { readDistDir } from '../../tools/dist-tree.ts';
import { computeDrift, formatDrift, normaliseObject, unreviewed, type EnvironmentFacts } from '../../tools/drift.ts';
import { obj, tree } from './fixtures.ts';

const ENVS: EnvironmentFacts[] = [
  { name: 'prod', domain: 'omni.cedille.club', destination: { name: 'in-cluster', server: 'https://kubernetes.default.svc' } },
  { name: 'staging', domain: 'staging.omni.cedille.club', destination: { name: 'staging', server: 'https://staging.vcluster-staging.svc:443' } },
  { name: 'sandbox', domain: 'sandbox.omni.cedille.club', destination: { name: 'sandbox', server: 'https://sandbox.vcluster-sandbox.svc:443' } },
];

function route(env: string, host: string, extra: Record<string, unknown> = {}): unknown {
  return obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'grafana', { spec: { hostnames: [host], ...extra } }, 'grafana', env);
}

function rootApp(env: EnvironmentFacts, replicas: number): unknown {
  return obj(
    'argoproj.io/v1alpha1',
    'Application',
    `${env.name}-grafana-chart`,
    { spec: { project: env.name, destination: { server: env.destination!.server }, source: { path: `${env.name}/grafana`, helm: { valuesObject: { replicas } } } } },
    'argocd',
    env.name,
  );
}

describe('drift', () => {
  it('normalises the environment name, label, domain and destination', () => {
    const normalised = normaliseObject(rootApp(ENVS[1]!, 1) as never, ENVS[1]!) as any;
    expect(normalised.metadata.name).toBe('<env>-grafana-chart');
    expect(normalised.metadata.labels['platform.cedille.club/environment']).toBe('<env>');
    expect(normalised.spec).toEqual({ project: '<env>', destination: { server: '<destination>' }, source: { path: '<env>/grafana', helm: { valuesObject: { replicas: 1 } } } });
    expect((normaliseObject(route('staging', 'grafana.staging.omni.cedille.club') as never, ENVS[1]!) as any).spec.hostnames).toEqual(['grafana.<domain>']);
    // Another environment's domain is a real difference and stays.
    expect((normaliseObject(route('staging', 'grafana.omni.cedille.club') as never, ENVS[1]!) as any).spec.hostnames).toEqual(['grafana.omni.cedille.club']);
  });

  it('finds nothing when services differ only by what each environment is', () => {
    const files = tree({
      'prod/grafana/httproute-grafana.yaml': route('prod', 'grafana.omni.cedille.club'),
      'staging/grafana/httproute-grafana.yaml': route('staging', 'grafana.staging.omni.cedille.club'),
      'prod/root/application-prod-grafana-chart.yaml': rootApp(ENVS[0]!, 2),
      'staging/root/application-staging-grafana-chart.yaml': rootApp(ENVS[1]!, 2),
    });
    const report = computeDrift(files, ENVS);
    expect(report.environments).toEqual(['prod', 'staging']);
    expect(report.services).toEqual(['grafana', 'root']);
    expect(report.objects).toEqual([]);
    expect(formatDrift(report)).toBe('drift between prod, staging: 2 shared service(s), 0 unreviewed difference(s), 0 intended\n\nruns in:\n  grafana  prod, staging\n');
  });

  it('shows each differing field with its value per environment, and objects missing somewhere', () => {
    const files = tree({
      'prod/grafana/httproute-grafana.yaml': route('prod', 'grafana.omni.cedille.club', { timeout: '30s' }),
      'staging/grafana/httproute-grafana.yaml': route('staging', 'grafana.staging.omni.cedille.club', { timeout: '5s' }),
      'sandbox/grafana/httproute-grafana.yaml': route('sandbox', 'grafana.sandbox.omni.cedille.club', { timeout: '5s' }),
      'prod/grafana/configmap-extra.yaml': obj('v1', 'ConfigMap', 'extra', { data: { a: '1' } }, 'grafana'),
      'prod/only-prod/namespace-x.yaml': obj('v1', 'Namespace', 'x'),
    });
    const report = computeDrift(files, ENVS);
    expect(report.services).toEqual(['grafana']);
    expect(report.runs).toEqual({ grafana: ['prod', 'staging', 'sandbox'], 'only-prod': ['prod'] });
    expect(report.objects.map((o) => ({ name: o.identity.name, rows: o.rows.map((r) => [r.path ?? '(presence)', r.values]) }))).toEqual([
      { name: 'extra', rows: [['(presence)', { prod: 'present', staging: '(absent)', sandbox: '(absent)' }]] },
      { name: 'grafana', rows: [['spec.timeout', { prod: '"30s"', staging: '"5s"', sandbox: '"5s"' }]] },
    ]);
    expect(unreviewed(report)).toBe(2);
    expect(formatDrift(report)).toContain(
      'grafana/\n  ConfigMap grafana/extra\n    (presence): prod=present  staging=(absent)  sandbox=(absent)\n  HTTPRoute.gateway.networking.k8s.io grafana/grafana\n    spec.timeout: prod="30s"  staging="5s"  sandbox="5s"',
    );
  });

  it('compares a root Application only where its service runs, and shows scalar lists by what differs', () => {
    const project = (env: EnvironmentFacts, repos: string[]) => obj('argoproj.io/v1alpha1', 'AppProject', env.name, { spec: { sourceRepos: repos } }, 'argocd', env.name);
    const files = tree({
      'prod/root/appproject-prod.yaml': project(ENVS[0]!, ['https://github.com/x', 'https://grafana.github.io/helm-charts']),
      'staging/root/appproject-staging.yaml': project(ENVS[1]!, ['https://github.com/x']),
      'prod/root/application-prod-grafana-chart.yaml': { ...(rootApp(ENVS[0]!, 2) as object), metadata: { name: 'prod-grafana-chart', namespace: 'argocd', labels: { 'platform.cedille.club/service': 'grafana' } } },
      'prod/root/application-prod-grafana.yaml': obj('argoproj.io/v1alpha1', 'Application', 'prod-grafana', { spec: { source: { path: 'prod/grafana' } } }, 'argocd'),
      'prod/grafana/configmap-x.yaml': obj('v1', 'ConfigMap', 'x', {}, 'grafana'),
    });
    const report = computeDrift(files, ENVS);
    expect(report.runs).toEqual({ grafana: ['prod'] });
    expect(report.objects.map((o) => `${o.identity.kind}/${o.identity.name}`)).toEqual(['AppProject/<env>']);
    expect(report.objects[0]!.rows).toEqual([{ path: 'spec.sourceRepos', values: { prod: '[1 common, + "https://grafana.github.io/helm-charts"]', staging: '[1 common]' }, intended: undefined }]);
    expect(formatDrift(report)).toContain('runs in:\n  grafana  prod\n');
  });

  it('hides intended differences (shows them with --all) and lists allowances that match nothing', () => {
    const files = tree({
      'prod/root/application-prod-grafana-chart.yaml': rootApp(ENVS[0]!, 2),
      'staging/root/application-staging-grafana-chart.yaml': rootApp(ENVS[1]!, 1),
    });
    const allowances = [
      { service: 'root', object: 'Application/<env>-grafana-*', path: 'spec.source.helm.valuesObject', reason: 'prod runs two replicas' },
      { service: 'vault', reason: 'stale entry' },
    ];
    const report = computeDrift(files, ENVS, allowances);
    expect(report.objects[0]!.rows).toEqual([{ path: 'spec.source.helm.valuesObject.replicas', values: { prod: '2', staging: '1' }, intended: 'prod runs two replicas' }]);
    expect(unreviewed(report)).toBe(0);
    expect(report.unusedAllowances).toEqual([allowances[1]]);
    expect(formatDrift(report)).not.toContain('replicas');
    expect(formatDrift(report, { showIntended: true })).toContain('spec.source.helm.valuesObject.replicas: prod=2  staging=1  [intended: prod runs two replicas]');
    expect(formatDrift(report, { showIntended: true, markdown: true })).toContain('| `Application.argoproj.io argocd/<env>-grafana-chart` | `spec.source.helm.valuesObject.replicas` | 2 | 1 | prod runs two replicas |');
    expect(formatDrift(report)).toContain('intended differences that match nothing any more (remove them):\n  vault * (presence): stale entry');
  });

  it('runs on the committed dist/ with the real environments and allow-list', () => {
    // Not a gate: other services add differences to review with `npm run drift`; this only proves the tool reads real output.
    const report = computeDrift(readDistDir(join(REPO_ROOT, 'dist')), ENVIRONMENTS, INTENDED_DIFFERENCES);
    expect(report.environments).toEqual(['prod', 'staging', 'sandbox']);
    expect(report.services).toContain('root');
    expect(INTENDED_DIFFERENCES.every((entry) => entry.reason.length > 10)).toBe(true);
  });
});
