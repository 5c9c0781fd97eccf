import { TELEMETRY_CLUSTER, TELEMETRY_DATABASE } from '../clickhouse/clickhouse.ts';
import { HEALTH_METRICS, type HealthMetric } from '../opentelemetry/cluster-health.ts';

/** Datasource uid the dashboards and the provisioning agree on. */
export const CLICKHOUSE_DATASOURCE_UID = 'clickhouse-telemetry';

/** Reads a table from one replica of every shard (the exporter writes local replicated tables). */
export const everyShard = (table: string) => `cluster('${TELEMETRY_CLUSTER}', ${TELEMETRY_DATABASE}.${table})`;

interface Panel {
  readonly title: string;
  readonly type: 'timeseries' | 'table' | 'logs';
  readonly sql: string;
  readonly format: 'time_series' | 'table' | 'logs';
}

function dashboard(uid: string, title: string, panels: readonly Panel[], tags: readonly string[] = ['telemetry', 'generated']): object {
  return {
    uid,
    title,
    tags,
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'environment',
          label: 'Environment',
          type: 'custom',
          query: 'prod,staging,sandbox',
          current: { text: 'prod', value: 'prod' },
        },
      ],
    },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      title: panel.title,
      type: panel.type,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      datasource: { type: 'grafana-clickhouse-datasource', uid: CLICKHOUSE_DATASOURCE_UID },
      targets: [
        {
          refId: 'A',
          datasource: { type: 'grafana-clickhouse-datasource', uid: CLICKHOUSE_DATASOURCE_UID },
          editorType: 'sql',
          format: panel.format === 'time_series' ? 0 : panel.format === 'table' ? 1 : 2,
          rawSql: panel.sql,
        },
      ],
    })),
  };
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own ${variable} syntax, not a template
const environmentFilter = "ResourceAttributes['deployment.environment'] = '${environment}'";

/** The telemetry dashboards, as JSON documents keyed by file name. */
export function telemetryDashboards(): Record<string, object> {
  return {
    'traces-overview.json': dashboard('telemetry-traces', 'Telemetry — traces', [
      {
        title: 'Spans per service',
        type: 'timeseries',
        format: 'time_series',
        sql: `SELECT $__timeInterval(Timestamp) AS time, ServiceName, count() AS spans FROM ${everyShard('otel_traces')} WHERE $__timeFilter(Timestamp) AND ${environmentFilter} GROUP BY time, ServiceName ORDER BY time`,
      },
      {
        title: 'p95 duration per service (ms)',
        type: 'timeseries',
        format: 'time_series',
        sql: `SELECT $__timeInterval(Timestamp) AS time, ServiceName, quantile(0.95)(Duration) / 1e6 AS p95_ms FROM ${everyShard('otel_traces')} WHERE $__timeFilter(Timestamp) AND ${environmentFilter} GROUP BY time, ServiceName ORDER BY time`,
      },
      {
        title: 'Error spans',
        type: 'table',
        format: 'table',
        sql: `SELECT Timestamp, ServiceName, SpanName, StatusMessage, TraceId FROM ${everyShard('otel_traces')} WHERE $__timeFilter(Timestamp) AND ${environmentFilter} AND StatusCode = 'Error' ORDER BY Timestamp DESC LIMIT 100`,
      },
    ]),
    'logs-overview.json': dashboard('telemetry-logs', 'Telemetry — logs', [
      {
        title: 'Log records per severity',
        type: 'timeseries',
        format: 'time_series',
        sql: `SELECT $__timeInterval(Timestamp) AS time, SeverityText, count() AS records FROM ${everyShard('otel_logs')} WHERE $__timeFilter(Timestamp) AND ${environmentFilter} GROUP BY time, SeverityText ORDER BY time`,
      },
      {
        title: 'Latest logs',
        type: 'logs',
        format: 'logs',
        sql: `SELECT Timestamp AS timestamp, Body AS body, SeverityText AS level, ServiceName FROM ${everyShard('otel_logs')} WHERE $__timeFilter(Timestamp) AND ${environmentFilter} ORDER BY Timestamp DESC LIMIT 500`,
      },
    ]),
  };
}

/**
 * Rows of one health metric in the window, from the table the exporter writes it to; dashboards
 * filter on their environment variable, alert rules (no variables) read every environment.
 */
function metric(name: HealthMetric, window = '$__timeFilter(TimeUnix)', filter: string | undefined = environmentFilter): string {
  return `${everyShard(HEALTH_METRICS[name])} WHERE MetricName = '${name}' AND ${window}${filter ? ` AND ${filter}` : ''}`;
}
const NODE = "ResourceAttributes['k8s.node.name']";
const POD = "ResourceAttributes['k8s.pod.name']";
const NAMESPACE = "ResourceAttributes['k8s.namespace.name']";
const HEALTH_TAGS = ['health', 'generated'];

/**
 * What netdata showed the club, from the health collectors (charts/platform/opentelemetry/cluster-health.ts):
 * a node dashboard and a cluster/workloads dashboard, keyed by file name.
 */
export function healthDashboards(): Record<string, object> {
  return {
    'nodes.json': dashboard(
      'health-nodes',
      'Health — nodes',
      [
        {
          title: 'CPU busy per node',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, ${NODE} AS node, 1 - avgIf(Value, Attributes['state'] = 'idle') AS busy FROM ${metric('system.cpu.utilization')} GROUP BY time, node ORDER BY time`,
        },
        {
          title: 'Memory used per node',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, ${NODE} AS node, avgIf(Value, Attributes['state'] = 'used') AS used FROM ${metric('system.memory.utilization')} GROUP BY time, node ORDER BY time`,
        },
        {
          title: 'Filesystem used per node and mount point',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, concat(${NODE}, ' ', Attributes['mountpoint']) AS filesystem, max(Value) AS used FROM ${metric('system.filesystem.utilization')} GROUP BY time, filesystem ORDER BY time`,
        },
        {
          title: 'Disk I/O per node (bytes/s)',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, concat(${NODE}, ' ', Attributes['device'], ' ', Attributes['direction']) AS disk, (max(Value) - min(Value)) / $__interval_s AS bytes_per_second FROM ${metric('system.disk.io')} GROUP BY time, disk ORDER BY time`,
        },
        {
          title: 'Network per node (bytes/s)',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, concat(${NODE}, ' ', Attributes['direction']) AS link, (max(Value) - min(Value)) / $__interval_s AS bytes_per_second FROM ${metric('system.network.io')} GROUP BY time, link ORDER BY time`,
        },
        {
          title: 'Mayastor pools (status 1 = online)',
          type: 'table',
          format: 'table',
          sql: `SELECT Attributes['name'] AS pool, Attributes['node'] AS node, argMax(Value, TimeUnix) AS status FROM ${metric('diskpool_status')} GROUP BY pool, node ORDER BY pool`,
        },
        {
          title: 'Mayastor pool usage',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, Attributes['name'] AS pool, max(Value) AS used_bytes FROM ${metric('diskpool_used_size_bytes')} GROUP BY time, pool ORDER BY time`,
        },
      ],
      HEALTH_TAGS,
    ),
    'cluster-workloads.json': dashboard(
      'health-cluster',
      'Health — cluster and workloads',
      [
        {
          title: 'Nodes ready (1 = Ready)',
          type: 'table',
          format: 'table',
          sql: `SELECT ${NODE} AS node, argMax(Value, TimeUnix) AS ready FROM ${metric('k8s.node.condition_ready')} GROUP BY node ORDER BY node`,
        },
        {
          title: 'Container restarts in the range (top 20 pods)',
          type: 'table',
          format: 'table',
          sql: `SELECT ${NAMESPACE} AS namespace, ${POD} AS pod, max(Value) - min(Value) AS restarts FROM ${metric('k8s.container.restarts')} GROUP BY namespace, pod HAVING restarts > 0 ORDER BY restarts DESC LIMIT 20`,
        },
        {
          title: 'Pods per phase (1 Pending, 2 Running, 3 Succeeded, 4 Failed, 5 Unknown)',
          type: 'timeseries',
          format: 'time_series',
          sql: `SELECT $__timeInterval(TimeUnix) AS time, toString(Value) AS phase, uniqExact(${POD}) AS pods FROM ${metric('k8s.pod.phase')} GROUP BY time, phase ORDER BY time`,
        },
        {
          title: 'PersistentVolumeClaims used',
          type: 'table',
          format: 'table',
          sql:
            `SELECT ${NAMESPACE} AS namespace, ResourceAttributes['k8s.persistentvolumeclaim.name'] AS claim, ` +
            `1 - argMaxIf(Value, TimeUnix, MetricName = 'k8s.volume.available') / argMaxIf(Value, TimeUnix, MetricName = 'k8s.volume.capacity') AS used ` +
            `FROM ${everyShard(HEALTH_METRICS['k8s.volume.available'])} WHERE MetricName IN ('k8s.volume.available', 'k8s.volume.capacity') AND $__timeFilter(TimeUnix) AND ${environmentFilter} ` +
            `AND ResourceAttributes['k8s.persistentvolumeclaim.name'] != '' GROUP BY namespace, claim ORDER BY used DESC`,
        },
      ],
      HEALTH_TAGS,
    ),
  };
}

/** One Grafana-managed alert rule: a ClickHouse query returning one row per instance, and a threshold. */
interface HealthAlert {
  readonly uid: string;
  readonly title: string;
  readonly sql: string;
  readonly threshold: { readonly type: 'gt' | 'lt'; readonly value: number };
  readonly for: string;
  readonly noData: 'OK' | 'Alerting' | 'NoData';
  readonly summary: string;
}

const recent = (minutes: number) => `TimeUnix > now() - INTERVAL ${minutes} MINUTE`;

/** The health alert rules: disk full, node not ready, crash-looping pods. */
export const HEALTH_ALERTS: readonly HealthAlert[] = [
  {
    uid: 'health-disk-full',
    title: 'Disk almost full',
    sql: `SELECT ${NODE} AS node, Attributes['mountpoint'] AS mountpoint, max(Value) AS value FROM ${metric('system.filesystem.utilization', recent(10), undefined)} GROUP BY node, mountpoint`,
    threshold: { type: 'gt', value: 0.9 },
    for: '10m',
    noData: 'OK',
    summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is more than 90 % full',
  },
  {
    uid: 'health-node-not-ready',
    title: 'Node not ready',
    sql: `SELECT ${NODE} AS node, argMax(Value, TimeUnix) AS value FROM ${metric('k8s.node.condition_ready', recent(5), undefined)} GROUP BY node`,
    threshold: { type: 'lt', value: 1 },
    for: '5m',
    // No row at all means the cluster collector stopped reporting: as bad as a node down.
    noData: 'Alerting',
    summary: 'Node {{ $labels.node }} has not been Ready for 5 minutes',
  },
  {
    uid: 'health-crash-looping',
    title: 'Pod crash-looping',
    sql: `SELECT ${NAMESPACE} AS namespace, ${POD} AS pod, max(Value) - min(Value) AS value FROM ${metric('k8s.container.restarts', recent(15), undefined)} GROUP BY namespace, pod`,
    threshold: { type: 'gt', value: 3 },
    for: '0s',
    noData: 'OK',
    summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} restarted more than 3 times in 15 minutes',
  },
];

/**
 * Grafana's alerting provisioning file (apiVersion 1, groups of rules) for the health alerts. Each
 * rule: query A (ClickHouse, table format: string columns become labels, the numeric one the value)
 * and a threshold expression C on it. Format: grafana/grafana v11.6 docs/sources/alerting/set-up/
 * provision-alerting-resources/file-provisioning (rules), SQL expressions as in the ClickHouse plugin.
 */
export function healthAlertRules(folder: string): object {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'platform-health',
        folder,
        interval: '1m',
        rules: HEALTH_ALERTS.map((alert) => ({
          uid: alert.uid,
          title: alert.title,
          condition: 'C',
          data: [
            {
              refId: 'A',
              relativeTimeRange: { from: 900, to: 0 },
              datasourceUid: CLICKHOUSE_DATASOURCE_UID,
              model: { refId: 'A', editorType: 'sql', format: 1, queryType: 'table', rawSql: alert.sql },
            },
            {
              refId: 'C',
              datasourceUid: '__expr__',
              model: { refId: 'C', type: 'threshold', expression: 'A', conditions: [{ evaluator: { type: alert.threshold.type, params: [alert.threshold.value] } }] },
            },
          ],
          noDataState: alert.noData,
          execErrState: 'Error',
          for: alert.for,
          labels: { severity: 'critical', team: 'sre' },
          annotations: { summary: alert.summary },
        })),
      },
    ],
  };
}
