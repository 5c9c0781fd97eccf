import { ArgoCd, type ArgoCdProps } from './argocd/argocd.ts';
import { CertManager, type CertManagerProps } from './cert-manager/cert-manager.ts';
import { ExternalSecrets, type ExternalSecretsProps } from './external-secrets/external-secrets.ts';
import { Vault, type VaultProps } from './vault/vault.ts';
import { VaultTls, type VaultTlsProps } from './vault-tls/vault-tls.ts';
import { ExternalDns, type ExternalDnsProps } from './external-dns/external-dns.ts';
import { Gateway, type GatewayProps } from './gateway/gateway.ts';
import { GatewayApi, type GatewayApiProps } from './gateway-api/gateway-api.ts';
import { HostedEdges, type HostedEdgesProps } from './hosted-edges/hosted-edges.ts';
import { VCluster, type VClusterProps } from './vcluster/vcluster.ts';
import { Storage, type StorageProps } from './storage/storage.ts';
import { ClusterAccess, type ClusterAccessProps } from './cluster-access/cluster-access.ts';
import { Mesh, type MeshProps } from './mesh/mesh.ts';
import { Crossplane, type CrossplaneProps } from './crossplane/crossplane.ts';
import { KubeVirt, type KubeVirtProps } from './kubevirt/kubevirt.ts';
import type { PlatformChart } from '../lib/platform-chart.ts';
import { ClickHouse, type ClickHouseProps } from './clickhouse/clickhouse.ts';
import { Grafana, type GrafanaProps } from './grafana/grafana.ts';
import { OpenTelemetry, type OpenTelemetryProps } from './opentelemetry/opentelemetry.ts';
import { SampleApp, type SampleAppProps } from './sample-app/sample-app.ts';
import { Backups, type BackupsProps } from './backups/backups.ts';
import { KubeRouter, type KubeRouterProps } from './kube-router/kube-router.ts';

/** What the registry knows of a service: how to build it, and what it needs first. */
export interface ServiceDefinition<Settings> {
  readonly description: string;
  /** Services whose Applications must be healthy before this one syncs (orders the root waves). */
  readonly dependsOn: readonly string[];
  /** Its folder syncs in the wave of the hosted environments' roots: it serves what they create. */
  readonly withHostedRoots?: boolean;
  readonly build: (chart: PlatformChart, settings: Settings) => void;
}

function service<Settings>(definition: ServiceDefinition<Settings>): ServiceDefinition<Settings> {
  return definition;
}

/**
 * Every service the platform knows, in the order they are listed in docs. An environment enables a
 * service by naming it in its `services` with that service's settings; the root Applications, the
 * AppProject sources and the diagram are all derived from here, so a service cannot exist without
 * being synced, nor be synced twice.
 */
export const SERVICES = {
  'cert-manager': service<CertManagerProps>({
    description: 'cert-manager and the ACME ClusterIssuer of the environment',
    // Its Gateway API support (HTTP-01 through the Gateway) starts only if the CRDs exist when it starts.
    dependsOn: ['gateway-api'],
    build: (chart, settings) => new CertManager(chart, 'CertManager', settings),
  }),
  'vault-tls': service<VaultTlsProps>({
    description: "The platform's internal CA (ClusterIssuer platform-ca), the vault namespace and Vault's serving certificate: what Vault's pods mount before they start",
    dependsOn: ['cert-manager'],
    build: (chart, settings) => new VaultTls(chart, 'VaultTls', settings),
  }),
  vault: service<VaultProps>({
    description: 'Vault HA (raft, GCP KMS auto-unseal, TLS, audit, agent injector, UI) and its declarative configuration through the vault-config-operator',
    // raft and audit volumes on local-hostpath. gateway: kept after the UI left the Gateway (decision 0907) so no wave moves.
    dependsOn: ['cert-manager', 'vault-tls', 'storage', 'gateway'],
    build: (chart, settings) => new Vault(chart, 'Vault', settings),
  }),
  'external-secrets': service<ExternalSecretsProps>({
    description: 'External Secrets Operator and the ClusterSecretStores on Vault (Kubernetes auth, verified TLS)',
    dependsOn: ['vault'],
    build: (chart, settings) => new ExternalSecrets(chart, 'ExternalSecrets', settings),
  }),
  'gateway-api': service<GatewayApiProps>({
    description: 'Gateway API CRDs, one pinned release (standard channel) for the whole cluster',
    dependsOn: [],
    build: (chart, settings) => new GatewayApi(chart, 'GatewayApi', settings),
  }),
  gateway: service<GatewayProps>({
    description: "Contour's Gateway provisioner, GatewayClass contour and the environment's Gateway",
    // Its listeners' certificates come from cert-manager's issuer.
    dependsOn: ['cert-manager'],
    build: (chart, settings) => new Gateway(chart, 'Gateway', settings),
  }),
  'hosted-edges': service<HostedEdgesProps>({
    description: "The host's forwarding of the vcluster environments' domains to their own Gateways",
    // Its backends are the vclusters' Envoy Services, in the vclusters' host namespaces.
    dependsOn: ['gateway', 'vcluster'],
    // Its backends exist once the hosted roots have synced their Gateways; it cannot wait for those
    // roots to be healthy either: their ACME HTTP-01 challenges reach them through it (decision 0900).
    withHostedRoots: true,
    build: (chart, settings) => new HostedEdges(chart, 'HostedEdges', settings),
  }),
  'external-dns': service<ExternalDnsProps>({
    description: 'external-dns publishing the routes of the Gateway in the Cloud DNS zone',
    // Reads the Gateway and its routes; its credentials are an ExternalSecret.
    dependsOn: ['gateway', 'external-secrets'],
    build: (chart, settings) => new ExternalDns(chart, 'ExternalDns', settings),
  }),
  argocd: service<ArgoCdProps>({
    description: 'Argo CD managing itself: GitHub SSO through Dex, RBAC from the teams, the lovely plugin, UI and gRPC on the Gateway',
    // Its route needs the Gateway (and the certificate of its listener, cert-manager); the Dex
    // client secret is an ExternalSecret.
    dependsOn: ['cert-manager', 'gateway', 'external-secrets'],
    build: (chart, settings) => new ArgoCd(chart, 'ArgoCd', settings),
  }),
  vcluster: service<VClusterProps>({
    description: 'vclusters of the hosted environments and of personal sandboxes, registered in Argo CD from their own kubeconfig',
    // Registered clusters are read by Argo CD, whose Application health check orders the waves;
    // each vcluster keeps its data on the default StorageClass; registration uses External
    // Secrets' SecretStore/ExternalSecret CRDs.
    dependsOn: ['argocd', 'storage', 'external-secrets'],
    build: (chart, settings) => new VCluster(chart, 'VCluster', settings),
  }),
  storage: service<StorageProps>({
    description: 'OpenEBS Mayastor: DiskPools from the node inventory, StorageClasses mayastor (default, replicated) and local-hostpath',
    dependsOn: [],
    build: (chart, settings) => new Storage(chart, 'Storage', settings),
  }),
  'cluster-access': service<ClusterAccessProps>({
    description: 'Kubernetes RBAC for the groups the Omni access policy impersonates',
    dependsOn: [],
    build: (chart, settings) => new ClusterAccess(chart, 'ClusterAccess', settings),
  }),
  mesh: service<MeshProps>({
    description: 'Kuma control plane, meshes with mutual TLS and their traffic permissions, Merbridge on the host',
    dependsOn: [],
    build: (chart, settings) => new Mesh(chart, 'Mesh', settings),
  }),
  clickhouse: service<ClickHouseProps>({
    description: 'Altinity ClickHouse operator, Keeper and the telemetry installation',
    // users' passwords come from ExternalSecrets
    dependsOn: ['storage', 'external-secrets'],
    build: (chart, settings) => new ClickHouse(chart, 'ClickHouse', settings),
  }),
  opentelemetry: service<OpenTelemetryProps>({
    description: 'OpenTelemetry operator, the OTLP collector into ClickHouse and the Instrumentation',
    dependsOn: ['cert-manager', 'clickhouse', 'external-secrets'],
    build: (chart, settings) => new OpenTelemetry(chart, 'OpenTelemetry', settings),
  }),
  grafana: service<GrafanaProps>({
    description: 'Grafana with GitHub SSO, the ClickHouse datasource and telemetry dashboards',
    dependsOn: ['storage', 'clickhouse', 'external-secrets'],
    build: (chart, settings) => new Grafana(chart, 'Grafana', settings),
  }),
  'sample-app': service<SampleAppProps>({
    description: 'HotROD, the instrumented sample application',
    dependsOn: ['opentelemetry', 'mesh'],
    build: (chart, settings) => new SampleApp(chart, 'SampleApp', settings),
  }),
  crossplane: service<CrossplaneProps>({
    description: 'Crossplane, its GCP (DNS, storage) and Kubernetes providers and their ProviderConfigs',
    // The GCP key is an ExternalSecret.
    dependsOn: ['external-secrets'],
    build: (chart, settings) => new Crossplane(chart, 'Crossplane', settings),
  }),
  kubevirt: service<KubeVirtProps>({
    description: 'KubeVirt and CDI operators from their pinned releases, and the KubeVirt and CDI resources',
    // CDI imports disk images into PVCs of the default StorageClass (mayastor).
    dependsOn: ['storage'],
    build: (chart, settings) => new KubeVirt(chart, 'KubeVirt', settings),
  }),
  backups: service<BackupsProps>({
    description: 'Scheduled backups of Vault (raft snapshots) and ClickHouse into a GCS bucket made by Crossplane, with retention and staleness alerts',
    // The bucket's CRD comes with crossplane's storage provider; the Vault role and policy with vault's
    // config operator; credentials are ExternalSecrets; the jobs run beside Vault and ClickHouse, report
    // to the collector, and their alerts are provisioned by Grafana's sidecar.
    dependsOn: ['crossplane', 'vault', 'external-secrets', 'clickhouse', 'opentelemetry', 'grafana'],
    build: (chart, settings) => new Backups(chart, 'Backups', settings),
  }),
  'kube-router': service<KubeRouterProps>({
    description: "kube-router in firewall-only mode on every node: enforces the NetworkPolicies Talos's flannel ignores",
    dependsOn: [],
    build: (chart, settings) => new KubeRouter(chart, 'KubeRouter', settings),
  }),
} as const;

export type ServiceName = keyof typeof SERVICES;
type SettingsOf<D> = D extends ServiceDefinition<infer S> ? S : never;

/** Per-environment settings: the services an environment runs. */
export type ServiceSettings = { readonly [K in ServiceName]?: SettingsOf<(typeof SERVICES)[K]> };

/** Folder name reserved for the Argo CD root of an environment. */
export const ROOT_FOLDER = 'root';

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}
