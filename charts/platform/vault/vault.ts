import { restrictedPod } from '../../lib/labels.ts';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { AuthEngineMount } from '../../../imports/vco-authenginemount-redhatcop.redhat.io.ts';
import { KubernetesAuthEngineConfig } from '../../../imports/vco-kubernetesauthengineconfig-redhatcop.redhat.io.ts';
import { PasswordPolicy } from '../../../imports/vco-passwordpolicy-redhatcop.redhat.io.ts';
import { SecretEngineMount } from '../../../imports/vco-secretenginemount-redhatcop.redhat.io.ts';
import { CHARTS, IMAGES } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { isDnsLabel } from '../../lib/names.ts';
import { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';
import { VAULT_OPERATOR_AUTHENTICATION, VaultKubernetesRole, VaultPolicy, declaredVaultPolicies } from '../../lib/vault-config.ts';
import { EXTERNAL_SECRETS, VAULT, VAULT_ADDRESS, VAULT_BOOTSTRAP_AUTH, VAULT_CLUSTER_AUTH_PARENT, VAULT_ROLES, VAULT_WRITER_NAMESPACE_LABEL, vaultAuthMount } from '../../lib/vault.ts';
import { PLATFORM_PASSWORD_RULES, configAdminPolicy, passwordPolicy, secretReaderPolicy, secretWriterPolicy, systemReaderPolicy } from './policies.ts';

export interface VaultProps {
  /** Vault servers (raft voters): an odd number so a majority survives a node loss. @default 3 */
  readonly replicas?: number;
  /** StorageClass of the raft and audit volumes: raft replicates itself, so node-local disks. @default 'local-hostpath' */
  readonly storageClass?: string;
  /** Raft data volume per server. @default '10Gi' */
  readonly dataSize?: string;
  /** Audit log volume per server. @default '10Gi' */
  readonly auditSize?: string;
  /**
   * The hand-made Secret (namespace `vault`) holding the GCP service-account key of the KMS seal;
   * it must be declared in `PLATFORM.handProvidedSecrets`. @default 'vault-gcp-kms'
   */
  readonly kmsCredentialsSecret?: string;
}

/** Key of the GCP service-account key file inside the hand-made Secret. */
export const KMS_CREDENTIALS_KEY = 'credentials.json';
/** The server image; Vault's clients in the platform (its snapshot job) run the same version. */
export const VAULT_IMAGE = IMAGES.vault;
const KMS_MOUNT_PATH = '/vault/userconfig/gcp-kms';
const QUANTITY = /^[1-9]\d*(Mi|Gi|Ti)$/;

/** Vault chart values we set (keys checked against hashicorp/vault-helm v0.30.0 values.yaml). */
interface VaultValues {
  readonly global: { readonly enabled: boolean; readonly tlsDisable: boolean };
  readonly injector: { readonly enabled: boolean };
  readonly server: {
    readonly image: { readonly repository: string; readonly tag: string };
    readonly readinessProbe: { readonly enabled: boolean; readonly path: string };
    readonly extraEnvironmentVars: Record<string, string>;
    readonly volumes: readonly Record<string, unknown>[];
    readonly volumeMounts: readonly Record<string, unknown>[];
    readonly dataStorage: { readonly enabled: boolean; readonly size: string; readonly storageClass: string };
    readonly auditStorage: { readonly enabled: boolean; readonly size: string; readonly storageClass: string };
    readonly standalone: { readonly enabled: boolean };
    readonly ha: {
      readonly enabled: boolean;
      readonly replicas: number;
      readonly apiAddr: string;
      readonly raft: { readonly enabled: boolean; readonly setNodeId: boolean; readonly config: string };
      readonly disruptionBudget: { readonly enabled: boolean };
    };
    readonly statefulSet: { readonly securityContext: { readonly pod: Record<string, unknown>; readonly container: Record<string, unknown> } };
  };
  readonly ui: { readonly enabled: boolean; readonly activeVaultPodOnly: boolean };
}

/** vault-config-operator chart values we set (keys checked against its v0.8.52 values.yaml). */
interface VaultConfigOperatorValues {
  /** The chart's webhook certificates come from cert-manager (else only OpenShift's service CA). */
  readonly enableCertManager: boolean;
  /** No Prometheus operator on the platform, so no ServiceMonitor (its CRD is absent). */
  readonly enableMonitoring: boolean;
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly volumes: readonly Record<string, unknown>[];
  readonly volumeMounts: readonly Record<string, unknown>[];
  readonly podSecurityContext: Record<string, unknown>;
}

/** Restricted Pod Security: what the charts leave out (seccomp, dropped capabilities). */
const RESTRICTED_POD = { ...restrictedPod(100, 1000), fsGroup: 1000 };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/**
 * HashiCorp Vault in HA with integrated raft storage, a TLS listener signed by the platform CA
 * (from the `vault-tls` service), auto-unseal with GCP Cloud KMS, audit volumes (the agent injector is off: unused)
 * and the UI off the public Gateway (operators reach it with `kubectl port-forward`, decision 0907); then its declarative configuration through redhat-cop's
 * vault-config-operator: KV v2 mounts, the password policy, the policies and the Kubernetes auth
 * mount and roles External Secrets and workloads log in with.
 */
export class Vault extends Construct {
  /** Declarative Kubernetes auth mount of this environment's cluster (`cluster/prod`). */
  readonly authMount: string;

  constructor(scope: PlatformChart, id: string, props: VaultProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const { platform } = environment;
    const replicas = props.replicas ?? 3;
    const storageClass = props.storageClass ?? 'local-hostpath';
    const dataSize = props.dataSize ?? '10Gi';
    const auditSize = props.auditSize ?? '10Gi';
    const kmsSecret = props.kmsCredentialsSecret ?? 'vault-gcp-kms';
    const kms = platform.gcp.kms;

    const errors = ConfigErrors.of(this);
    errors.check(replicas === 3 || replicas === 5, {
      field: 'replicas',
      value: replicas,
      problem: 'raft keeps a majority of an odd number of voters (3 survives one node loss, 5 two); HA needs at least 3',
      fix: 'use 3 or 5',
    });
    errors.check(isDnsLabel(storageClass), { field: 'storageClass', value: storageClass, problem: 'it is not a StorageClass name', fix: 'name a StorageClass, e.g. "local-hostpath"' });
    for (const [field, value] of [
      ['dataSize', dataSize],
      ['auditSize', auditSize],
    ] as const) {
      errors.check(QUANTITY.test(value), { field, value, problem: 'a volume size is a whole number of Mi, Gi or Ti', fix: 'write it like "10Gi"' });
    }
    const declared = (platform.handProvidedSecrets ?? []).find((s) => s.environment === environment.name && s.namespace === VAULT.namespace && s.name === kmsSecret);
    errors.check(declared?.keys.includes(KMS_CREDENTIALS_KEY) === true, {
      field: 'kmsCredentialsSecret',
      value: kmsSecret,
      problem: `the KMS seal reads ${KMS_CREDENTIALS_KEY} from a hand-made Secret in namespace ${VAULT.namespace}, and no such Secret is declared for ${environment.name} in PLATFORM.handProvidedSecrets`,
      fix: `declare { environment: '${environment.name}', namespace: '${VAULT.namespace}', name: '${kmsSecret}', keys: ['${KMS_CREDENTIALS_KEY}'], … } with its runbook`,
    });
    errors.check(Boolean(kms.project && platform.gcp.region && kms.keyRing && kms.cryptoKey), {
      field: 'platform.gcp.kms',
      value: { region: platform.gcp.region, ...kms },
      problem: 'the gcpckms seal needs the project, region, key ring and key',
      fix: 'fill them in charts/environments/platform.ts',
    });
    errors.throwIfAny();

    this.authMount = vaultAuthMount(environment);
    const internal = `${VAULT.release}-internal`;
    const caFile = `${VAULT.tlsMountPath}/${VAULT.caKey}`;
    const hcl = [
      'ui = true',
      // no IPC_LOCK capability under restricted Pod Security; raft is the recommended setup without mlock
      'disable_mlock = true',
      '',
      'listener "tcp" {',
      '  address = "[::]:8200"',
      '  cluster_address = "[::]:8201"',
      '  tls_disable = 0',
      `  tls_cert_file = "${VAULT.tlsMountPath}/tls.crt"`,
      `  tls_key_file = "${VAULT.tlsMountPath}/tls.key"`,
      '  tls_min_version = "tls12"',
      '}',
      '',
      'storage "raft" {',
      '  path = "/vault/data"',
      ...Array.from({ length: replicas }, (_, index) => ['  retry_join {', `    leader_api_addr = "https://${VAULT.release}-${index}.${internal}:${VAULT.port}"`, `    leader_ca_cert_file = "${caFile}"`, '  }']).flat(),
      '}',
      '',
      'seal "gcpckms" {',
      `  project = "${kms.project}"`,
      `  region = "${platform.gcp.region}"`,
      `  key_ring = "${kms.keyRing}"`,
      `  crypto_key = "${kms.cryptoKey}"`,
      '}',
      '',
      'service_registration "kubernetes" {}',
      '',
    ].join('\n');

    new HelmApplication<VaultValues>(this, 'Chart', {
      chart: CHARTS.vault,
      name: VAULT.release,
      namespace: VAULT.namespace,
      // the namespace comes from the vault-tls service, with the certificate these pods mount
      values: {
        global: { enabled: true, tlsDisable: false },
        // No workload uses the agent injector (secrets reach pods through External Secrets), and its
        // webhook's caBundle is rewritten by the injector at runtime: drift under self-heal
        // (docs/decisions/0304-vault-injector-disabled.md).
        injector: { enabled: false },
        server: {
          image: { repository: VAULT_IMAGE.repository, tag: VAULT_IMAGE.tag },
          // HTTPS health check instead of the chart's exec probe (which skips TLS verification);
          // sealed or uninitialised pods count as ready so the first sync can finish before
          // `vault operator init` (clients use vault-active, which selects the leader only)
          readinessProbe: { enabled: true, path: '/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204' },
          extraEnvironmentVars: {
            VAULT_CACERT: caFile,
            GOOGLE_APPLICATION_CREDENTIALS: `${KMS_MOUNT_PATH}/${KMS_CREDENTIALS_KEY}`,
          },
          volumes: [
            { name: 'tls', secret: { secretName: VAULT.tlsSecret, defaultMode: 0o440 } },
            { name: 'gcp-kms', secret: { secretName: kmsSecret, defaultMode: 0o440 } },
          ],
          volumeMounts: [
            { name: 'tls', mountPath: VAULT.tlsMountPath, readOnly: true },
            { name: 'gcp-kms', mountPath: KMS_MOUNT_PATH, readOnly: true },
          ],
          dataStorage: { enabled: true, size: dataSize, storageClass },
          auditStorage: { enabled: true, size: auditSize, storageClass },
          standalone: { enabled: false },
          ha: {
            enabled: true,
            replicas,
            // a name the certificate holds (the chart's default is the pod IP); the variable is
            // defined before VAULT_API_ADDR in the pod, so Kubernetes expands it
            apiAddr: `https://$(VAULT_K8S_POD_NAME).${internal}:${VAULT.port}`,
            raft: { enabled: true, setNodeId: true, config: hcl },
            disruptionBudget: { enabled: true },
          },
          statefulSet: { securityContext: { pod: RESTRICTED_POD, container: RESTRICTED_CONTAINER } },
        },
        // The vault-ui Service (active pod only) is what operators port-forward to: the UI and the API
        // are not on the public Gateway (docs/decisions/0907-public-endpoints.md).
        ui: { enabled: true, activeVaultPodOnly: true },
      },
    });

    new HelmApplication<VaultConfigOperatorValues>(this, 'ConfigOperator', {
      chart: CHARTS.vaultConfigOperator,
      namespace: VAULT.namespace,
      // after Vault's Application; its CRDs exist before this folder (wave + 5) applies the resources
      waveOffset: 1,
      values: {
        enableCertManager: true,
        enableMonitoring: false,
        env: [
          { name: 'VAULT_ADDR', value: VAULT_ADDRESS },
          { name: 'VAULT_CACERT', value: `/vault-ca/${VAULT.caKey}` },
        ],
        // only the CA of Vault's certificate, not its key
        volumes: [{ name: 'vault-ca', secret: { secretName: VAULT.tlsSecret, items: [{ key: VAULT.caKey, path: VAULT.caKey }] } }],
        volumeMounts: [{ name: 'vault-ca', mountPath: '/vault-ca', readOnly: true }],
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      },
    });

    this.configure(environment.platform.vault.stores);
  }

  /** The declarative configuration, applied by the vault-config-operator. */
  private configure(stores: PlatformChart['environment']['platform']['vault']['stores']): void {
    const namespace = VAULT.namespace;
    const authentication = VAULT_OPERATOR_AUTHENTICATION;
    const sa = new k8s.KubeServiceAccount(this, 'ConfigServiceAccount', {
      metadata: { name: VAULT_BOOTSTRAP_AUTH.serviceAccount, namespace },
      automountServiceAccountToken: false,
    });
    setSyncWave(sa, Wave.FOUNDATION);

    for (const store of [stores.system, stores.workloads]) {
      new SecretEngineMount(this, `Mount-${store.mount}`, {
        metadata: { name: store.mount, namespace },
        spec: { authentication, type: 'kv', options: { version: '2' }, description: `KV v2 read through the ClusterSecretStore ${store.name}` },
      });
    }

    new PasswordPolicy(this, 'PasswordPolicy', {
      metadata: { name: 'platform', namespace },
      spec: { authentication, passwordPolicy: passwordPolicy(PLATFORM_PASSWORD_RULES) },
    });

    const managed: Record<string, string> = {
      [VAULT_ROLES.secretReader]: secretReaderPolicy(stores.workloads.mount, this.authMount),
      [VAULT_ROLES.secretWriter]: secretWriterPolicy(stores.workloads.mount, this.authMount),
      [`${stores.system.mount}-reader`]: systemReaderPolicy(stores.system.mount),
    };
    for (const [name, policy] of Object.entries(managed)) new VaultPolicy(this, `Policy-${name}`, { name, policy });
    // The configuration admin may write and bind exactly the policies the environment declares (other
    // services declare theirs too, e.g. backups' raft snapshot policy): known once every service is built.
    const configAdmin = Lazy.any({
      produce: () =>
        configAdminPolicy({
          clusterAuthParent: VAULT_CLUSTER_AUTH_PARENT,
          policies: declaredVaultPolicies(this, PlatformChart.of(this).environmentName).filter((name) => name !== VAULT_BOOTSTRAP_AUTH.policy),
          mounts: [stores.system.mount, stores.workloads.mount],
          passwordPolicies: ['platform'],
        }),
    }) as unknown as string;
    new VaultPolicy(this, `Policy-${VAULT_BOOTSTRAP_AUTH.policy}`, { name: VAULT_BOOTSTRAP_AUTH.policy, policy: configAdmin });

    // auth/cluster/<env>: the mount, its config (Vault reviews tokens with its own service account)
    const [parent, mountName] = [VAULT_CLUSTER_AUTH_PARENT, this.authMount.slice(VAULT_CLUSTER_AUTH_PARENT.length + 1)];
    new AuthEngineMount(this, 'AuthMount', {
      metadata: { name: mountName, namespace },
      spec: { authentication, type: 'kubernetes', path: parent, description: `Service accounts of the ${mountName} cluster` },
    });
    const config = new KubernetesAuthEngineConfig(this, 'AuthConfig', {
      metadata: { name: mountName, namespace },
      spec: { authentication, path: parent, kubernetesHost: 'https://kubernetes.default.svc:443' },
    });
    setSyncWave(config, Wave.AFTER_CRDS);

    type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string }[] };
    const roles: { name: string; policy: string; serviceAccounts: string[]; namespaces: { targetNamespaces?: string[]; targetNamespaceSelector?: Selector } }[] = [
      { name: VAULT_ROLES.externalSecrets, policy: `${stores.system.mount}-reader`, serviceAccounts: [EXTERNAL_SECRETS.serviceAccount], namespaces: { targetNamespaces: [EXTERNAL_SECRETS.namespace] } },
      // any service account of any namespace may log in: the templated policy confines it to its own
      // path. Vault refuses "*" for both names and namespaces, so the operator lists every namespace
      // (it watches namespaces and updates the role)
      {
        name: VAULT_ROLES.secretReader,
        policy: VAULT_ROLES.secretReader,
        serviceAccounts: ['*'],
        namespaces: { targetNamespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } },
      },
      { name: VAULT_ROLES.secretWriter, policy: VAULT_ROLES.secretWriter, serviceAccounts: ['*'], namespaces: { targetNamespaceSelector: { matchLabels: { [VAULT_WRITER_NAMESPACE_LABEL]: 'true' } } } },
    ];
    for (const role of roles) {
      new VaultKubernetesRole(this, `Role-${role.name}`, {
        name: role.name,
        authMount: this.authMount,
        policies: [role.policy],
        serviceAccounts: role.serviceAccounts,
        namespaces: role.namespaces,
      });
    }
  }
}
