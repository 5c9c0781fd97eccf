import { CertManager, type CertManagerProps } from './cert-manager/cert-manager.ts';
import { ExternalDns, type ExternalDnsProps } from './external-dns/external-dns.ts';
import { Edge, type EdgeProps } from './gateway/gateway.ts';
import { GatewayApiCrds, type GatewayApiProps } from './gateway-api/gateway-api.ts';
import { HostedEdges, type HostedEdgesProps } from './hosted-edges/hosted-edges.ts';
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
    // Its Gateway API support (HTTP-01 through the Gateway) starts only if the CRDs exist when it starts.
    dependsOn: ['gateway-api'],
    build: (chart, settings) => new CertManager(chart, 'CertManager', settings),
  }),
  'gateway-api': service<GatewayApiProps>({
    description: 'Gateway API CRDs, one pinned release (standard channel) for the whole cluster',
    dependsOn: [],
    build: (chart, settings) => new GatewayApiCrds(chart, 'GatewayApi', settings),
  }),
  gateway: service<EdgeProps>({
    description: "Contour's Gateway provisioner, GatewayClass contour and the environment's Gateway",
    // Its listeners' certificates come from cert-manager's issuer.
    dependsOn: ['cert-manager'],
    build: (chart, settings) => new Edge(chart, 'Edge', settings),
  }),
  'hosted-edges': service<HostedEdgesProps>({
    description: "The host's forwarding of the vcluster environments' domains to their own Gateways",
    // Its backends are the vclusters' Envoy Services: add the vcluster service here when it lands.
    dependsOn: ['gateway'],
    build: (chart, settings) => new HostedEdges(chart, 'HostedEdges', settings),
  }),
  'external-dns': service<ExternalDnsProps>({
    description: 'external-dns publishing the routes of the Gateway in the Cloud DNS zone',
    // Reads the Gateway and its routes; its credentials need External Secrets (add
    // 'external-secrets' here when that service lands).
    dependsOn: ['gateway'],
    build: (chart, settings) => new ExternalDns(chart, 'ExternalDns', settings),
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
