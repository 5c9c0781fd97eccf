import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterSecretStoreV1Beta1, ClusterSecretStoreV1Beta1SpecProviderVaultCaProviderType, ClusterSecretStoreV1Beta1SpecProviderVaultVersion } from '../../../imports/eso-clustersecretstore-external-secrets.io.ts';
import { CHARTS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { environmentVaultSecrets } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { EXTERNAL_SECRETS, VAULT, VAULT_ADDRESS, VAULT_ROLES, WORKLOAD_READER_SERVICE_ACCOUNT, vaultAuthMount } from '../../lib/vault.ts';

export interface ExternalSecretsProps {
  /** Controller replicas (leader-elected when more than one). @default 1 */
  readonly replicas?: number;
}

/** external-secrets chart values we set (keys checked against its helm-chart-0.10.7 values.yaml). */
interface ExternalSecretsValues {
  readonly installCRDs: boolean;
  readonly replicaCount: number;
  readonly leaderElect: boolean;
  readonly serviceAccount: { readonly create: boolean; readonly name: string };
}

/**
 * External Secrets Operator and the ClusterSecretStores on Vault, one per KV v2 mount
 * (`PLATFORM.vault.stores`), over verified TLS (the platform CA from Vault's own certificate
 * Secret) with Kubernetes auth on the cluster's auth mount:
 * - the system store (`kv-system`) logs in as the controller's service account with the
 *   `external-secrets` role, and serves only the namespaces whose VaultSecrets use it;
 * - the workloads store (`kv`) logs in as the `external-secrets` service account of the
 *   ExternalSecret's own namespace with the `secret-reader` role, so Vault's templated policy
 *   confines each namespace to `kv/<namespace>/external-secrets/…`.
 */
export class ExternalSecrets extends Construct {
  readonly storeNames: readonly string[];

  constructor(scope: PlatformChart, id: string, props: ExternalSecretsProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const replicas = props.replicas ?? 1;
    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 3, 'External Secrets runs 1 to 3 leader-elected controllers');
    errors.throwIfAny();

    new HelmApplication<ExternalSecretsValues>(this, 'Chart', {
      chart: CHARTS.externalSecrets,
      namespace: EXTERNAL_SECRETS.namespace,
      createNamespace: { podSecurity: 'restricted', mesh: 'excluded' },
      // the CRD bundle is larger than client-side apply's annotation limit
      syncOptions: ['ServerSideApply=true'],
      values: {
        installCRDs: true,
        replicaCount: replicas,
        leaderElect: replicas > 1,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS.serviceAccount },
      },
    });

    const { system, workloads } = environment.platform.vault.stores;
    const mountPath = vaultAuthMount(environment);
    const vault = (path: string) => ({
      server: VAULT_ADDRESS,
      path,
      version: ClusterSecretStoreV1Beta1SpecProviderVaultVersion.V2,
      // Vault's certificate Secret also carries the CA that signed it; only `ca.crt` is read
      caProvider: { type: ClusterSecretStoreV1Beta1SpecProviderVaultCaProviderType.SECRET, name: VAULT.tlsSecret, namespace: VAULT.namespace, key: VAULT.caKey },
    });

    new ClusterSecretStoreV1Beta1(this, 'SystemStore', {
      metadata: { name: system.name },
      spec: {
        provider: {
          vault: {
            ...vault(system.mount),
            auth: {
              kubernetes: {
                mountPath,
                role: VAULT_ROLES.externalSecrets,
                serviceAccountRef: { name: EXTERNAL_SECRETS.serviceAccount, namespace: EXTERNAL_SECRETS.namespace },
              },
            },
          },
        },
        // the platform's own secrets reach only the namespaces that declared a VaultSecret on this
        // store (read at render time, when every service of the environment is built)
        conditions: [{ namespaces: Lazy.any({ produce: () => systemNamespaces(this) }) as unknown as string[] }],
      },
    });

    new ClusterSecretStoreV1Beta1(this, 'WorkloadsStore', {
      metadata: { name: workloads.name },
      spec: {
        provider: {
          vault: {
            ...vault(workloads.mount),
            auth: {
              kubernetes: {
                mountPath,
                role: VAULT_ROLES.secretReader,
                // no namespace: External Secrets uses the service account of the ExternalSecret's namespace
                serviceAccountRef: { name: WORKLOAD_READER_SERVICE_ACCOUNT },
              },
            },
          },
        },
      },
    });
    this.storeNames = [system.name, workloads.name];
  }
}

/** Namespaces of the environment's VaultSecrets on the system store, sorted (never empty). */
function systemNamespaces(scope: Construct): string[] {
  const namespaces = new Set(
    environmentVaultSecrets(scope)
      .filter((use) => use.store === 'system')
      .map((use) => use.namespace),
  );
  // an empty list would mean "no condition"; the controller's own namespace never holds an ExternalSecret
  if (namespaces.size === 0) namespaces.add(EXTERNAL_SECRETS.namespace);
  return [...namespaces].sort();
}
