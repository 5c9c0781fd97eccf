/**
 * Construct-level mistakes (a service's settings), exceptions no check anticipated, and secrets:
 * the rest of the synth corpus (cases.ts holds the data and catalogue ones).
 */
import type { SynthCase } from './cases.ts';
import { withEnvironment } from './cases.ts';

type Env = 'prod' | 'staging' | 'sandbox';
/** The real environments with one service's settings changed. */
const settings = (env: Env, service: string, change: (current: any) => unknown) => () => withEnvironment(env, (e) => (e.services = { ...e.services, [service]: change((e.services as any)[service]) }));

const c = (name: string, env: Env, service: string, change: (current: any) => unknown, messages: string[]): SynthCase => ({
  name,
  environments: settings(env, service, change),
  code: 1,
  messages: [`configuration problems (${messages.length}):`, ...messages],
});

export const CONSTRUCT_CASES: SynthCase[] = [
  c('storage replicas above the pool nodes', 'prod', 'storage', (s) => ({ ...s, replicas: 4 }), [
    'prod › storage/Storage: replicas is 4 but only 3 nodes have pools (worker-1, worker-2, worker-3); set replicas ≤ 3 or add pools',
  ]),
  c('storage replicas zero', 'prod', 'storage', (s) => ({ ...s, replicas: 0 }), ['prod › storage/Storage: replicas is 0 but every volume needs at least 1 copy; set replicas between 1 and 3']),
  c('storage replicas fractional', 'prod', 'storage', (s) => ({ ...s, replicas: 1.5 }), ['prod › storage/Storage: replicas is 1.5 but a volume has a whole number of copies; set replicas between 1 and 3']),
  c('local-hostpath outside /var/local', 'prod', 'storage', (s) => ({ ...s, localHostpath: { basePath: '/etc/local-hostpath' } }), [
    'prod › storage/Storage: localHostpath.basePath is "/etc/local-hostpath" but the kubelet on Talos only sees host folders below /var/local (its bind mount); use a folder below /var/local/, e.g. /var/local/local-hostpath',
  ]),
  c('local-hostpath path climbing out', 'prod', 'storage', (s) => ({ ...s, localHostpath: { basePath: '/var/local/../../etc' } }), [
    'prod › storage/Storage: localHostpath.basePath is "/var/local/../../etc" but the kubelet on Talos only sees host folders below /var/local (its bind mount); use a folder below /var/local/, e.g. /var/local/local-hostpath',
  ]),
  c('two default StorageClasses', 'prod', 'storage', (s) => ({ ...s, localHostpath: { defaultClass: true } }), [
    'prod › storage/Storage: localHostpath.defaultClass is true but defaultClass already makes mayastor the default StorageClass and an environment has exactly one; set defaultClass: false to make local-hostpath the default, or drop localHostpath.defaultClass',
  ]),
  c('vault with 2 replicas', 'prod', 'vault', (s) => ({ ...s, replicas: 2 }), [
    'prod › vault/Vault: replicas is 2 but raft keeps a majority of an odd number of voters (3 survives one node loss, 5 two); HA needs at least 3; use 3 or 5',
  ]),
  c('vault data size without unit', 'prod', 'vault', (s) => ({ ...s, dataSize: '10' }), ['prod › vault/Vault: dataSize is "10" but a volume size is a whole number of Mi, Gi or Ti; write it like "10Gi"']),
  c('vault storage class with capitals', 'prod', 'vault', (s) => ({ ...s, storageClass: 'Local-Hostpath' }), [
    'prod › vault/Vault: storageClass is "Local-Hostpath" but it is not a StorageClass name; name a StorageClass, e.g. "local-hostpath"',
  ]),
  c('cert-manager replicas zero', 'prod', 'cert-manager', (s) => ({ ...s, replicas: 0 }), [
    'prod › cert-manager/CertManager: replicas is 0 but cert-manager runs 1 to 3 leader-elected controllers; set replicas between 1 and 3',
  ]),
  c('clickhouse with 0 shards', 'prod', 'clickhouse', (s) => ({ ...s, shards: 0 }), ['prod › clickhouse/ClickHouse: shards is 0 but an installation has 1 to 8 shards; set shards between 1 and 8']),
  c('clickhouse replicas without keeper', 'prod', 'clickhouse', (s) => ({ ...s, keeperReplicas: 0 }), [
    'prod › clickhouse/ClickHouse: keeperReplicas is 0 but replicas is 2 and replicated tables only replicate through Keeper; set keeperReplicas to 3 (or replicas to 1)',
  ]),
  c('clickhouse keeper of 2', 'prod', 'clickhouse', (s) => ({ ...s, keeperReplicas: 2 }), [
    'prod › clickhouse/ClickHouse: keeperReplicas is 2 but Keeper is a Raft quorum of 1, 3 or 5 members (0 for none); use 3 in production, 1 for a small environment',
  ]),
  c('clickhouse data size in GB words', 'prod', 'clickhouse', (s) => ({ ...s, dataSize: '50 GB' }), [
    'prod › clickhouse/ClickHouse: dataSize is "50 GB" but volume sizes are quantities like "50Gi"; write the size with a Ki/Mi/Gi/Ti suffix',
  ]),
  c('collector replicas 10', 'prod', 'opentelemetry', (s) => ({ ...s, replicas: 10 }), ['prod › opentelemetry/OpenTelemetry: replicas is 10 but the collector runs 1 to 5 replicas; set replicas between 1 and 5']),
  c('telemetry TTL in days', 'prod', 'opentelemetry', (s) => ({ ...s, destination: { clickhouse: { ttl: '14d' } } }), [
    'prod › opentelemetry/OpenTelemetry: destination.clickhouse.ttl is "14d" but the retention is a whole number of hours, at least a day; write it like "336h" (14 days)',
  ]),
  c('staging forwards to a bare host name', 'staging', 'opentelemetry', (s) => ({ ...s, destination: { forwardTo: 'prod-telemetry-collector' } }), [
    'staging › opentelemetry/OpenTelemetry: destination.forwardTo is "prod-telemetry-collector" but it is not an OTLP/HTTP endpoint URL; write it like "http://prod-telemetry-collector.opentelemetry.svc:4318"',
  ]),
  c('grafana persistence in words', 'prod', 'grafana', (s) => ({ ...s, persistenceSize: 'ten gigs' }), [
    'prod › grafana/Grafana: persistenceSize is "ten gigs" but it is not a volume size like "10Gi"; write the size with a Mi or Gi suffix',
  ]),
  c('mesh replicas 4', 'prod', 'mesh', (s) => ({ ...s, replicas: 4 }), ['prod › mesh/Mesh: replicas is 4 but the Kuma control plane runs 1 to 3 replicas; set replicas between 1 and 3']),
  c('mesh without meshes', 'prod', 'mesh', (s) => ({ ...s, meshes: [] }), [
    "prod › mesh/Mesh: meshes is [] but an environment running the mesh service needs at least one mesh; declare [{ name: 'default' }] or remove the mesh service",
  ]),
  c('a mesh asking for a mutual TLS mode (it is always STRICT)', 'prod', 'mesh', (s) => ({ ...s, meshes: [{ name: 'default', mtlsMode: 'STRICT' }] }), [
    'prod › mesh/Mesh: meshes[0].mtlsMode is "STRICT" but every mesh runs STRICT mutual TLS; plaintext is accepted only per namespace, as a dated migration; remove mtlsMode and list the namespaces that still need plaintext in meshes[0].permissiveNamespaces with until and reason',
  ]),
  c('crossplane with 5 replicas', 'prod', 'crossplane', (s) => ({ ...s, replicas: 5 }), ['prod › crossplane/Crossplane: replicas is 5 but Crossplane runs 1 to 3 leader-elected pods; set replicas between 1 and 3']),
  c('provider-kubernetes role with a space', 'prod', 'crossplane', (s) => ({ ...s, kubernetesProviderClusterRole: 'Cluster Admin' }), [
    'prod › crossplane/Crossplane: kubernetesProviderClusterRole is "Cluster Admin" but it is not a ClusterRole name; name an existing ClusterRole, e.g. "crossplane-provider-kubernetes-scoped"',
  ]),
  c('external-dns interval without unit', 'prod', 'external-dns', (s) => ({ ...s, interval: '60' }), [
    'prod › external-dns/ExternalDns: interval is "60" but it is not a Go duration in whole seconds, minutes or hours; write it like "1m"',
  ]),
  c('hosted vcluster of an unknown size', 'prod', 'vcluster', (s) => ({ ...s, hosted: s.hosted.map((h: any, i: number) => (i === 1 ? { ...h, size: 'xl' } : h)) }), [
    'prod › vcluster/VCluster: hosted[1].size is "xl" but sizes are small, medium, large; pick one of those sizes',
  ]),
  c('hosted vcluster listed twice', 'prod', 'vcluster', (s) => ({ ...s, hosted: [...s.hosted, s.hosted[0]] }), [
    'prod › vcluster/VCluster: hosted[2].environment is "staging" but this environment is already listed; list each hosted environment once',
  ]),
  c(
    'host service without a namespace',
    'prod',
    'vcluster',
    (s) => ({ ...s, hosted: s.hosted.map((h: any, i: number) => (i === 0 ? { ...h, hostServices: [{ from: 'telemetry-collector', to: 'opentelemetry/x', ports: [4317] }] } : h)) }),
    ['prod › vcluster/VCluster: hosted[0].hostServices[0].from is "telemetry-collector" but a Service is named "<namespace>/<name>"; write it like "opentelemetry/telemetry-collector"'],
  ),
  c('cluster member with an invalid login', 'prod', 'cluster-access', (s) => ({ ...s, members: [...s.members, { github: 'not a login', omniIdentity: 'x@example.org', role: 'Reader' }] }), [
    'prod › cluster-access/ClusterAccess: members[35].github is "not a login" but it is not a GitHub login (letters, digits, single dashes, at most 39 characters); use the member\'s GitHub login exactly',
  ]),
  c('cluster member with an unknown role', 'prod', 'cluster-access', (s) => ({ ...s, members: [...s.members.slice(0, -1), { ...s.members.at(-1), role: 'Owner' }] }), [
    'prod › cluster-access/ClusterAccess: members[34].role is "Owner" but Omni roles are None, Reader, Operator, Admin; pick one of those roles',
  ]),
  {
    name: 'sandbox for someone who is not a member',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'stranger', expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'prod › vcluster/VCluster: hosted[1].environment.sandboxUsers[0].github is "stranger" but stranger is not a member of prod (charts/environments/cluster-access.ts), so nobody could reach this sandbox; add them to CLUSTER_MEMBERS, or remove the sandbox',
    ],
  },
];

/** Exceptions no check anticipated: exit 2 naming the environment and the construct path. */
const BUG = 'This is a bug or an input no check anticipated; please report it with this message.';
export const INTERNAL_CASES: SynthCase[] = [
  {
    name: 'an exception inside a construct (settings it did not expect)',
    environments: settings(
      'prod',
      'grafana',
      () =>
        new Proxy(
          {},
          {
            get(_, key) {
              if (key === 'persistenceSize') throw new TypeError('cannot read the persistence size');
              return undefined;
            },
          },
        ),
    ),
    code: 2,
    messages: [/^prod › grafana\/Grafana: unexpected TypeError: cannot read the persistence size \(at test\/reliability\/more-cases\.ts:\d+\)$/, BUG],
  },
  {
    name: 'a settings value that throws when read',
    environments: settings('prod', 'clickhouse', (s) => ({
      ...s,
      get dataSize(): string {
        throw new RangeError('size out of range');
      },
    })),
    code: 2,
    messages: [/^prod › clickhouse\/ClickHouse: unexpected RangeError: size out of range \(at test\/reliability\/more-cases\.ts:\d+\)$/, BUG],
  },
  {
    name: 'hosted environments given as a string',
    environments: settings('prod', 'vcluster', (s) => ({ ...s, hosted: 'staging' })),
    code: 2,
    messages: [/^all environments › capacity check \(charts\/app\/capacity\.ts\): unexpected TypeError: Cannot read properties of undefined \(reading 'sandboxUsers'\) \(at charts\/app\/sandboxes\.ts:\d+\)$/, BUG],
  },
  {
    name: 'cluster members given as an object',
    environments: settings('prod', 'cluster-access', () => ({ members: { epsot: 'Operator' } })),
    code: 2,
    messages: [/^prod › vcluster\/VCluster: unexpected TypeError: members\.map is not a function \(at charts\/platform\/vcluster\/vcluster\.ts:\d+\)$/, BUG],
  },
];

const addFile = (path: string, content: string) => (files: Map<string, string>) => files.set(path, content);
const configMap = (name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n`;
const deploymentWithEnv = (env: Record<string, string>) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: demo\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: example/app:1.2.3\n          env:\n${Object.entries(
    env,
  )
    .map(([k, v]) => `            - name: ${k}\n              value: ${JSON.stringify(v)}`)
    .join('\n')}\n`;

const FIX = 'deliver it from Vault with an ExternalSecret and reference it (secretKeyRef), or waive a false positive in charts/app/secret-waivers.ts with the reason';
const finding = (env: string, file: string, field: string, rule: string) => `${env} › dist/${file}: ${field} holds a secret (${rule}); ${FIX}`;

/** Secrets a construct or a chart value could write into dist/: each refused by secretlint. */
export const SECRET_CASES: SynthCase[] = (
  [
    [
      'a password in an environment variable',
      'prod/demo/deployment-app.yaml',
      deploymentWithEnv({ DB_PASSWORD: 'hunter2hunter2' }),
      [['/spec/template/spec/containers/0/env/0/name', 'secretlint pattern: PATTERN "name************"']],
    ],
    [
      'an API token in an environment variable',
      'prod/demo/deployment-app.yaml',
      deploymentWithEnv({ SERVICE_API_TOKEN: 'Zm9vYmFyYmF6cXV4' }),
      [['/spec/template/spec/containers/0/env/0/name', 'secretlint pattern: PATTERN "name************"']],
    ],
    [
      'a 40-hex OAuth client secret in chart values',
      'prod/demo/configmap-oauth.yaml',
      configMap('oauth', { clientSecret: '3f9a1c0b7e2d4a6f8b1c3e5d7f9a0b2c4d6e8f01' }),
      [['/data/clientSecret', 'secretlint pattern: PATTERN "clie************"']],
    ],
    [
      'a password inside a PostgreSQL URL',
      'prod/demo/configmap-db.yaml',
      configMap('db', { url: 'postgres://grafana:S3cr3tPassw0rd@clickhouse:5432/telemetry' }),
      [['/data/url', 'secretlint database-connection-string: PostgreSQLConnection "post************"']],
    ],
    [
      'a password inside a MySQL URL',
      'staging/demo/configmap-db.yaml',
      configMap('db', { url: 'mysql://root:correcthorse@mysql:3306/app' }),
      [['/data/url', 'secretlint database-connection-string: MySQLConnection "mysq************"']],
    ],
    [
      'basic auth inside an https URL',
      'prod/demo/configmap-remote.yaml',
      configMap('remote', { endpoint: 'https://admin:Sup3rS3cret@registry.example.org/v2' }),
      [['/data/endpoint', 'secretlint basicauth: BasicAuth "http************"']],
    ],
    [
      'an AWS secret access key',
      'prod/demo/configmap-aws.yaml',
      configMap('aws', { aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq9Rk4Tmwe' }),
      [
        ['/data/aws_secret_access_key', 'secretlint aws: AWSSecretAccessKey "aws_************"'],
        ['/data/aws_secret_access_key', 'secretlint pattern: PATTERN "aws_************"'],
      ],
    ],
    ['a GitHub personal access token', 'prod/demo/configmap-gh.yaml', configMap('gh', { note: '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' }), [['/data/note', 'secretlint github: GITHUB_TOKEN "ghp_************"']]],
    [
      'a Slack bot token',
      'sandbox/demo/configmap-slack.yaml',
      configMap('slack', { hook: 'xoxb-2a3b4c5d6e7-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx' }),
      [['/data/hook', 'secretlint slack: SLACK_TOKEN "xoxb************"']],
    ],
    [
      'a private key in a ConfigMap',
      'prod/demo/configmap-tls.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tls\n  namespace: demo\ndata:\n  tls.key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumxI6X1dgFqLJHlbVKmH5lHvd\n    Qd2vZl8yXQ7s0v5Ih2vN0bX1m6h9Yt8Zc2Wq4Gk9Tr3Lp0Oe6Ju1Sa5Df7Gh8Jk\n    -----END RSA PRIVATE KEY-----\n',
      [['/data/tls.key', 'secretlint privatekey: PrivateKey "----************"']],
    ],
    ['a password key in a ConfigMap', 'prod/demo/configmap-admin.yaml', configMap('admin', { 'admin-password': 'Tr0ub4dor&3xyz' }), [['/data/admin-password', 'secretlint pattern: PATTERN "admi************"']]],
    [
      'an npm token',
      'prod/demo/configmap-npmrc.yaml',
      configMap('npmrc', { '.npmrc': '//registry.npmjs.org/:_authToken=npm_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R' }),
      [
        ['/data/.npmrc', 'secretlint pattern: PATTERN "_aut************"'],
        ['/data/.npmrc', 'secretlint npm: NPM_ACCESS_TOKEN "npm_************"'],
      ],
    ],
  ] as const
).map(([name, path, content, found]) => ({
  name,
  alterFiles: addFile(path, content),
  code: 1 as const,
  messages: [`secret scan: ${found.length} finding(s)`, ...found.map(([field, rule]) => finding(path.split('/')[0]!, path, field, rule))],
}));
