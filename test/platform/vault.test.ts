import { describe, expect, it } from 'vitest';
import { Vault } from '../../charts/platform/vault/vault.ts';
import { PLATFORM } from '../../charts/environments/platform.ts';
import { configErrors, environment, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

function vaultObjects(props: ConstructorParameters<typeof Vault>[2] = {}) {
  const chart = testChart('prod', 'vault');
  new Vault(chart, 'Vault', props);
  return objectsOf(chart);
}

describe('Vault', () => {
  it('installs the pinned chart in HA with 3 raft voters on local-hostpath, TLS, audit and UI, without the unused injector', () => {
    const app = find(vaultObjects(), 'Application', 'prod-vault-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://helm.releases.hashicorp.com', chart: 'vault', targetRevision: '0.30.0' });
    expect(app.spec.destination.namespace).toBe('vault');
    // the namespace (and the certificate the pods mount) come from the vault-tls service
    expect(app.spec.syncPolicy.syncOptions ?? []).not.toContain('CreateNamespace=true');
    const values = app.spec.source.helm.valuesObject;
    expect(values.global.tlsDisable).toBe(false);
    expect(values.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(values.server.standalone.enabled).toBe(false);
    expect(values.server.dataStorage).toEqual({ enabled: true, size: '10Gi', storageClass: 'local-hostpath' });
    expect(values.server.auditStorage).toEqual({ enabled: true, size: '10Gi', storageClass: 'local-hostpath' });
    expect(values.server.image).toEqual({ repository: 'hashicorp/vault', tag: '1.19.0' });
    expect(values.injector).toEqual({ enabled: false });
    expect(values.ui).toEqual({ enabled: true, activeVaultPodOnly: true });
  });

  it('configures a TLS listener, raft joins verified against the CA, and the gcpckms seal from PLATFORM facts', () => {
    const values = find(vaultObjects(), 'Application', 'prod-vault-chart').spec.source.helm.valuesObject;
    const hcl: string = values.server.ha.raft.config;
    expect(hcl).toContain('tls_disable = 0');
    expect(hcl).toContain('tls_cert_file = "/vault/userconfig/tls/tls.crt"');
    expect(hcl).not.toMatch(/tls_disable = 1|tls_skip_verify|tls-skip-verify/);
    for (const index of [0, 1, 2]) expect(hcl).toContain(`leader_api_addr = "https://vault-${index}.vault-internal:8200"`);
    expect(hcl.match(/leader_ca_cert_file = "\/vault\/userconfig\/tls\/ca.crt"/g)).toHaveLength(3);
    expect(hcl).toContain(
      ['seal "gcpckms" {', `  project = "${PLATFORM.gcp.kms.project}"`, `  region = "${PLATFORM.gcp.region}"`, `  key_ring = "${PLATFORM.gcp.kms.keyRing}"`, `  crypto_key = "${PLATFORM.gcp.kms.cryptoKey}"`, '}'].join(
        '\n',
      ),
    );
    expect(hcl).toContain('project = "plateforme-cedille"');
    expect(hcl).toContain('crypto_key = "prod-vault-cryptokey"');
    expect(values.server.extraEnvironmentVars).toEqual({
      VAULT_CACERT: '/vault/userconfig/tls/ca.crt',
      GOOGLE_APPLICATION_CREDENTIALS: '/vault/userconfig/gcp-kms/credentials.json',
    });
    expect(values.server.volumes.map((v: any) => v.secret.secretName)).toEqual(['vault-tls', 'vault-gcp-kms']);
    // the HTTPS probe replaces the chart's exec probe, which runs `vault status -tls-skip-verify`
    expect(values.server.readinessProbe.path).toMatch(/^\/v1\/sys\/health\?/);
    expect(values.server.ha.apiAddr).toBe('https://$(VAULT_K8S_POD_NAME).vault-internal:8200');
  });

  it('installs the vault-config-operator after Vault, talking to Vault over verified TLS', () => {
    const objects = vaultObjects();
    const vault = find(objects, 'Application', 'prod-vault-chart');
    const operator = find(objects, 'Application', 'prod-vault-config-operator-chart');
    expect(operator.spec.source).toMatchObject({ chart: 'vault-config-operator', targetRevision: 'v0.8.52' });
    expect(Number(operator.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBe(Number(vault.metadata.annotations['argocd.argoproj.io/sync-wave']) + 1);
    const values = operator.spec.source.helm.valuesObject;
    expect(values).toMatchObject({ enableCertManager: true, enableMonitoring: false });
    expect(values.env).toEqual([
      { name: 'VAULT_ADDR', value: 'https://vault-active.vault.svc:8200' },
      { name: 'VAULT_CACERT', value: '/vault-ca/ca.crt' },
    ]);
    expect(values.volumes[0].secret).toEqual({ secretName: 'vault-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
  });

  it('declares the KV v2 mounts, the password policy, the policies and the Kubernetes auth roles', () => {
    const objects = vaultObjects();
    const auth = { path: 'kubernetes', role: 'config-admin', serviceAccount: { name: 'vault-config' } };
    for (const mount of ['kv', 'kv-system']) {
      expect(find(objects, 'SecretEngineMount', mount, 'vault').spec).toMatchObject({ type: 'kv', options: { version: '2' }, authentication: auth });
    }
    const password: string = find(objects, 'PasswordPolicy', 'platform', 'vault').spec.passwordPolicy;
    expect(password).toMatch(/^length = 20\n/);
    expect(password.match(/min-chars = 1/g)).toHaveLength(4);
    for (const charset of ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789']) expect(password).toContain(`charset = "${charset}"`);

    const reader: string = find(objects, 'Policy', 'secret-reader', 'vault').spec.policy;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Vault's templated policy syntax
    const scope = '{{identity.entity.aliases.${auth/cluster/prod/@accessor}.metadata.service_account_namespace}}/{{identity.entity.aliases.${auth/cluster/prod/@accessor}.metadata.service_account_name}}';
    expect(reader).toContain(`path "kv/data/${scope}/*" {\n  capabilities = ["read"]\n}`);
    expect(reader).not.toContain('create');
    const writer: string = find(objects, 'Policy', 'secret-writer', 'vault').spec.policy;
    expect(writer).toContain(`path "kv/data/${scope}/*" {\n  capabilities = ["create", "read", "update", "delete"]\n}`);
    const admin: string = find(objects, 'Policy', 'config-admin', 'vault').spec.policy;
    expect(admin).toContain('path "sys/auth/cluster/*"');
    expect(admin).not.toMatch(/kv(-system)?\/data/);
    // Not an effective root: it writes only the platform's policies (never its own, never a new one)
    // and its roles may bind only those.
    expect(admin.match(/path "sys\/policies\/acl\/[^"]*"/g)).toEqual(['path "sys/policies/acl/kv-system-reader"', 'path "sys/policies/acl/secret-reader"', 'path "sys/policies/acl/secret-writer"']);
    expect(admin).not.toMatch(/path "sys\/(policies\/acl|auth|mounts)\/\*"/);
    expect(admin).toContain('    "policies" = ["kv-system-reader","secret-reader","secret-writer"]\n    "token_policies" = ["kv-system-reader","secret-reader","secret-writer"]\n    "*" = []');
    expect(find(objects, 'Policy', 'kv-system-reader', 'vault').spec.policy).toContain('path "kv-system/data/*"');

    expect(find(objects, 'AuthEngineMount', 'prod', 'vault').spec).toMatchObject({ type: 'kubernetes', path: 'cluster' });
    expect(find(objects, 'KubernetesAuthEngineConfig', 'prod', 'vault').spec).toMatchObject({ path: 'cluster', kubernetesHost: 'https://kubernetes.default.svc:443' });
    const eso = find(objects, 'KubernetesAuthEngineRole', 'external-secrets', 'vault').spec;
    expect(eso).toMatchObject({ path: 'cluster/prod', policies: ['kv-system-reader'], targetServiceAccounts: ['external-secrets'], targetNamespaces: { targetNamespaces: ['external-secrets'] } });
    expect(find(objects, 'KubernetesAuthEngineRole', 'secret-reader', 'vault').spec).toMatchObject({ policies: ['secret-reader'], targetServiceAccounts: ['*'] });
    expect(find(objects, 'KubernetesAuthEngineRole', 'secret-writer', 'vault').spec.targetNamespaces).toEqual({
      targetNamespaceSelector: { matchLabels: { 'platform.cedille.club/vault-writer': 'true' } },
    });
    expect(find(objects, 'ServiceAccount', 'vault-config', 'vault').automountServiceAccountToken).toBe(false);
  });

  it('keeps the UI and API off the public Gateway (decision 0907): no route, no certificate', () => {
    const objects = vaultObjects();
    expect(objects.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'Certificate')).toEqual([]);
  });

  it('puts the Vault Application and its configuration in dist/prod, and nothing of Vault elsewhere', () => {
    const b = realBuild();
    expect(manifestsOf(b, 'prod', 'vault').map((m) => m.object.kind)).toContain('KubernetesAuthEngineRole');
    expect(manifestsOf(b, 'prod', 'root').map((m) => m.object.metadata.name)).toEqual(expect.arrayContaining(['prod-vault-chart', 'prod-vault-config-operator-chart']));
    for (const env of ['staging', 'sandbox']) expect(manifestsOf(b, env, 'vault')).toEqual([]);
  });

  it('fails when replicas cannot keep a raft majority', () => {
    expect(configErrors(() => vaultObjects({ replicas: 2 }))).toEqual([
      'prod › vault/Vault: replicas is 2 but raft keeps a majority of an odd number of voters (3 survives one node loss, 5 two); HA needs at least 3; use 3 or 5',
    ]);
  });

  it('fails when a volume size is not a quantity', () => {
    expect(configErrors(() => vaultObjects({ dataSize: '10GB', auditSize: '0Gi' }))).toEqual([
      'prod › vault/Vault: dataSize is "10GB" but a volume size is a whole number of Mi, Gi or Ti; write it like "10Gi"',
      'prod › vault/Vault: auditSize is "0Gi" but a volume size is a whole number of Mi, Gi or Ti; write it like "10Gi"',
    ]);
  });

  it('fails when the storage class is not a name', () => {
    expect(configErrors(() => vaultObjects({ storageClass: 'Local_Hostpath' }))).toEqual([
      'prod › vault/Vault: storageClass is "Local_Hostpath" but it is not a StorageClass name; name a StorageClass, e.g. "local-hostpath"',
    ]);
  });

  it('fails when the KMS credentials Secret is not declared as hand-provided', () => {
    expect(configErrors(() => vaultObjects({ kmsCredentialsSecret: 'gcp-key' }))).toEqual([
      "prod › vault/Vault: kmsCredentialsSecret is \"gcp-key\" but the KMS seal reads credentials.json from a hand-made Secret in namespace vault, and no such Secret is declared for prod in PLATFORM.handProvidedSecrets; declare { environment: 'prod', namespace: 'vault', name: 'gcp-key', keys: ['credentials.json'], … } with its runbook",
    ]);
  });

  it('fails when the KMS facts are missing', () => {
    const env = environment('prod');
    const broken = { ...env, platform: { ...env.platform, gcp: { ...env.platform.gcp, kms: { project: 'plateforme-cedille', keyRing: '', cryptoKey: 'k' } } } };
    const chart = testChart('prod', 'vault', broken);
    expect(configErrors(() => new Vault(chart, 'Vault'))).toEqual([
      'prod › vault/Vault: platform.gcp.kms is {"region":"northamerica-northeast1","project":"plateforme-cedille","keyRing":"","cryptoKey":"k"} but the gcpckms seal needs the project, region, key ring and key; fill them in charts/environments/platform.ts',
    ]);
  });
});
