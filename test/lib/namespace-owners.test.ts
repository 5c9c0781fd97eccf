/**
 * Issue 18: two services owning one namespace with contradictory labels was accepted silently (each
 * Argo CD sync rewrote the other's labels). Now a configuration error naming both constructs.
 */
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../../charts/environments/catalogue.ts';
import { HelmApplication } from '../../charts/lib/helm-application.ts';
import { PlatformNamespace } from '../../charts/lib/namespace.ts';
import { PlatformChart } from '../../charts/lib/platform-chart.ts';
import { configErrors, environment } from '../helpers.ts';

function twoCharts() {
  const app = new App({ outdir: 'unused' });
  const env = environment('prod');
  return [new PlatformChart(app, 'prod-first', { environment: env, service: 'first', wave: 20 }), new PlatformChart(app, 'prod-second', { environment: env, service: 'second', wave: 30 })] as const;
}

describe('one owner per namespace', () => {
  it('refuses a second Namespace with another Pod Security level, naming both constructs', () => {
    const [first, second] = twoCharts();
    new PlatformNamespace(first, 'Namespace', { name: 'shared', podSecurity: 'baseline', mesh: 'excluded' });
    expect(configErrors(() => new PlatformNamespace(second, 'Namespace', { name: 'shared', podSecurity: 'restricted', mesh: 'excluded' }))).toEqual([
      'prod › second/Namespace: namespace shared label pod-security.kubernetes.io/audit is "restricted" but first/Namespace also creates namespace shared, with pod-security.kubernetes.io/audit: "baseline" (two owners with contradictory labels: each sync would rewrite the other\'s); let one service own namespace shared (the other drops its PlatformNamespace or createNamespace), or give both the same labels',
      'prod › second/Namespace: namespace shared label pod-security.kubernetes.io/enforce is "restricted" but first/Namespace also creates namespace shared, with pod-security.kubernetes.io/enforce: "baseline" (two owners with contradictory labels: each sync would rewrite the other\'s); let one service own namespace shared (the other drops its PlatformNamespace or createNamespace), or give both the same labels',
      'prod › second/Namespace: namespace shared label pod-security.kubernetes.io/warn is "restricted" but first/Namespace also creates namespace shared, with pod-security.kubernetes.io/warn: "baseline" (two owners with contradictory labels: each sync would rewrite the other\'s); let one service own namespace shared (the other drops its PlatformNamespace or createNamespace), or give both the same labels',
    ]);
  });

  it("refuses a chart's CreateNamespace that contradicts another service's Namespace on mesh injection", () => {
    const [first, second] = twoCharts();
    new PlatformNamespace(first, 'Namespace', { name: 'grafana', podSecurity: 'restricted', mesh: 'excluded' });
    expect(configErrors(() => new HelmApplication(second, 'Chart', { chart: CHARTS.grafana, namespace: 'grafana', values: {}, createNamespace: { podSecurity: 'restricted', mesh: 'injected' } }))).toEqual([
      'prod › second/Chart: namespace grafana label kuma.io/sidecar-injection is "enabled" but first/Namespace also creates namespace grafana, with kuma.io/sidecar-injection: "disabled" (two owners with contradictory labels: each sync would rewrite the other\'s); let one service own namespace grafana (the other drops its PlatformNamespace or createNamespace), or give both the same labels',
    ]);
  });

  it('accepts the same namespace in two environments, and agreeing owners', () => {
    const [first, second] = twoCharts();
    new PlatformNamespace(first, 'Namespace', { name: 'shared', podSecurity: 'baseline' });
    expect(() => new PlatformNamespace(second, 'Namespace', { name: 'shared', podSecurity: 'baseline', mesh: 'excluded' })).not.toThrow();
    const app = new App({ outdir: 'unused' });
    new PlatformNamespace(new PlatformChart(app, 'prod-a', { environment: environment('prod'), service: 'a', wave: 20 }), 'Namespace', { name: 'x', podSecurity: 'baseline' });
    expect(() => new PlatformNamespace(new PlatformChart(app, 'staging-a', { environment: environment('staging'), service: 'a', wave: 20 }), 'Namespace', { name: 'x', podSecurity: 'restricted' })).not.toThrow();
  });
});
