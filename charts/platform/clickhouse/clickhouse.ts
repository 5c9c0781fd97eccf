import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ClickHouseInstallation, ClickHouseInstallationSpecTemplatesPodTemplatesPodDistributionType } from '../../../imports/clickhouse-installation-clickhouse.altinity.com.ts';
import { ClickHouseKeeperInstallation, ClickHouseKeeperInstallationSpecTemplatesPodTemplatesPodDistributionType } from '../../../imports/clickhouse-keeper-clickhouse-keeper.altinity.com.ts';
import { CHARTS, IMAGES, imageRef } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';

export interface ClickHouseProps {
  /** Shards of the telemetry installation. @default 2 */
  readonly shards?: number;
  /** Replicas per shard; more than one needs Keeper. @default 2 */
  readonly replicas?: number;
  /** ClickHouse Keeper replicas (a Raft quorum: 1, 3 or 5). @default 3 */
  readonly keeperReplicas?: number;
  /** StorageClass of the data and log volumes. @default 'mayastor' */
  readonly storageClass?: string;
  /** Size of each replica's data volume. @default '50Gi' */
  readonly dataSize?: string;
  /** Size of each replica's log volume. @default '5Gi' */
  readonly logSize?: string;
  /** Namespaces whose pods may connect (the collector writes, Grafana reads). @default ['opentelemetry', 'grafana'] */
  readonly clientNamespaces?: readonly string[];
}

export const CLICKHOUSE_NAMESPACE = 'clickhouse';
/** The installation; the operator names its cluster-wide Service `clickhouse-<name>`. */
export const TELEMETRY_INSTALLATION = 'telemetry';
export const TELEMETRY_CLUSTER = 'telemetry';
export const TELEMETRY_DATABASE = 'otel';
/** Where clients connect: the installation's Service (native protocol on 9000, HTTP on 8123). */
export const CLICKHOUSE_SERVICE = { name: `clickhouse-${TELEMETRY_INSTALLATION}`, namespace: CLICKHOUSE_NAMESPACE, nativePort: 9000, httpPort: 8123 } as const;
/** Vault path of the ClickHouse users' passwords (kv-system). Clients fetch their own key from it. */
export const CLICKHOUSE_USERS_VAULT_PATH = 'clickhouse/users';
/** Users: the collector writes, Grafana reads. */
export const CLICKHOUSE_USERS = {
  writer: { name: 'otel', vaultProperty: 'otel-password' },
  reader: { name: 'grafana', vaultProperty: 'grafana-password' },
} as const;

const KEEPER_NAME = 'telemetry';
const KEEPER_PORT = 2181;
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/;

/** Only the chart values we set (keys checked against altinity-clickhouse-operator 0.24.5 values.yaml). */
interface ClickHouseOperatorValues {
  readonly fullnameOverride: string;
  /** The chart's own credentials Secret has a default password; ours comes from Vault instead. */
  readonly secret: { readonly create: boolean };
  readonly serviceMonitor: { readonly enabled: boolean };
  readonly dashboards: { readonly enabled: boolean };
}

/**
 * The Altinity ClickHouse operator, a ClickHouse Keeper ensemble and the telemetry installation:
 * `shards × replicas` servers whose replicated tables coordinate through Keeper, data and logs on
 * the replicated StorageClass, users whose passwords come from Vault, and access from the cluster's
 * pods only (user networks and a NetworkPolicy limited to the client namespaces).
 */
export class ClickHouse extends Construct {
  constructor(scope: PlatformChart, id: string, props: ClickHouseProps = {}) {
    super(scope, id);
    const { platform } = scope.environment;
    const shards = props.shards ?? 2;
    const replicas = props.replicas ?? 2;
    const keeperReplicas = props.keeperReplicas ?? 3;
    const dataSize = props.dataSize ?? '50Gi';
    const logSize = props.logSize ?? '5Gi';
    const storageClass = props.storageClass ?? 'mayastor';
    const clients = props.clientNamespaces ?? ['opentelemetry', 'grafana'];

    const errors = ConfigErrors.of(this);
    errors.checkRange('shards', shards, 1, 8, 'an installation has 1 to 8 shards');
    errors.checkRange('replicas', replicas, 1, 3, 'each shard has 1 to 3 replicas (there are 3 workers)');
    errors.check([0, 1, 3, 5].includes(keeperReplicas), {
      field: 'keeperReplicas',
      value: keeperReplicas,
      problem: 'Keeper is a Raft quorum of 1, 3 or 5 members (0 for none)',
      fix: 'use 3 in production, 1 for a small environment',
    });
    errors.check(!(replicas > 1 && keeperReplicas === 0), {
      field: 'keeperReplicas',
      value: keeperReplicas,
      problem: `replicas is ${replicas} and replicated tables only replicate through Keeper`,
      fix: 'set keeperReplicas to 3 (or replicas to 1)',
    });
    for (const [field, value] of [
      ['dataSize', dataSize],
      ['logSize', logSize],
    ] as const) {
      errors.check(QUANTITY.test(value), { field, value, problem: 'volume sizes are quantities like "50Gi"', fix: 'write the size with a Ki/Mi/Gi/Ti suffix' });
    }
    errors.throwIfAny();

    new HelmApplication<ClickHouseOperatorValues>(this, 'Operator', {
      chart: CHARTS.clickhouseOperator,
      namespace: CLICKHOUSE_NAMESPACE,
      createNamespace: { podSecurity: 'baseline', mesh: 'excluded' },
      values: {
        fullnameOverride: 'clickhouse-operator',
        secret: { create: false },
        serviceMonitor: { enabled: false },
        dashboards: { enabled: false },
      },
    });

    // The operator's own account (the chart reads Secret `<fullname>` with username/password).
    new VaultSecret(this, 'OperatorCredentials', {
      namespace: CLICKHOUSE_NAMESPACE,
      secretName: 'clickhouse-operator',
      path: 'clickhouse/operator',
      keys: { username: 'username', password: 'password' },
    });
    new VaultSecret(this, 'Users', {
      namespace: CLICKHOUSE_NAMESPACE,
      secretName: 'clickhouse-users',
      path: CLICKHOUSE_USERS_VAULT_PATH,
      keys: Object.fromEntries(Object.values(CLICKHOUSE_USERS).map((u) => [u.vaultProperty, u.vaultProperty])),
    });

    const volume = (name: string, size: string) => ({
      name,
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: storageClass, resources: { requests: { storage: size } } },
    });

    if (keeperReplicas > 0) {
      new ClickHouseKeeperInstallation(this, 'Keeper', {
        metadata: { name: KEEPER_NAME, namespace: CLICKHOUSE_NAMESPACE },
        spec: {
          configuration: {
            clusters: [{ name: KEEPER_NAME, layout: { replicasCount: keeperReplicas } }],
            settings: { 'keeper_server/tcp_port': String(KEEPER_PORT), listen_host: '0.0.0.0' },
          },
          defaults: { templates: { podTemplate: 'keeper', dataVolumeClaimTemplate: 'keeper-data' } },
          templates: {
            podTemplates: [
              {
                name: 'keeper',
                // One Keeper per node: losing a node keeps the quorum.
                podDistribution: [{ type: ClickHouseKeeperInstallationSpecTemplatesPodTemplatesPodDistributionType.CLICK_HOUSE_ANTI_AFFINITY }],
                spec: {
                  containers: [{ name: 'clickhouse-keeper', image: imageRef(IMAGES.clickhouseKeeper), imagePullPolicy: 'IfNotPresent' }],
                },
              },
            ],
            volumeClaimTemplates: [volume('keeper-data', '5Gi')],
          },
        },
      });
    }

    const networks = [platform.network.podCidr, '127.0.0.1', '::1'];
    const users: Record<string, unknown> = {
      // The built-in default user only from inside the pods; nothing listens for it elsewhere.
      'default/networks/ip': ['127.0.0.1', '::1'],
      'default/profile': 'default',
    };
    for (const [role, user] of Object.entries(CLICKHOUSE_USERS)) {
      users[`${user.name}/k8s_secret_password`] = `clickhouse-users/${user.vaultProperty}`;
      users[`${user.name}/networks/ip`] = networks;
      users[`${user.name}/profile`] = role === 'reader' ? 'readonly' : 'default';
    }

    new ClickHouseInstallation(this, 'Installation', {
      metadata: { name: TELEMETRY_INSTALLATION, namespace: CLICKHOUSE_NAMESPACE },
      spec: {
        configuration: {
          ...(keeperReplicas > 0 ? { zookeeper: { nodes: [{ host: `keeper-${KEEPER_NAME}`, port: KEEPER_PORT }] } } : {}),
          users,
          // readonly=2: reads only, but clients may still set query settings (Grafana's plugin does).
          profiles: { 'readonly/readonly': '2' },
          clusters: [{ name: TELEMETRY_CLUSTER, layout: { shardsCount: shards, replicasCount: replicas } }],
        },
        defaults: {
          templates: { podTemplate: 'clickhouse', dataVolumeClaimTemplate: 'data', logVolumeClaimTemplate: 'logs' },
        },
        templates: {
          podTemplates: [
            {
              name: 'clickhouse',
              // Two replicas of a shard never share a node (4 servers fit on 3 workers).
              podDistribution: [{ type: ClickHouseInstallationSpecTemplatesPodTemplatesPodDistributionType.SHARD_ANTI_AFFINITY }],
              spec: {
                containers: [{ name: 'clickhouse', image: imageRef(IMAGES.clickhouseServer), imagePullPolicy: 'IfNotPresent' }],
              },
            },
          ],
          volumeClaimTemplates: [volume('data', dataSize), volume('logs', logSize)],
        },
      },
    });

    // Only the client namespaces, the operator and the installation itself (replication, Keeper) get in.
    new k8s.KubeNetworkPolicy(this, 'ClientsOnly', {
      metadata: { name: 'clickhouse-clients-only', namespace: CLICKHOUSE_NAMESPACE },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: {} }] },
          {
            from: [...clients].sort().map((namespace) => ({
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
            })),
            ports: [
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(CLICKHOUSE_SERVICE.nativePort) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(CLICKHOUSE_SERVICE.httpPort) },
            ],
          },
        ],
      },
    });
  }
}
