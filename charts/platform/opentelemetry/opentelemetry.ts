import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { Instrumentation, InstrumentationSpecPropagators, InstrumentationSpecSamplerType } from '../../../imports/otel-instrumentation-opentelemetry.io.ts';
import {
  OpenTelemetryCollectorV1Beta1,
  OpenTelemetryCollectorV1Beta1SpecManagementState,
  OpenTelemetryCollectorV1Beta1SpecMode,
  OpenTelemetryCollectorV1Beta1SpecResourcesLimits,
  OpenTelemetryCollectorV1Beta1SpecResourcesRequests,
} from '../../../imports/otel-collector-opentelemetry.io.ts';
import { CHARTS, IMAGES, imageRef } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { CLICKHOUSE_SERVICE, CLICKHOUSE_USERS, CLICKHOUSE_USERS_VAULT_PATH, TELEMETRY_CLUSTER, TELEMETRY_DATABASE } from '../clickhouse/clickhouse.ts';

/** Where the environment's collector sends what it receives. */
export type TelemetryDestination =
  /** Into the environment's ClickHouse installation (tables created on the cluster, replicated). */
  | { readonly clickhouse: { readonly ttl?: string } }
  /** Forwarded over OTLP/HTTP to another collector (a vcluster sending to the host's). */
  | { readonly forwardTo: string };

export interface OpenTelemetryProps {
  readonly destination: TelemetryDestination;
  /** Collector replicas. @default 1 */
  readonly replicas?: number;
}

export const OTEL_NAMESPACE = 'opentelemetry';
/** The collector; the operator names its Service `<name>-collector`. */
export const COLLECTOR_NAME = 'telemetry';
export const COLLECTOR_SERVICE = `${COLLECTOR_NAME}-collector`;
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
/** The Instrumentation workloads name in their annotation: `instrumentation.opentelemetry.io/inject-sdk: opentelemetry/platform`. */
export const INSTRUMENTATION_REF = `${OTEL_NAMESPACE}/platform`;
/** 14 days, what PLATFORM.md asks ClickHouse to keep. */
export const DEFAULT_TTL = '336h';

/** Only the chart values we set (keys checked against opentelemetry-operator 0.75.1 values.yaml). */
interface OperatorValues {
  readonly manager: { readonly collectorImage: { readonly repository: string; readonly tag: string } };
  readonly admissionWebhooks: { readonly certManager: { readonly enabled: boolean } };
  readonly crds: { readonly create: boolean };
}

/**
 * The OpenTelemetry operator (webhook certificates from cert-manager), one collector receiving OTLP
 * gRPC and HTTP — memory limiter, Kubernetes attributes, the environment as a resource attribute,
 * batching — exporting traces, metrics and logs to ClickHouse (or forwarding them), plus a debug
 * exporter, and the Instrumentation workloads opt into by annotation.
 */
export class OpenTelemetry extends Construct {
  constructor(scope: PlatformChart, id: string, props: OpenTelemetryProps) {
    super(scope, id);
    const { environment } = scope;
    const replicas = props.replicas ?? 1;
    const destination = props.destination;
    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 5, 'the collector runs 1 to 5 replicas');
    if ('clickhouse' in destination) {
      const ttl = destination.clickhouse.ttl ?? DEFAULT_TTL;
      errors.check(/^\d+h$/.test(ttl) && Number.parseInt(ttl, 10) >= 24, {
        field: 'destination.clickhouse.ttl',
        value: ttl,
        problem: 'the retention is a whole number of hours, at least a day',
        fix: `write it like "${DEFAULT_TTL}" (14 days)`,
      });
    } else {
      errors.check(/^https?:\/\/[a-z0-9.-]+:\d+$/.test(destination.forwardTo), {
        field: 'destination.forwardTo',
        value: destination.forwardTo,
        problem: 'it is not an OTLP/HTTP endpoint URL',
        fix: `write it like "http://prod-${COLLECTOR_SERVICE}.${OTEL_NAMESPACE}.svc:${OTLP_HTTP_PORT}"`,
      });
    }
    errors.throwIfAny();

    new HelmApplication<OperatorValues>(this, 'Operator', {
      chart: CHARTS.opentelemetryOperator,
      namespace: OTEL_NAMESPACE,
      createNamespace: { podSecurity: 'baseline', mesh: 'excluded' },
      values: {
        // The chart refuses to render without a collector image; contrib has the ClickHouse exporter.
        manager: { collectorImage: { repository: IMAGES.otelCollector.repository, tag: IMAGES.otelCollector.tag } },
        admissionWebhooks: { certManager: { enabled: true } },
        crds: { create: true },
      },
    });

    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: 'otel-collector', namespace: OTEL_NAMESPACE },
    });
    // k8sattributes reads pods, namespaces and their owners to label telemetry.
    new k8s.KubeClusterRole(this, 'K8sAttributesRole', {
      metadata: { name: 'otel-collector-k8sattributes' },
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['replicasets', 'deployments'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'K8sAttributesBinding', {
      metadata: { name: 'otel-collector-k8sattributes' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'otel-collector-k8sattributes' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: OTEL_NAMESPACE }],
    });

    const exporters: Record<string, unknown> = { debug: { verbosity: 'basic' } };
    let exporter: string;
    const env: k8s.EnvVar[] = [];
    if ('clickhouse' in destination) {
      exporter = 'clickhouse';
      const passwordSecret = new VaultSecret(this, 'ClickHousePassword', {
        namespace: OTEL_NAMESPACE,
        secretName: 'clickhouse-otel',
        path: CLICKHOUSE_USERS_VAULT_PATH,
        keys: { password: CLICKHOUSE_USERS.writer.vaultProperty },
      });
      env.push({ name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: passwordSecret.secretName, key: 'password' } } });
      exporters.clickhouse = {
        endpoint: `tcp://${CLICKHOUSE_SERVICE.name}.${CLICKHOUSE_SERVICE.namespace}.svc.cluster.local:${CLICKHOUSE_SERVICE.nativePort}?dial_timeout=10s`,
        database: TELEMETRY_DATABASE,
        username: CLICKHOUSE_USERS.writer.name,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's ${env:VAR} syntax, resolved by the collector
        password: '${env:CLICKHOUSE_PASSWORD}',
        ttl: destination.clickhouse.ttl ?? DEFAULT_TTL,
        create_schema: true,
        // Tables are created ON CLUSTER and replicated through Keeper.
        cluster_name: TELEMETRY_CLUSTER,
        table_engine: { name: 'ReplicatedMergeTree' },
        timeout: '10s',
        retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '300s' },
      };
    } else {
      exporter = 'otlphttp/forward';
      exporters[exporter] = { endpoint: destination.forwardTo };
    }

    const pipeline = {
      receivers: ['otlp'],
      processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'],
      exporters: [exporter, 'debug'],
    };
    new OpenTelemetryCollectorV1Beta1(this, 'Collector', {
      metadata: { name: COLLECTOR_NAME, namespace: OTEL_NAMESPACE },
      spec: {
        managementState: OpenTelemetryCollectorV1Beta1SpecManagementState.MANAGED,
        mode: OpenTelemetryCollectorV1Beta1SpecMode.DEPLOYMENT,
        replicas,
        image: imageRef(IMAGES.otelCollector),
        serviceAccount: serviceAccount.name,
        env,
        resources: {
          requests: {
            cpu: OpenTelemetryCollectorV1Beta1SpecResourcesRequests.fromString('100m'),
            memory: OpenTelemetryCollectorV1Beta1SpecResourcesRequests.fromString('256Mi'),
          },
          limits: { memory: OpenTelemetryCollectorV1Beta1SpecResourcesLimits.fromString('512Mi') },
        },
        config: {
          receivers: {
            otlp: {
              protocols: {
                grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
                http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
              },
            },
          },
          processors: {
            memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
            k8sattributes: {
              auth_type: 'serviceAccount',
              extract: { metadata: ['k8s.namespace.name', 'k8s.deployment.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.node.name'] },
              pod_association: [{ sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] }, { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] }, { sources: [{ from: 'connection' }] }],
            },
            resource: { attributes: [{ key: 'deployment.environment', value: environment.name, action: 'upsert' }] },
            batch: { send_batch_size: 5000, timeout: '5s' },
          },
          exporters,
          service: { pipelines: { traces: pipeline, metrics: pipeline, logs: pipeline } },
        },
      },
    });

    new Instrumentation(this, 'Instrumentation', {
      metadata: { name: INSTRUMENTATION_REF.split('/')[1]!, namespace: OTEL_NAMESPACE },
      spec: {
        exporter: { endpoint: `http://${COLLECTOR_SERVICE}.${OTEL_NAMESPACE}.svc.cluster.local:${OTLP_HTTP_PORT}` },
        propagators: [InstrumentationSpecPropagators.TRACECONTEXT, InstrumentationSpecPropagators.BAGGAGE],
        sampler: { type: InstrumentationSpecSamplerType.PARENTBASED_UNDERSCORE_TRACEIDRATIO, argument: '1' },
      },
    });
  }
}
