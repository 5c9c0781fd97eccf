import { describe, expect, it } from 'vitest';
import { OpenTelemetry, type OpenTelemetryProps } from '../../charts/platform/opentelemetry/opentelemetry.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

function render(props: OpenTelemetryProps, env: 'prod' | 'staging' = 'prod') {
  const chart = testChart(env, 'opentelemetry');
  new OpenTelemetry(chart, 'OpenTelemetry', props);
  return objectsOf(chart);
}

describe('OpenTelemetry', () => {
  const objects = render({ destination: { clickhouse: {} } });
  const collector = find(objects, 'OpenTelemetryCollector', 'telemetry', 'opentelemetry');
  const config = collector.spec.config;

  it('installs the operator with the contrib collector image and cert-manager webhook certificates', () => {
    const app = find(objects, 'Application', 'prod-opentelemetry-operator-chart');
    expect(app.spec.source.targetRevision).toBe('0.75.1');
    expect(app.spec.source.helm.valuesObject).toEqual({
      manager: { collectorImage: { repository: 'otel/opentelemetry-collector-contrib', tag: '0.114.0' } },
      admissionWebhooks: { certManager: { enabled: true } },
      crds: { create: true },
    });
    expect(collector.spec.image).toBe('otel/opentelemetry-collector-contrib:0.114.0');
  });

  it('receives OTLP over gRPC and HTTP', () => {
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
  });

  it('runs traces, metrics and logs through memory limiter, Kubernetes attributes, resource and batch into ClickHouse and debug', () => {
    for (const signal of ['traces', 'metrics', 'logs']) {
      expect(config.service.pipelines[signal]).toEqual({
        receivers: ['otlp'],
        processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'],
        exporters: ['clickhouse', 'debug'],
      });
    }
    expect(config.processors.resource.attributes).toEqual([{ key: 'deployment.environment', value: 'prod', action: 'insert' }]);
  });

  it('exports to the ClickHouse installation service with a 14-day TTL and the password from Vault', () => {
    expect(config.exporters.clickhouse).toMatchObject({
      endpoint: 'tcp://clickhouse-telemetry.clickhouse.svc.cluster.local:9000?dial_timeout=10s',
      database: 'otel',
      username: 'otel',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's ${env:VAR} syntax
      password: '${env:CLICKHOUSE_PASSWORD}',
      ttl: '336h',
      cluster_name: 'telemetry',
      table_engine: { name: 'ReplicatedMergeTree' },
    });
    expect(collector.spec.env).toEqual([{ name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: 'clickhouse-otel', key: 'password' } } }]);
    expect(find(objects, 'ExternalSecret', 'clickhouse-otel', 'opentelemetry').spec.data[0].remoteRef).toEqual({ key: 'clickhouse/users', property: 'otel-password' });
  });

  it('gives k8sattributes the RBAC it needs', () => {
    expect(collector.spec.serviceAccount).toBe('otel-collector');
    const role = find(objects, 'ClusterRole', 'otel-collector-k8sattributes');
    expect(role.rules[0]).toEqual({ apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] });
    expect(find(objects, 'ClusterRoleBinding', 'otel-collector-k8sattributes').subjects).toEqual([{ kind: 'ServiceAccount', name: 'otel-collector', namespace: 'opentelemetry' }]);
  });

  it('has an Instrumentation pointing at the collector', () => {
    const instrumentation = find(objects, 'Instrumentation', 'platform', 'opentelemetry');
    expect(instrumentation.spec.exporter.endpoint).toBe('http://telemetry-collector.opentelemetry.svc.cluster.local:4318');
  });

  it('forwards instead of exporting when the environment sends to another collector', () => {
    const forwarded = find(render({ destination: { forwardTo: 'http://prod-telemetry-collector.opentelemetry.svc:4318' } }, 'staging'), 'OpenTelemetryCollector', 'telemetry');
    expect(forwarded.spec.config.exporters).toEqual({ debug: { verbosity: 'basic' }, 'otlphttp/forward': { endpoint: 'http://prod-telemetry-collector.opentelemetry.svc:4318' } });
    expect(forwarded.spec.config.processors.resource.attributes[0].value).toBe('staging');
  });

  it('the collector endpoint and Grafana datasource resolve to the same installation service in prod', () => {
    const prod = manifestsOf(realBuild(), 'prod').map((m) => m.object) as any[];
    const exporter = find(prod, 'OpenTelemetryCollector', 'telemetry').spec.config.exporters.clickhouse.endpoint;
    const grafana = find(prod, 'Application', 'prod-grafana-chart').spec.source.helm.valuesObject.datasources['datasources.yaml'].datasources[0].jsonData;
    expect(exporter).toContain(`//${grafana.host}:${grafana.port}`);
  });

  it('fails on a bad TTL, forward endpoint or replica count', () => {
    expect(configErrors(() => render({ destination: { clickhouse: { ttl: '14d' } }, replicas: 0 }))).toEqual([
      'prod › opentelemetry/OpenTelemetry: replicas is 0 but the collector runs 1 to 5 replicas; set replicas between 1 and 5',
      'prod › opentelemetry/OpenTelemetry: destination.clickhouse.ttl is "14d" but the retention is a whole number of hours, at least a day; write it like "336h" (14 days)',
    ]);
    expect(configErrors(() => render({ destination: { forwardTo: 'prod-collector' } }))).toEqual([
      'prod › opentelemetry/OpenTelemetry: destination.forwardTo is "prod-collector" but it is not an OTLP/HTTP endpoint URL; write it like "http://prod-telemetry-collector.opentelemetry.svc:4318"',
    ]);
  });
});

describe('staging telemetry path', () => {
  it('staging forwards to a host Service that prod replicates into the staging vcluster', () => {
    const b = realBuild();
    const staging = manifestsOf(b, 'staging').map((m) => m.object) as any[];
    const endpoint = new URL(find(staging, 'OpenTelemetryCollector', 'telemetry').spec.config.exporters['otlphttp/forward'].endpoint);
    const [service, namespace] = endpoint.hostname.split('.');
    const prodRoot = manifestsOf(b, 'prod', 'root').map((m) => m.object) as any[];
    const vcluster = find(prodRoot, 'Application', 'prod-vcluster-staging-chart').spec.source.helm.valuesObject;
    expect(vcluster.networking.replicateServices.fromHost).toContainEqual({ from: 'opentelemetry/telemetry-collector', to: `${namespace}/${service}` });
    const prod = manifestsOf(b, 'prod').map((m) => m.object) as any[];
    const egress = find(prod, 'NetworkPolicy', 'allow-host-services', 'vcluster-staging').spec.egress[0];
    expect(egress.ports.map((p: any) => p.port)).toContain(Number(endpoint.port));
  });
});
