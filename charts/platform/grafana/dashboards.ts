import { TELEMETRY_CLUSTER, TELEMETRY_DATABASE } from '../clickhouse/clickhouse.ts';

/** Datasource uid the dashboards and the provisioning agree on. */
export const CLICKHOUSE_DATASOURCE_UID = 'clickhouse-telemetry';

/** Reads a table from one replica of every shard (the exporter writes local replicated tables). */
const everyShard = (table: string) => `cluster('${TELEMETRY_CLUSTER}', ${TELEMETRY_DATABASE}.${table})`;

interface Panel {
  readonly title: string;
  readonly type: 'timeseries' | 'table' | 'logs';
  readonly sql: string;
  readonly format: 'time_series' | 'table' | 'logs';
}

function dashboard(uid: string, title: string, panels: readonly Panel[]): object {
  return {
    uid,
    title,
    tags: ['telemetry', 'generated'],
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
