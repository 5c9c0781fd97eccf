import type { Environment } from '../environments/types.ts';

/**
 * How the platform reaches Vault: shared by the Vault service (which creates these objects), the
 * External Secrets service (which reads through them) and any consumer that talks to Vault itself.
 * Vault runs once, on the prod host; see docs/decisions/0300-vault-tls-and-bootstrap.md.
 */
export const VAULT = {
  namespace: 'vault',
  /** Helm release name: the chart derives every object name from it (`vault-0`, `vault-internal` …). */
  release: 'vault',
  /** The leader only (service registration labels it): what clients and the UI route talk to. */
  activeService: 'vault-active',
  uiService: 'vault-ui',
  port: 8200,
  /** Secret written by cert-manager for Vault's listener; also carries the CA (`ca.crt`). */
  tlsSecret: 'vault-tls',
  caKey: 'ca.crt',
  /** Where the Vault pods mount `tlsSecret`. */
  tlsMountPath: '/vault/userconfig/tls',
  /** The internal CA that signs Vault's certificate (a ClusterIssuer). */
  caIssuer: 'platform-ca',
} as const;

/** `https://vault-active.vault.svc:8200`: the address every in-cluster client uses (verified TLS). */
export const VAULT_ADDRESS = `https://${VAULT.activeService}.${VAULT.namespace}.svc:${VAULT.port}`;

/** Kubernetes auth of the operator that configures Vault: created by hand once (docs/runbooks/vault-bootstrap.md). */
export const VAULT_BOOTSTRAP_AUTH = {
  /** `auth/kubernetes`: the mount the vault-config-operator logs in through. */
  mount: 'kubernetes',
  role: 'config-admin',
  policy: 'config-admin',
  /** Service account (namespace `vault`) whose tokens the operator presents. */
  serviceAccount: 'vault-config',
} as const;

/** Parent path of the declarative Kubernetes auth mounts, one per cluster: `auth/cluster/<env>`. */
export const VAULT_CLUSTER_AUTH_PARENT = 'cluster';

/** The declarative Kubernetes auth mount of an environment's cluster: `cluster/prod`. */
export function vaultAuthMount(environment: Pick<Environment, 'name'>): string {
  return `${VAULT_CLUSTER_AUTH_PARENT}/${environment.name}`;
}

/** Vault roles on the cluster auth mount, and who uses them. */
export const VAULT_ROLES = {
  /** External Secrets' controller, reading the platform's own secrets (`kv-system`). */
  externalSecrets: 'external-secrets',
  /** Any service account, reading `kv/<its namespace>/<its name>/…`. */
  secretReader: 'secret-reader',
  /** Service accounts of opted-in namespaces, writing `kv/<their namespace>/<their name>/…`. */
  secretWriter: 'secret-writer',
} as const;

/** External Secrets' controller identity (namespace and service account). */
export const EXTERNAL_SECRETS = {
  namespace: 'external-secrets',
  serviceAccount: 'external-secrets',
  /** Labels of the controller's pods only (chart 0.10.7 `external-secrets.selectorLabels`, release `external-secrets`; the webhook and cert-controller pods carry other names). */
  controllerPods: { 'app.kubernetes.io/name': 'external-secrets', 'app.kubernetes.io/instance': 'external-secrets' },
} as const;

/**
 * The service account External Secrets presents for an ExternalSecret on the workloads store: the
 * one of that name in the ExternalSecret's own namespace, so Vault's templated `secret-reader`
 * policy limits it to `kv/<namespace>/external-secrets/…`.
 */
export const WORKLOAD_READER_SERVICE_ACCOUNT = 'external-secrets';

/** Label that opts a namespace into the `secret-writer` role. */
export const VAULT_WRITER_NAMESPACE_LABEL = 'platform.cedille.club/vault-writer';
