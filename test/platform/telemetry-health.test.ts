import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmTplLiteral } from '../../charts/lib/helm-application.ts';
import { CLICKHOUSE_DATASOURCE_UID, HEALTH_ALERTS, healthAlertRules, healthDashboards } from '../../charts/platform/grafana/dashboards.ts';
import { HEALTH_METRICS, type HealthMetric } from '../../charts/platform/opentelemetry/cluster-health.ts';
import { find, manifestsOf, realBuild } from '../helpers.ts';

/** Which configured receiver produces each health metric (the receivers' documentation.md, contrib v0.114.0). */
const PRODUCERS: Record<HealthMetric, string> = {
  'system.cpu.utilization': 'hostmetrics',
  'system.memory.utilization': 'hostmetrics',
  'system.filesystem.utilization': 'hostmetrics',
  'system.disk.io': 'hostmetrics',
  'system.network.io': 'hostmetrics',
  'k8s.node.condition_ready': 'k8s_cluster',
  'k8s.container.restarts': 'k8s_cluster',
  'k8s.pod.phase': 'k8s_cluster',
  'k8s.volume.available': 'kubeletstats',
  'k8s.volume.capacity': 'kubeletstats',
  diskpool_status: 'prometheus',
  diskpool_total_size_bytes: 'prometheus',
  diskpool_used_size_bytes: 'prometheus',
};

/** Metric names a query reads (`MetricName = '…'` and `MetricName IN ('…', …)`) that no health collector produces. */
function unknownMetrics(sql: string): string[] {
  const names = [...[...sql.matchAll(/MetricName = '([^']+)'/g)].map((m) => m[1]!), ...[...sql.matchAll(/MetricName IN \(([^)]*)\)/g)].flatMap((m) => [...m[1]!.matchAll(/'([^']+)'/g)].map((n) => n[1]!))];
  return names.filter((name) => !(name in HEALTH_METRICS));
}

describe('node and cluster health (replacing netdata)', () => {
  const b = realBuild();
  const prod = manifestsOf(b, 'prod').map((m) => m.object as any);

  it('prod runs a collector on every node (hostmetrics, kubeletstats) and one cluster-wide (k8s_cluster, Mayastor), into the OTLP pipeline', () => {
    const node = find(prod, 'OpenTelemetryCollector', 'node-health', 'opentelemetry-nodes');
    expect(node.spec.mode).toBe('daemonset');
    expect(node.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(node.spec.volumeMounts).toEqual([{ name: 'hostfs', mountPath: '/hostfs', readOnly: true, mountPropagation: 'HostToContainer' }]);
    expect(Object.keys(node.spec.config.receivers.hostmetrics.scrapers).sort()).toEqual(['cpu', 'disk', 'filesystem', 'memory', 'network']);
    expect(node.spec.config.receivers.kubeletstats.metric_groups).toEqual(['node', 'pod', 'volume']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own ${env:…} substitution
    expect(node.spec.config.receivers.kubeletstats.endpoint).toBe('https://kubernetes.default.svc:443/api/v1/nodes/${env:K8S_NODE_NAME}/proxy');
    expect(node.spec.config.service.pipelines.metrics.receivers).toEqual(['hostmetrics', 'kubeletstats']);
    expect(find(prod, 'Namespace', 'opentelemetry-nodes').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');

    const cluster = find(prod, 'OpenTelemetryCollector', 'cluster-health', 'opentelemetry');
    expect(cluster.spec).toMatchObject({ mode: 'deployment', replicas: 1 });
    expect(cluster.spec.config.service.pipelines.metrics.receivers).toEqual(['k8s_cluster', 'prometheus']);
    expect(cluster.spec.config.receivers.prometheus.config.scrape_configs[0].kubernetes_sd_configs[0]).toMatchObject({ namespaces: { names: ['openebs'] } });
    for (const collector of [node, cluster]) {
      expect(collector.spec.config.exporters).toEqual({ otlphttp: { endpoint: 'http://telemetry-collector.opentelemetry.svc.cluster.local:4318' } });
    }
    // The gateway collector writes everything it receives to ClickHouse.
    expect(find(prod, 'OpenTelemetryCollector', 'telemetry', 'opentelemetry').spec.config.service.pipelines.metrics.exporters).toContain('clickhouse');
    expect(b.manifests.filter((m) => (m.object.metadata.name === 'node-health' || m.object.metadata.name === 'cluster-health') && m.object.kind === 'OpenTelemetryCollector').map((m) => m.environment)).toEqual([
      'prod',
      'prod',
    ]);
  });

  it('every health metric has a configured producer, and dashboards and alerts read only those', () => {
    expect(Object.keys(PRODUCERS).sort()).toEqual(Object.keys(HEALTH_METRICS).sort());
    const node = find(prod, 'OpenTelemetryCollector', 'node-health', 'opentelemetry-nodes');
    const cluster = find(prod, 'OpenTelemetryCollector', 'cluster-health', 'opentelemetry');
    const configured = [...node.spec.config.service.pipelines.metrics.receivers, ...cluster.spec.config.service.pipelines.metrics.receivers];
    for (const producer of new Set(Object.values(PRODUCERS))) expect(configured).toContain(producer);
    const queries = [...Object.values(healthDashboards()).flatMap((d: any) => d.panels.map((p: any) => p.targets[0].rawSql as string)), ...HEALTH_ALERTS.map((alert) => alert.sql)];
    for (const sql of queries) expect(unknownMetrics(sql), sql).toEqual([]);
  });

  it('the metric check catches a query for a metric nothing collects', () => {
    expect(unknownMetrics("SELECT 1 FROM t WHERE MetricName = 'system.cpu.time' OR MetricName IN ('k8s.volume.available', 'node_load1')")).toEqual(['system.cpu.time', 'node_load1']);
  });

  it('ships a node dashboard and a cluster/workloads dashboard as code, in the Platform health folder', () => {
    const maps = prod.filter((o) => o.kind === 'ConfigMap' && o.metadata.annotations?.grafana_folder === 'Platform health');
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(['dashboard-cluster-workloads', 'dashboard-nodes']);
    const uids = new Set<string>();
    for (const map of maps) {
      const [file, text] = Object.entries(map.data as Record<string, string>)[0]!;
      const json = JSON.parse(text);
      expect(file).toMatch(/\.json$/);
      expect(uids.has(json.uid)).toBe(false);
      uids.add(json.uid);
      expect(json.panels.length).toBeGreaterThanOrEqual(4);
      for (const panel of json.panels) {
        expect(panel.datasource).toEqual({ type: 'grafana-clickhouse-datasource', uid: CLICKHOUSE_DATASOURCE_UID });
        expect(panel.targets[0].rawSql).toMatch(/\$__timeFilter\(TimeUnix\)/);
        expect(panel.targets[0].rawSql).toMatch(/FROM cluster\('[a-z-]+', [a-z_]+\.otel_metrics_(gauge|sum)\)/);
      }
    }
    const titles = maps.flatMap((m) => JSON.parse(Object.values(m.data as Record<string, string>)[0]!).panels.map((p: any) => p.title as string));
    for (const topic of [/CPU/, /Memory/, /Filesystem/, /Disk I\/O/, /Mayastor pools/, /Nodes ready/, /restarts/, /PersistentVolumeClaims/]) {
      expect(
        titles.some((title) => topic.test(title)),
        String(topic),
      ).toBe(true);
    }
  });

  it('provisions the alert rules disk full, node not ready, crash-looping pods on the ClickHouse datasource', () => {
    const values = find(prod, 'Application', 'prod-grafana-chart').spec.source.helm.valuesObject;
    const rules = values.alerting['rules.yaml'];
    // Quoted for the chart's tpl, which gives Grafana the rules as written (npm run render proves it).
    expect(rules).toEqual(parse(JSON.stringify(helmTplLiteral(healthAlertRules('Platform health')))));
    const group = rules.groups[0];
    expect(group).toMatchObject({ orgId: 1, folder: 'Platform health', interval: '1m' });
    expect(group.rules.map((r: any) => r.title)).toEqual(['Disk almost full', 'Node not ready', 'Pod crash-looping']);
    for (const rule of group.rules) {
      expect(rule.condition).toBe('C');
      expect(rule.data.map((d: any) => d.refId)).toEqual(['A', 'C']);
      expect(rule.data[0].datasourceUid).toBe(values.datasources['datasources.yaml'].datasources[0].uid);
      expect(rule.data[1].model.expression).toBe('A');
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['OK', 'Alerting', 'NoData']).toContain(rule.noDataState);
    }
    expect(group.rules.find((r: any) => r.title === 'Node not ready').noDataState).toBe('Alerting');
  });
});
