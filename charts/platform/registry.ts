import { ArgoCd, type ArgoCdProps } from './argocd/argocd.ts';
import { CertManager, type CertManagerProps } from './cert-manager/cert-manager.ts';
import { VCluster, type VClusterProps } from './vcluster/vcluster.ts';
import { Mayastor, type MayastorProps } from './storage/storage.ts';
import { ClusterAccess, type ClusterAccessProps } from './cluster-access/cluster-access.ts';
import { KumaMesh, type KumaMeshProps } from './mesh/mesh.ts';
import type { PlatformChart } from '../lib/platform-chart.ts';
import { ClickHouse, type ClickHouseProps } from './clickhouse/clickhouse.ts';
import { Grafana, type GrafanaProps } from './grafana/grafana.ts';
import { OpenTelemetry, type OpenTelemetryProps } from './opentelemetry/opentelemetry.ts';
import { SampleApp, type SampleAppProps } from './sample-app/sample-app.ts';

/** What the registry knows of a service: how to build it, and what it needs first. */
export interface ServiceDefinition<Settings> {
  readonly description: string;
  /** Services whose Applications must be healthy before this one syncs (orders the root waves). */
  readonly dependsOn: readonly string[];
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
    dependsOn: [],
    build: (chart, settings) => new CertManager(chart, 'CertManager', settings),
  }),
  argocd: service<ArgoCdProps>({
    description: 'Argo CD managing itself: GitHub SSO through Dex, RBAC from the teams, the lovely plugin, UI and gRPC on the Gateway',
    // The certificate of its route comes from cert-manager. TODO(merge): add 'gateway' and
    // 'external-secrets' once those services are on main.
    dependsOn: ['cert-manager'],
    build: (chart, settings) => new ArgoCd(chart, 'ArgoCd', settings),
  }),
  vcluster: service<VClusterProps>({
    description: 'vclusters of the hosted environments and of personal sandboxes, registered in Argo CD from their own kubeconfig',
    // Registered clusters are read by Argo CD, whose Application health check orders the waves;
    // each vcluster keeps its data on the default StorageClass. TODO(merge): add
    // 'external-secrets' (SecretStore/ExternalSecret CRDs) once it is on main.
    dependsOn: ['argocd', 'storage'],
    build: (chart, settings) => new VCluster(chart, 'VCluster', settings),
  }),
  storage: service<MayastorProps>({
    description: 'OpenEBS Mayastor: DiskPools from the node inventory, StorageClasses mayastor (default, replicated) and local-hostpath',
    dependsOn: [],
    build: (chart, settings) => new Mayastor(chart, 'Mayastor', settings),
  }),
  'cluster-access': service<ClusterAccessProps>({
    description: 'Kubernetes RBAC for the groups the Omni access policy impersonates',
    dependsOn: [],
    build: (chart, settings) => new ClusterAccess(chart, 'ClusterAccess', settings),
  }),
  mesh: service<KumaMeshProps>({
    description: 'Kuma control plane, meshes with mutual TLS and their traffic permissions, Merbridge on the host',
    dependsOn: [],
    build: (chart, settings) => new KumaMesh(chart, 'KumaMesh', settings),
  }),
  clickhouse: service<ClickHouseProps>({
    description: 'Altinity ClickHouse operator, Keeper and the telemetry installation',
    dependsOn: ['storage'],
    build: (chart, settings) => new ClickHouse(chart, 'ClickHouse', settings),
  }),
  opentelemetry: service<OpenTelemetryProps>({
    description: 'OpenTelemetry operator, the OTLP collector into ClickHouse and the Instrumentation',
    dependsOn: ['cert-manager', 'clickhouse'],
    build: (chart, settings) => new OpenTelemetry(chart, 'OpenTelemetry', settings),
  }),
  grafana: service<GrafanaProps>({
    description: 'Grafana with GitHub SSO, the ClickHouse datasource and telemetry dashboards',
    dependsOn: ['storage', 'clickhouse'],
    build: (chart, settings) => new Grafana(chart, 'Grafana', settings),
  }),
  'sample-app': service<SampleAppProps>({
    description: 'HotROD, the instrumented sample application',
    dependsOn: ['opentelemetry', 'mesh'],
    build: (chart, settings) => new SampleApp(chart, 'SampleApp', settings),
  }),
} as const;

export type ServiceName = keyof typeof SERVICES;
type SettingsOf<D> = D extends ServiceDefinition<infer S> ? S : never;

/** Per-environment settings: the services an environment runs. */
export type ServiceSettings = { readonly [K in ServiceName]?: SettingsOf<(typeof SERVICES)[K]> };

/** Folder name reserved for the Argo CD root of an environment. */
export const ROOT_FOLDER = 'root';

export function isServiceName(name: string): name is ServiceName {
  return Object.prototype.hasOwnProperty.call(SERVICES, name);
}
