import type { KubeObject } from '../../lib/manifest.ts';
import type { ControllerDeclaration, Need } from '../../lib/controller-model.ts';
import { VAULT, VAULT_BOOTSTRAP_AUTH } from '../../lib/vault.ts';

/**
 * Vault as data for `npm run converge`: what its chart runs (until rendered charts plug in), the
 * runbook steps that only a human can do (docs/bootstrap.md §2, §5–7, same titles, same order), and
 * what Vault holds once §7 is done, which the ExternalSecrets are checked against.
 */
type Json = Record<string, any>;

const step = (id: string): Need => ({ ref: { group: 'runbook', kind: 'Step', name: id }, what: `runbook step "${id}"` });

/** The paths and properties §7 writes (`v kv put kv-system/<path> <property>=-`): one line per Vault secret. */
export const VAULT_CONTENTS: Readonly<Record<string, readonly string[]>> = {
  'kv-system/argocd/dex': ['client-secret'],
  'kv-system/clickhouse/operator': ['password', 'username'],
  'kv-system/clickhouse/users': ['backup-password', 'grafana-password', 'otel-password'],
  'kv-system/crossplane/gcp': ['service-account-key'],
  'kv-system/external-dns/gcp': ['credentials.json'],
  'kv-system/grafana/admin': ['password', 'user'],
  'kv-system/grafana/github-oauth': ['client-secret'],
};

/** The vault chart's server StatefulSet, from the values we give it (hashicorp/vault chart 0.30, templates/server-statefulset.yaml). */
function vaultServer(release: string, namespace: string, values: Json): KubeObject[] {
  const server: Json = values.server ?? {};
  const claims = [
    ...(server.dataStorage?.enabled ? [{ metadata: { name: 'data' }, spec: { storageClassName: server.dataStorage.storageClass, accessModes: ['ReadWriteOnce'] } }] : []),
    ...(server.auditStorage?.enabled ? [{ metadata: { name: 'audit' }, spec: { storageClassName: server.auditStorage.storageClass, accessModes: ['ReadWriteOnce'] } }] : []),
  ];
  const image = `${server.image?.repository ?? 'hashicorp/vault'}:${server.image?.tag ?? ''}`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: release, namespace } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: release, namespace },
      spec: {
        replicas: server.ha?.enabled ? (server.ha.replicas ?? 3) : 1,
        volumeClaimTemplates: claims,
        template: { spec: { serviceAccountName: release, volumes: server.volumes ?? [], containers: [{ name: 'vault', image }] } },
      },
    },
  ];
}

export const VAULT_CONTROLLER: ControllerDeclaration = {
  service: 'vault',
  // The agent injector writes its own CA into its webhook configuration (vault-k8s, cert
  // auto-generation when injector.certs.secretName is unset): git never holds that caBundle.
  rules: [
    {
      controller: 'vault-agent-injector',
      runs: { always: true },
      watches: { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
      owns: (object) => object.metadata.name.endsWith('-agent-injector-cfg'),
      react: (object) => ({ needs: [], makes: [], rewrites: ((object as Json).webhooks ?? []).map((_: unknown, index: number) => `/webhooks/${index}/clientConfig/caBundle`) }),
    },
  ],
  charts: [{ chart: 'vault', objects: vaultServer }],
  vaultContents: VAULT_CONTENTS,
  runbook: [
    { section: 2, title: 'The KMS key (once per GCP project)', id: 'kms-key', after: () => [], makes: () => [] },
    {
      section: 5,
      title: "Vault's only hand-made Secret",
      id: 'kms-credentials',
      after: () => [{ ref: { group: '', kind: 'Namespace', name: VAULT.namespace }, what: `the namespace ${VAULT.namespace} exists` }],
      makes: () => [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vault-gcp-kms', namespace: VAULT.namespace }, data: { 'credentials.json': '(service-account key)' } }],
    },
    {
      section: 6,
      title: 'Initialise Vault (recovery keys, root token)',
      id: 'vault-init',
      // The pods answer the readiness probe uninitialised (uninitcode=204): init waits for them to run.
      after: () => [
        {
          ref: { group: 'apps', kind: 'StatefulSet', namespace: VAULT.namespace, name: VAULT.release },
          ready: (sts) => (sts as Json).status?.readyReplicas > 0,
          what: `the pods of StatefulSet ${VAULT.namespace}/${VAULT.release} running`,
        },
      ],
      makes: () => [],
    },
    {
      section: 7,
      title: "Vault's configuration, the platform's secrets, then drop the root token",
      id: 'vault-configuration',
      after: () => [
        step('vault-init'),
        {
          ref: { group: 'redhatcop.redhat.io', kind: 'Policy', namespace: VAULT.namespace, name: VAULT_BOOTSTRAP_AUTH.policy },
          what: `Policy ${VAULT.namespace}/${VAULT_BOOTSTRAP_AUTH.policy} in the cluster (its text is what §7 writes)`,
        },
      ],
      makes: () => [],
    },
  ],
};
