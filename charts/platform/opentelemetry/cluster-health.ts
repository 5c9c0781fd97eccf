import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import {
  OpenTelemetryCollectorV1Beta1,
  OpenTelemetryCollectorV1Beta1SpecManagementState,
  OpenTelemetryCollectorV1Beta1SpecMode,
  OpenTelemetryCollectorV1Beta1SpecResourcesLimits,
  OpenTelemetryCollectorV1Beta1SpecResourcesRequests,
} from '../../../imports/otel-collector-opentelemetry.io.ts';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

/** Namespace of the per-node collector: privileged, it reads the host's filesystems. */
export const NODE_COLLECTOR_NAMESPACE = 'opentelemetry-nodes';
export const NODE_COLLECTOR_NAME = 'node-health';
export const CLUSTER_COLLECTOR_NAME = 'cluster-health';
/** Where the host's root filesystem is mounted in the node collector (hostmetrics `root_path`). */
export const HOST_ROOT = '/hostfs';

/**
 * The metrics the health collectors produce and the dashboards and alert rules read, by name as the
 * ClickHouse exporter stores them (`MetricName`), with the table each lands in. One list, so a
 * dashboard cannot query a metric nothing collects (test/platform/telemetry-health.test.ts).
 * Names: opentelemetry-collector-contrib v0.114.0 receiver/{hostmetricsreceiver,kubeletstatsreceiver,
 * k8sclusterreceiver}/documentation.md; Mayastor 2.7's io-engine exporter (diskpool_*).
 */
export const HEALTH_METRICS = {
  'system.cpu.utilization': 'otel_metrics_gauge',
  'system.memory.utilization': 'otel_metrics_gauge',
  'system.filesystem.utilization': 'otel_metrics_gauge',
  'system.disk.io': 'otel_metrics_sum',
  'system.network.io': 'otel_metrics_sum',
  'k8s.node.condition_ready': 'otel_metrics_gauge',
  'k8s.container.restarts': 'otel_metrics_gauge',
  'k8s.pod.phase': 'otel_metrics_gauge',
  'k8s.volume.available': 'otel_metrics_gauge',
  'k8s.volume.capacity': 'otel_metrics_gauge',
  diskpool_status: 'otel_metrics_gauge',
  diskpool_total_size_bytes: 'otel_metrics_gauge',
  diskpool_used_size_bytes: 'otel_metrics_gauge',
} as const;
export type HealthMetric = keyof typeof HEALTH_METRICS;

export interface ClusterHealthProps {
  /** OTLP/HTTP endpoint of the environment's collector (it exports to ClickHouse), as workloads' SDKs use it. */
  readonly gateway: string;
  /** The environment, as the `deployment.environment` resource attribute. */
  readonly environment: string;
  /** Namespace and label of Mayastor's io-engine pods, whose exporter serves the DiskPool metrics. @default none */
  readonly mayastor?: { readonly namespace: string; readonly podLabel: Readonly<Record<string, string>>; readonly port: number };
}

const batch = { send_batch_size: 2000, timeout: '10s' };
const memoryLimiter = { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 };
const resources = (memory: string) => ({
  requests: {
    cpu: OpenTelemetryCollectorV1Beta1SpecResourcesRequests.fromString('50m'),
    memory: OpenTelemetryCollectorV1Beta1SpecResourcesRequests.fromString('128Mi'),
  },
  limits: { memory: OpenTelemetryCollectorV1Beta1SpecResourcesLimits.fromString(memory) },
});

/**
 * Node and cluster health in the platform's own telemetry (what netdata gave the club): a collector
 * on every node (hostmetrics from the host's filesystems, kubeletstats from the local kubelet: pods
 * and PVC usage) and one cluster-wide collector (k8s_cluster: node conditions, restarts, phases; the
 * Mayastor exporter: DiskPool state and usage). Both send OTLP to the environment's collector, which
 * writes them to ClickHouse; Grafana's "Nodes" and "Cluster and workloads" dashboards and alert
 * rules read them (docs/observability.md).
 */
export class ClusterHealth extends Construct {
  constructor(scope: Construct, id: string, props: ClusterHealthProps) {
    super(scope, id);
    // In-cluster OTLP/HTTP to the collector, as the workloads' SDKs send it (no TLS to disable).
    const exporters = { otlphttp: { endpoint: props.gateway } };
    const environment = { key: 'deployment.environment', value: props.environment, action: 'upsert' };

    // --- per node ---
    const namespace = NODE_COLLECTOR_NAMESPACE;
    new PlatformNamespace(this, 'Namespace', { name: namespace, podSecurity: 'privileged', mesh: 'excluded' });
    const nodeAccount = new k8s.KubeServiceAccount(this, 'NodeServiceAccount', { metadata: { name: NODE_COLLECTOR_NAME, namespace } });
    const nodeRole = new k8s.KubeClusterRole(this, 'NodeRole', {
      metadata: { name: `otel-${NODE_COLLECTOR_NAME}` },
      // kubeletstats: the kubelet's /stats/summary, and pod metadata for PVC names.
      rules: [
        { apiGroups: [''], resources: ['nodes/stats', 'nodes/proxy'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes', 'pods', 'persistentvolumeclaims', 'persistentvolumes'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const nodeBinding = new k8s.KubeClusterRoleBinding(this, 'NodeRoleBinding', {
      metadata: { name: `otel-${NODE_COLLECTOR_NAME}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `otel-${NODE_COLLECTOR_NAME}` },
      subjects: [{ kind: 'ServiceAccount', name: NODE_COLLECTOR_NAME, namespace }],
    });
    for (const object of [nodeAccount, nodeRole, nodeBinding]) setSyncWave(object, Wave.FOUNDATION);

    const enabled = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, { enabled: true }]));
    new OpenTelemetryCollectorV1Beta1(this, 'NodeCollector', {
      metadata: { name: NODE_COLLECTOR_NAME, namespace },
      spec: {
        managementState: OpenTelemetryCollectorV1Beta1SpecManagementState.MANAGED,
        mode: OpenTelemetryCollectorV1Beta1SpecMode.DAEMONSET,
        image: imageRef(IMAGES.otelCollector),
        serviceAccount: NODE_COLLECTOR_NAME,
        // Every node, the control planes and the tainted edge node included.
        tolerations: [{ operator: 'Exists' }],
        env: [{ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        volumes: [{ name: 'hostfs', hostPath: { path: '/', type: 'Directory' } }],
        volumeMounts: [{ name: 'hostfs', mountPath: HOST_ROOT, readOnly: true, mountPropagation: 'HostToContainer' }],
        resources: resources('256Mi'),
        config: {
          receivers: {
            hostmetrics: {
              collection_interval: '30s',
              root_path: HOST_ROOT,
              scrapers: {
                cpu: { metrics: enabled(['system.cpu.utilization']) },
                memory: { metrics: enabled(['system.memory.utilization']) },
                disk: {},
                network: {},
                filesystem: {
                  metrics: enabled(['system.filesystem.utilization']),
                  // Container and kernel mounts are noise; the node's disks are what fills up.
                  exclude_fs_types: {
                    fs_types: ['autofs', 'binfmt_misc', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'nsfs', 'overlay', 'proc', 'securityfs', 'squashfs', 'sysfs', 'tmpfs', 'tracefs'],
                    match_type: 'strict',
                  },
                },
              },
            },
            kubeletstats: {
              collection_interval: '30s',
              auth_type: 'serviceAccount',
              // Through the API server's node proxy: Talos's kubelet serves a self-signed certificate,
              // the API server's is verified with the service account's CA (RBAC: nodes/proxy).
              // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own ${env:…} substitution
              endpoint: 'https://kubernetes.default.svc:443/api/v1/nodes/${env:K8S_NODE_NAME}/proxy',
              metric_groups: ['node', 'pod', 'volume'],
              k8s_api_config: { auth_type: 'serviceAccount' },
              extra_metadata_labels: ['k8s.volume.type'],
            },
          },
          processors: {
            memory_limiter: memoryLimiter,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own ${env:…} substitution
            resource: { attributes: [environment, { key: 'k8s.node.name', value: '${env:K8S_NODE_NAME}', action: 'upsert' }] },
            batch,
          },
          exporters,
          service: { pipelines: { metrics: { receivers: ['hostmetrics', 'kubeletstats'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['otlphttp'] } } },
        },
      },
    });

    // --- cluster-wide (one replica: two would double every count) ---
    const clusterNamespace = 'opentelemetry';
    const clusterAccount = new k8s.KubeServiceAccount(this, 'ClusterServiceAccount', { metadata: { name: CLUSTER_COLLECTOR_NAME, namespace: clusterNamespace } });
    const clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `otel-${CLUSTER_COLLECTOR_NAME}` },
      // k8s_cluster's informers (receiver/k8sclusterreceiver README, v0.114.0) and pod discovery for the Mayastor exporter.
      rules: [
        {
          apiGroups: [''],
          resources: ['events', 'namespaces', 'namespaces/status', 'nodes', 'nodes/spec', 'pods', 'pods/status', 'replicationcontrollers', 'replicationcontrollers/status', 'resourcequotas', 'services', 'endpoints'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const clusterBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `otel-${CLUSTER_COLLECTOR_NAME}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `otel-${CLUSTER_COLLECTOR_NAME}` },
      subjects: [{ kind: 'ServiceAccount', name: CLUSTER_COLLECTOR_NAME, namespace: clusterNamespace }],
    });
    for (const object of [clusterAccount, clusterRole, clusterBinding]) setSyncWave(object, Wave.FOUNDATION);

    const receivers: Record<string, unknown> = {
      k8s_cluster: {
        auth_type: 'serviceAccount',
        collection_interval: '30s',
        node_conditions_to_report: ['Ready', 'DiskPressure', 'MemoryPressure'],
      },
    };
    if (props.mayastor) {
      const selector = Object.entries(props.mayastor.podLabel)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      receivers.prometheus = {
        config: {
          scrape_configs: [
            {
              job_name: 'mayastor-io-engine',
              scrape_interval: '60s',
              kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [props.mayastor.namespace] }, selectors: [{ role: 'pod', label: selector }] }],
              // Only the exporter's port of each io-engine pod.
              relabel_configs: [
                { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(props.mayastor.port), action: 'keep' },
                { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
              ],
            },
          ],
        },
      };
    }
    new OpenTelemetryCollectorV1Beta1(this, 'ClusterCollector', {
      metadata: { name: CLUSTER_COLLECTOR_NAME, namespace: clusterNamespace },
      spec: {
        managementState: OpenTelemetryCollectorV1Beta1SpecManagementState.MANAGED,
        mode: OpenTelemetryCollectorV1Beta1SpecMode.DEPLOYMENT,
        replicas: 1,
        image: imageRef(IMAGES.otelCollector),
        serviceAccount: CLUSTER_COLLECTOR_NAME,
        resources: resources('512Mi'),
        config: {
          receivers,
          processors: { memory_limiter: memoryLimiter, resource: { attributes: [environment] }, batch },
          exporters,
          service: { pipelines: { metrics: { receivers: Object.keys(receivers), processors: ['memory_limiter', 'resource', 'batch'], exporters: ['otlphttp'] } } },
        },
      },
    });
  }
}
