import { ArgoCd, type ArgoCdProps } from './argocd/argocd.ts';
import { CertManager, type CertManagerProps } from './cert-manager/cert-manager.ts';
import { VCluster, type VClusterProps } from './vcluster/vcluster.ts';
import type { PlatformChart } from '../lib/platform-chart.ts';

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
    // Registered clusters are read by Argo CD, whose Application health check orders the waves.
    // TODO(merge): add 'external-secrets' (SecretStore/ExternalSecret CRDs) once it is on main.
    dependsOn: ['argocd'],
    build: (chart, settings) => new VCluster(chart, 'VCluster', settings),
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
