import { describe, expect, it } from 'vitest';
import { ClickHouse } from '../../charts/platform/clickhouse/clickhouse.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

function render(props = {}) {
  const chart = testChart('prod', 'clickhouse');
  new ClickHouse(chart, 'ClickHouse', props);
  return objectsOf(chart);
}

describe('ClickHouse', () => {
  const objects = render();
  const chi = find(objects, 'ClickHouseInstallation', 'telemetry', 'clickhouse');

  it('installs the pinned operator without its default-password Secret', () => {
    const app = find(objects, 'Application', 'prod-altinity-clickhouse-operator-chart');
    expect(app.spec.source).toMatchObject({ chart: 'altinity-clickhouse-operator', targetRevision: '0.24.5' });
    expect(app.spec.source.helm.valuesObject.secret).toEqual({ create: false });
    const credentials = find(objects, 'ExternalSecret', 'clickhouse-operator', 'clickhouse');
    expect(credentials.spec.data.map((d: any) => d.secretKey)).toEqual(['password', 'username']);
  });

  it('is 2 shards × 2 replicas that replicate through a 3-node Keeper', () => {
    expect(chi.spec.configuration.clusters).toEqual([{ name: 'telemetry', layout: { shardsCount: 2, replicasCount: 2 } }]);
    expect(chi.spec.configuration.zookeeper.nodes).toEqual([{ host: 'keeper-telemetry', port: 2181 }]);
    const keeper = find(objects, 'ClickHouseKeeperInstallation', 'telemetry', 'clickhouse');
    expect(keeper.spec.configuration.clusters[0].layout.replicasCount).toBe(3);
    expect(keeper.spec.templates.podTemplates[0].spec.containers[0].image).toBe('clickhouse/clickhouse-keeper:24.8.14.39');
    expect(chi.spec.templates.podTemplates[0].podDistribution).toEqual([{ type: 'ShardAntiAffinity' }]);
  });

  it('puts data and logs on mayastor with a pinned server image', () => {
    expect(chi.spec.defaults.templates).toMatchObject({ dataVolumeClaimTemplate: 'data', logVolumeClaimTemplate: 'logs' });
    for (const template of chi.spec.templates.volumeClaimTemplates) expect(template.spec.storageClassName).toBe('mayastor');
    expect(chi.spec.templates.podTemplates[0].spec.containers[0].image).toBe('clickhouse/clickhouse-server:24.8.14.39');
  });

  it('takes user passwords from Vault and limits them to the cluster network', () => {
    const users = chi.spec.configuration.users;
    expect(users['otel/k8s_secret_password']).toBe('clickhouse-users/otel-password');
    expect(users['grafana/k8s_secret_password']).toBe('clickhouse-users/grafana-password');
    expect(users['otel/networks/ip']).toEqual(['10.244.0.0/16', '127.0.0.1', '::1']);
    expect(users['default/networks/ip']).toEqual(['127.0.0.1', '::1']);
    expect(users['grafana/profile']).toBe('readonly');
    expect(JSON.stringify(chi)).not.toMatch(/0\.0\.0\.0\/0|"password"\s*:/);
    const users_es = find(objects, 'ExternalSecret', 'clickhouse-users', 'clickhouse');
    expect(users_es.spec.data.map((d: any) => d.remoteRef)).toEqual([
      { key: 'clickhouse/users', property: 'backup-password' },
      { key: 'clickhouse/users', property: 'grafana-password' },
      { key: 'clickhouse/users', property: 'otel-password' },
    ]);
  });

  it('gives the backup user the right to back the telemetry database up, and nothing to read', () => {
    const users = chi.spec.configuration.users;
    expect(users['backup/k8s_secret_password']).toBe('clickhouse-users/backup-password');
    expect(users['backup/networks/ip']).toEqual(['10.244.0.0/16', '127.0.0.1', '::1']);
    expect(users['backup/grants/query']).toEqual(['GRANT BACKUP ON otel.*', 'GRANT CLUSTER ON *.*', 'GRANT S3 ON *.*']);
    expect(JSON.stringify(users['backup/grants/query'])).not.toMatch(/SELECT|ALL/);
  });

  it('lets only the client namespaces in', () => {
    const policy = find(objects, 'NetworkPolicy', 'clickhouse-clients-only', 'clickhouse');
    expect(policy.spec.ingress[1].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['grafana', 'opentelemetry']);
  });

  it('fails when replicas cannot replicate without Keeper', () => {
    expect(configErrors(() => render({ replicas: 2, keeperReplicas: 0 }))).toEqual([
      'prod › clickhouse/ClickHouse: keeperReplicas is 0 but replicas is 2 and replicated tables only replicate through Keeper; set keeperReplicas to 3 (or replicas to 1)',
    ]);
  });

  it('fails on an even Keeper quorum, impossible shards and replicas, and a bad size', () => {
    expect(configErrors(() => render({ keeperReplicas: 2, shards: 0, replicas: 4, dataSize: '50GB' }))).toEqual([
      'prod › clickhouse/ClickHouse: shards is 0 but an installation has 1 to 8 shards; set shards between 1 and 8',
      'prod › clickhouse/ClickHouse: replicas is 4 but each shard has 1 to 3 replicas (there are 3 workers); set replicas between 1 and 3',
      'prod › clickhouse/ClickHouse: keeperReplicas is 2 but Keeper is a Raft quorum of 1, 3 or 5 members (0 for none); use 3 in production, 1 for a small environment',
      'prod › clickhouse/ClickHouse: dataSize is "50GB" but volume sizes are quantities like "50Gi"; write the size with a Ki/Mi/Gi/Ti suffix',
    ]);
  });
});
