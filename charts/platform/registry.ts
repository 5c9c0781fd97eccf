import { CertManager, type CertManagerProps } from './cert-manager/cert-manager.ts';
import { ExternalSecrets, type ExternalSecretsProps } from './external-secrets/external-secrets.ts';
import { Vault, type VaultProps } from './vault/vault.ts';
import { VaultTls, type VaultTlsProps } from './vault/vault-tls.ts';
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
  'vault-tls': service<VaultTlsProps>({
    description: "The platform's internal CA (ClusterIssuer platform-ca), the vault namespace and Vault's serving certificate: what Vault's pods mount before they start",
    dependsOn: ['cert-manager'],
    build: (chart, settings) => new VaultTls(chart, 'VaultTls', settings),
  }),
  vault: service<VaultProps>({
    description: 'Vault HA (raft, GCP KMS auto-unseal, TLS, audit, agent injector, UI) and its declarative configuration through the vault-config-operator',
    // TODO(lead): add 'storage' (the local-hostpath class) and the Gateway API service (HTTPRoute CRD) once they are on main
    dependsOn: ['cert-manager', 'vault-tls'],
    build: (chart, settings) => new Vault(chart, 'Vault', settings),
  }),
  'external-secrets': service<ExternalSecretsProps>({
    description: 'External Secrets Operator and the ClusterSecretStores on Vault (Kubernetes auth, verified TLS)',
    dependsOn: ['vault'],
    build: (chart, settings) => new ExternalSecrets(chart, 'ExternalSecrets', settings),
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
