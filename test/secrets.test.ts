import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { PLATFORM } from '../charts/environments/platform.ts';
import { VaultSecret } from '../charts/lib/external-secret.ts';
import type { KubeObject, Manifest } from '../charts/lib/manifest.ts';
import { gateFacts, hostPushedSecrets } from '../charts/app/gate-facts.ts';
import { GATE_WAIVERS } from '../charts/app/gate-waivers.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { runGate } from '../gate/gate.ts';
import { argoCdSecretReferences, secretReferences, secretReferencesRule, unreadExternalSecretKeys, unresolvedSecretReferences } from '../gate/secret-references.ts';
import { serviceLevels } from '../charts/app/service-waves.ts';
import { configErrors, testChart, realBuild } from './helpers.ts';

/** The whole synthesized platform, every environment. */
const platform = realBuild();
const handProvided = PLATFORM.handProvidedSecrets ?? [];
/** Where Secrets come from besides the tree: made by hand, or pushed by a host into its vclusters (as charts/app/gate-config.ts declares them). */
const declared = [...handProvided, ...hostPushedSecrets(ENVIRONMENTS)];

function manifest(object: Record<string, unknown>, environment = 'prod', folder = 'demo'): Manifest {
  return { environment, folder, file: 'x.yaml', source: 'test', object: object as unknown as KubeObject };
}
const deployment = (namespace: string, spec: Record<string, unknown>) => manifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace }, spec: { template: { spec } } });
const externalSecret = (namespace: string, target: string, keys: string[]) =>
  manifest({
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: target, namespace },
    spec: { target: { name: target }, data: keys.map((secretKey) => ({ secretKey, remoteRef: { key: 'p', property: secretKey } })) },
  });

describe('secrets over the whole platform', () => {
  it('every Secret a consumer reads is produced by an ExternalSecret, a Certificate, declared hand-provided, or pushed by a host', () => {
    const problems = unresolvedSecretReferences(platform.manifests, declared).map(
      ({ reference, problem }) => `${reference.environment}/${reference.manifest.folder}/${reference.manifest.file} ${reference.pointer}: ${problem}`,
    );
    expect(problems).toEqual([]);
    // the scan does see the platform's references (Vault's TLS and KMS credentials at least)
    const seen = secretReferences(platform.manifests).map((r) => `${r.environment}:${r.namespace}/${r.name}`);
    expect(seen).toEqual(expect.arrayContaining(['prod:vault/vault-tls', 'prod:vault/vault-gcp-kms']));
  });

  it('every hand-provided Secret is declared with a runbook that exists, and is really used', () => {
    const used = new Set(secretReferences(platform.manifests).map((r) => `${r.environment}:${r.namespace}/${r.name}`));
    for (const secret of handProvided) {
      expect(used.has(`${secret.environment}:${secret.namespace}/${secret.name}`), `${secret.namespace}/${secret.name} is declared but unused`).toBe(true);
      expect(secret.runbook).toMatch(/^docs\/runbooks\/.+\.md$/);
      expect(existsSync(join(REPO_ROOT, secret.runbook)), secret.runbook).toBe(true);
      expect(readFileSync(join(REPO_ROOT, secret.runbook), 'utf8')).toContain(secret.name);
    }
  });

  it('ExternalSecrets exist only where External Secrets runs, and name a store of their environment', () => {
    for (const [environment, services] of platform.services) {
      const objects = platform.manifests.filter((m) => m.environment === environment).map((m) => m.object as any);
      const clusterStores = new Set(objects.filter((o) => o.kind === 'ClusterSecretStore').map((o) => o.metadata.name));
      const stores = new Set(objects.filter((o) => o.kind === 'SecretStore').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
      for (const es of objects.filter((o) => o.kind === 'ExternalSecret')) {
        const ref = es.spec.secretStoreRef;
        expect(services, `${environment}: ExternalSecret ${es.metadata.namespace}/${es.metadata.name} but external-secrets is not enabled`).toContain('external-secrets');
        const found = ref.kind === 'SecretStore' ? stores.has(`${es.metadata.namespace}/${ref.name}`) : clusterStores.has(ref.name);
        expect(found, `${environment}: ${es.metadata.namespace}/${es.metadata.name} uses ${ref.kind} ${ref.name}, which is not in ${environment}`).toBe(true);
      }
    }
  });

  it('every service with ExternalSecrets or SecretStores syncs after External Secrets (its CRDs)', () => {
    const levels = serviceLevels();
    for (const m of platform.manifests) {
      if (!m.object.apiVersion.startsWith('external-secrets.io/') || m.folder === 'external-secrets') continue;
      expect(levels.get(m.folder)! > levels.get('external-secrets')!, `${m.environment}/${m.folder} has ${m.object.kind} ${m.object.metadata.name}; add 'external-secrets' to its dependsOn`).toBe(true);
    }
  });

  it('no Secret with data, no private key, no disabled TLS verification anywhere in dist/', () => {
    for (const { environment, folder, file, object } of platform.manifests) {
      const where = `${environment}/${folder}/${file}`;
      if (object.kind === 'Secret') expect([(object as any).data, (object as any).stringData], where).toEqual([undefined, undefined]);
      const text = JSON.stringify(object);
      expect(text, where).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, where).not.toMatch(/tls[-_]?skip[-_]?verify|insecure-skip-tls-verify/i);
      expect(text, where).not.toMatch(/"(insecureSkipVerify|skipVerify|insecure|tlsSkipVerify)":true/);
    }
  });

  it('the validation gate passes on the whole platform, including the secret-reference rule', () => {
    const report = runGate(platform.manifests, { rules: [secretReferencesRule(declared)], facts: gateFacts(ENVIRONMENTS), waivers: GATE_WAIVERS });
    expect(report.errors).toEqual([]);
  });
});

describe('secret reference scan', () => {
  it('follows env, envFrom and volumes of pod specs, and reports what nothing produces', () => {
    const consumer = deployment('demo', {
      containers: [
        {
          name: 'app',
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          envFrom: [{ secretRef: { name: 'api' } }],
        },
      ],
      volumes: [{ name: 'tls', secret: { secretName: 'demo-tls' } }],
    });
    const problems = unresolvedSecretReferences([consumer]).map((p) => `${p.reference.pointer}: ${p.problem.split(';')[0]}`);
    expect(problems).toEqual([
      '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef: Secret demo/db is read but nothing creates it',
      '/spec/template/spec/containers/0/envFrom/0/secretRef: Secret demo/api is read but nothing creates it',
      '/spec/template/spec/volumes/0/secret: Secret demo/demo-tls is read but nothing creates it',
    ]);
    const producers = [
      externalSecret('demo', 'db', ['password']),
      externalSecret('demo', 'api', ['token']),
      manifest({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'demo' }, spec: { secretName: 'demo-tls' } }),
    ];
    expect(unresolvedSecretReferences([consumer, ...producers])).toEqual([]);
  });

  it("takes an ExternalSecret's own name for its Secret when target.name is unset or empty, as External Secrets does", () => {
    const consumer = deployment('demo', { containers: [{ name: 'app', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] });
    const named = (target: object) =>
      manifest({ apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: 'demo' }, spec: { target, data: [{ secretKey: 'password', remoteRef: { key: 'p' } }] } });
    expect(unresolvedSecretReferences([consumer, named({ name: '' })])).toEqual([]);
    expect(unresolvedSecretReferences([consumer, named({})])).toEqual([]);
    expect(unresolvedSecretReferences([consumer, named({ name: 'other' })])).toHaveLength(1);
  });

  it('reports a key the ExternalSecret does not deliver, and a Secret produced in another namespace', () => {
    const consumer = deployment('demo', { containers: [{ name: 'app', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] });
    expect(unresolvedSecretReferences([consumer, externalSecret('demo', 'db', ['user'])]).map((p) => p.problem)).toEqual(['Secret demo/db has no key "password" (ExternalSecret demo/db: user)']);
    expect(unresolvedSecretReferences([consumer, externalSecret('other', 'db', ['password'])])).toHaveLength(1);
  });

  it('reports a key an ExternalSecret writes that no consumer reads (issue 18: was accepted silently)', () => {
    const consumer = deployment('demo', { containers: [{ name: 'a', env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] }] });
    const found = unreadExternalSecretKeys([consumer, externalSecret('demo', 'creds', ['token', 'tokne'])]);
    expect(found.map((u) => `${u.pointer}: ${u.problem}`)).toEqual([
      '/spec/data/1/secretKey: Secret demo/creds gets key "tokne" but no consumer reads it (read: token by Deployment demo/app); fix the key\'s name to the one the consumer reads, or drop it',
    ]);
    // the same through the gate rule
    const report = runGate([consumer, externalSecret('demo', 'creds', ['token', 'tokne'])], { only: ['secret-references'], rules: [secretReferencesRule([])] });
    expect(report.errors.map((e) => `${e.field}: ${e.message.split(' (')[0]}`)).toEqual(['/spec/data/1/secretKey: Secret demo/creds gets key "tokne" but no consumer reads it']);
  });

  it('does not judge the keys of a Secret read whole, or read by nothing the gate sees', () => {
    const whole = deployment('demo', { containers: [{ name: 'a', envFrom: [{ secretRef: { name: 'creds' } }], env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] }] });
    expect(unreadExternalSecretKeys([whole, externalSecret('demo', 'creds', ['token', 'other'])])).toEqual([]);
    expect(unreadExternalSecretKeys([externalSecret('demo', 'by-label', ['server', 'config'])])).toEqual([]);
  });

  it('reads Helm values of Applications in their destination namespace, and Argo CD $secret:key references', () => {
    const argocd = manifest(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'prod-argo-cd-chart', namespace: 'argocd' },
        spec: {
          destination: { namespace: 'argocd' },
          source: {
            chart: 'argo-cd',
            helm: { valuesObject: { configs: { cm: { 'dex.config': 'clientSecret: $argocd-dex-github:dex.github.clientSecret\nother: $server.secretkey' } } } },
          },
        },
      },
      'prod',
      'root',
    );
    expect(argoCdSecretReferences('a $dex-github:clientSecret b')).toEqual([{ name: 'dex-github', key: 'clientSecret' }]);
    const problems = unresolvedSecretReferences([argocd, externalSecret('argocd', 'argocd-dex-github', ['dex.github.clientSecret'])]).map((p) => p.problem.split(';')[0]);
    expect(problems).toEqual(['Secret argocd/argocd-secret is read but nothing creates it']);

    const grafana = manifest({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'prod-grafana-chart', namespace: 'argocd' },
      spec: { destination: { namespace: 'grafana' }, source: { chart: 'grafana', helm: { valuesObject: { envFromSecret: 'grafana-oauth', admin: { existingSecret: 'grafana-admin' } } } } },
    });
    expect(
      secretReferences([grafana])
        .map((r) => `${r.namespace}/${r.name} ${r.pointer}`)
        .sort(),
    ).toEqual(['grafana/grafana-admin /spec/source/helm/valuesObject/admin/existingSecret', 'grafana/grafana-oauth /spec/source/helm/valuesObject/envFromSecret']);
  });

  it("reads custom resources: ClickHouse's k8s_secret_* settings and operator credentials with their own namespace", () => {
    const chi = manifest({
      apiVersion: 'clickhouse.altinity.com/v1',
      kind: 'ClickHouseInstallation',
      metadata: { name: 't', namespace: 'clickhouse' },
      spec: { configuration: { users: { 'otel/k8s_secret_password': 'clickhouse-users/otel-password' } } },
    });
    const provider = manifest({
      apiVersion: 'gcp.upbound.io/v1beta1',
      kind: 'ProviderConfig',
      metadata: { name: 'default' },
      spec: { credentials: { source: 'Secret', secretRef: { namespace: 'crossplane-system', name: 'gcp-credentials', key: 'credentials.json' } } },
    });
    expect(secretReferences([chi, provider]).map((r) => `${r.namespace}/${r.name}:${r.key}`)).toEqual(['clickhouse/clickhouse-users:otel-password', 'crossplane-system/gcp-credentials:credentials.json']);
  });

  it('accepts hand-provided Secrets only when declared', () => {
    const consumer = deployment('vault', { containers: [{ name: 'v' }], volumes: [{ name: 'k', secret: { secretName: 'vault-gcp-kms', items: [{ key: 'credentials.json', path: 'c' }] } }] });
    expect(unresolvedSecretReferences([consumer])).toHaveLength(1);
    expect(unresolvedSecretReferences([consumer], declared)).toEqual([]);
  });
});

describe('the validation gate refuses literal secrets', () => {
  const findings = (object: Record<string, unknown>) =>
    runGate([manifest(object)])
      .errors.filter((e) => e.rule === 'no-literal-secrets')
      .map((e) => `${e.field}: ${e.message}`);

  it('refuses a Secret with data or stringData', () => {
    expect(findings({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'demo' }, data: { a: 'YQ==' } })).toEqual([
      '/data: a Secret with data would put secret material in git; deliver it from Vault with an ExternalSecret',
    ]);
    expect(findings({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'demo' }, stringData: { a: 'b' } })).toHaveLength(1);
  });

  it('refuses a private key anywhere', () => {
    expect(findings({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' }, data: { key: '-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----' } })).toEqual([
      '/data/key: a PEM private key is in the manifest; keys live in Vault or are issued in the cluster',
    ]);
  });

  it('refuses disabled TLS verification toward Vault', () => {
    expect(findings({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' }, data: { cmd: 'vault status -tls-skip-verify=true' } })).toEqual([
      '/data/cmd: TLS verification is disabled; trust the CA bundle instead',
    ]);
  });
});

describe('VaultSecret on the workloads store', () => {
  it('fails when the path is outside what the namespace may read', () => {
    expect(configErrors(() => new VaultSecret(testChart('prod', 'demo'), 'Db', { namespace: 'demo', secretName: 'db', path: 'other/db', keys: { a: 'a' }, store: 'workloads' }))).toEqual([
      'prod › demo/Db: path is "other/db" but on the workloads store a namespace may only read below "demo/external-secrets/" (Vault\'s secret-reader policy is scoped to the caller\'s namespace and service account); store the secret under kv/demo/external-secrets/… and give that path',
    ]);
  });
});
