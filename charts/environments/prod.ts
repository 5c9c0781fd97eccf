import { CLUSTER_MEMBERS } from './cluster-access.ts';
import { BASE_DOMAIN, PLATFORM, PROD_NODES } from './platform.ts';
import { sandbox } from './sandbox.ts';
import { staging } from './staging.ts';
import type { Environment, HostCni } from './types.ts';

/** Talos's default CNI (flannel), as Kuma's chained CNI plugin finds it on every node. */
const TALOS_FLANNEL: HostCni = { plugin: 'flannel', confDir: '/etc/cni/net.d', binDir: '/opt/cni/bin', confName: '10-flannel.conflist', enforcesNetworkPolicy: false };

/** The bare-metal Talos host cluster: runs Argo CD, Vault, storage, mesh, edge, observability and the vclusters. */
export const prod: Environment = {
  name: 'prod',
  description: 'Talos host cluster managed by Omni',
  platform: PLATFORM,
  cluster: { kind: 'talos', nodes: PROD_NODES, cni: TALOS_FLANNEL },
  domain: BASE_DOMAIN,
  certificateIssuer: 'letsencrypt-prod',
  destination: { name: 'in-cluster', server: 'https://kubernetes.default.svc' },
  hostProvided: { storageClasses: [], namespaces: [] },
  services: {
    'gateway-api': {},
    'cert-manager': { replicas: 2 },
    'vault-tls': {},
    vault: { replicas: 3 },
    'external-secrets': {},
    gateway: {},
    // The vclusters' domains reach their own Gateways through this one (their issuers stay theirs).
    'hosted-edges': { environments: [staging, sandbox] },
    // Publishes prod's routes and the vclusters' wildcard names (their HTTPProxies); the vclusters run none.
    'external-dns': {},
    argocd: {},
    // The environments prod runs as vclusters (their personal sandboxes come with them).
    vcluster: {
      hosted: [
        {
          environment: staging,
          size: 'large',
          // Staging's collector forwards to prod's (docs/observability.md).
          hostServices: [{ from: 'opentelemetry/telemetry-collector', to: 'opentelemetry/prod-telemetry-collector', ports: [4317, 4318] }],
          // oauth2-proxy's GitHub client and cookie secret, in front of HotROD (decision 0907).
          // The gate checks these keys against what oauth2-proxy reads in staging (secret-references).
          secrets: [{ namespace: 'sample', name: 'oauth2-proxy', keys: ['client-id', 'client-secret', 'cookie-secret'] }],
        },
        { environment: sandbox, size: 'medium' },
      ],
    },
    // Two copies of every volume (PLATFORM.md); pools come from PROD_NODES' disks.
    storage: { replicas: 2 },
    'cluster-access': { members: CLUSTER_MEMBERS },
    clickhouse: { shards: 2, replicas: 2, keeperReplicas: 3 },
    opentelemetry: { destination: { clickhouse: { ttl: '336h' } }, replicas: 2 },
    grafana: { persistenceSize: '10Gi' },
    // Two control-plane replicas keep injection and certificate issuance up through a node drain.
    mesh: { replicas: 2 },
    crossplane: {},
    kubevirt: {},
    // What git cannot rebuild (docs/backups.md). Bucket name and service accounts *proposed*; the
    // accounts are made by hand with their keys in Vault (docs/runbooks/restore.md).
    backups: {
      bucket: 'cedille-platform-backups',
      vault: { schedule: '15 */6 * * *', retentionDays: 30, gcpServiceAccount: 'vault-backups@fine-harbor-276700.iam.gserviceaccount.com' },
      clickhouse: { schedule: '45 2 * * *', retentionDays: 14, gcpServiceAccount: 'clickhouse-backups@fine-harbor-276700.iam.gserviceaccount.com' },
    },
    // flannel enforces no NetworkPolicy: sandbox isolation and ClickHouse's clients-only rule need it.
    'kube-router': {},
  },
};
