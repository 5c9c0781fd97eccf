import { describe, expect, it } from 'vitest';
import { Grafana, roleAttributePath } from '../../charts/platform/grafana/grafana.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

describe('Grafana', () => {
  const chart = testChart('prod', 'grafana');
  new Grafana(chart, 'Grafana');
  const objects = objectsOf(chart);
  const values = find(objects, 'Application', 'prod-grafana-chart').spec.source.helm.valuesObject;
  const ini = values['grafana.ini'];

  it('installs the pinned chart with GitHub OAuth for the organisation and the login form off', () => {
    expect(find(objects, 'Application', 'prod-grafana-chart').spec.source.targetRevision).toBe('8.15.0');
    expect(ini['auth.github']).toMatchObject({ enabled: true, client_id: 'f6accfa77d27b78bbf66', allowed_organizations: 'ClubCedille' });
    expect(ini.auth.disable_login_form).toBe(true);
    expect(ini.server.root_url).toBe('https://grafana.omni.cedille.club/');
  });

  it('maps exec → GrafanaAdmin, sre → Editor, everyone else → Viewer', () => {
    expect(ini['auth.github'].role_attribute_path).toBe("contains(groups[*], '@ClubCedille/exec') && 'GrafanaAdmin' || contains(groups[*], '@ClubCedille/sre') && 'Editor' || 'Viewer'");
    expect(ini['auth.github'].allow_assign_grafana_admin).toBe(true);
    expect(roleAttributePath('O', 'a', 'b')).toBe("contains(groups[*], '@O/a') && 'GrafanaAdmin' || contains(groups[*], '@O/b') && 'Editor' || 'Viewer'");
  });

  it('keeps every secret in Vault: OAuth secret, ClickHouse password and admin account', () => {
    expect(JSON.stringify(values)).not.toMatch(/client_secret/);
    expect(values.envFromSecrets).toEqual([{ name: 'grafana-github-oauth' }, { name: 'grafana-clickhouse' }]);
    expect(find(objects, 'ExternalSecret', 'grafana-github-oauth', 'grafana').spec.data).toEqual([{ secretKey: 'GF_AUTH_GITHUB_CLIENT_SECRET', remoteRef: { key: 'grafana/github-oauth', property: 'client-secret' } }]);
    expect(values.admin.existingSecret).toBe('grafana-admin');
    find(objects, 'ExternalSecret', 'grafana-admin', 'grafana');
  });

  it('persists 10Gi on mayastor and pins the ClickHouse datasource plugin', () => {
    expect(values.persistence).toEqual({ enabled: true, type: 'pvc', storageClassName: 'mayastor', size: '10Gi' });
    expect(values.plugins).toEqual(['grafana-clickhouse-datasource 4.8.2']);
    const datasource = values.datasources['datasources.yaml'].datasources[0];
    expect(datasource).toMatchObject({ type: 'grafana-clickhouse-datasource', uid: 'clickhouse-telemetry', secureJsonData: { password: '$CLICKHOUSE_PASSWORD' } });
    expect(datasource.jsonData).toEqual({ host: 'clickhouse-telemetry.clickhouse.svc.cluster.local', port: 9000, protocol: 'native', username: 'grafana', defaultDatabase: 'otel' });
  });

  it('provisions the telemetry dashboards as code, reading every shard', () => {
    const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(dashboards.map((o) => o.metadata.name)).toEqual(['dashboard-traces-overview', 'dashboard-logs-overview']);
    const traces = JSON.parse((dashboards[0] as any).data['traces-overview.json']);
    expect(traces.panels[0].targets[0].rawSql).toContain("FROM cluster('telemetry', otel.otel_traces)");
    expect(traces.panels[0].datasource.uid).toBe('clickhouse-telemetry');
    expect(values.sidecar.dashboards).toMatchObject({ enabled: true, label: 'grafana_dashboard', labelValue: '1' });
  });

  it('is routed through the Gateway with the prod certificate', () => {
    const route = find(objects, 'HTTPRoute', 'grafana', 'grafana');
    expect(route.spec.hostnames).toEqual(['grafana.omni.cedille.club']);
    expect(find(objects, 'Certificate', 'grafana', 'gateway').spec.issuerRef.name).toBe('letsencrypt-prod');
  });

  it('fails on a bad volume size', () => {
    expect(configErrors(() => new Grafana(testChart('prod', 'grafana'), 'Grafana', { persistenceSize: '10' }))).toEqual([
      'prod › grafana/Grafana: persistenceSize is "10" but it is not a volume size like "10Gi"; write the size with a Mi or Gi suffix',
    ]);
  });
});
