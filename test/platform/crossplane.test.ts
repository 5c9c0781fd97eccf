import { describe, expect, it } from 'vitest';
import { PACKAGES, SCHEMALESS_KINDS } from '../../charts/environments/catalogue.ts';
import { PLATFORM } from '../../charts/environments/platform.ts';
import type { Manifest } from '../../charts/lib/manifest.ts';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { GATE_WAIVERS } from '../../charts/app/gate-waivers.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { runGate } from '../../gate/gate.ts';
import { packageOrderingRule } from '../../gate/package-ordering.ts';
import { Crossplane } from '../../charts/platform/crossplane/crossplane.ts';
import { build, configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

const wave = (o: any) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
const syncOptions = (o: any) => String(o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',');

function crossplaneObjects(props = {}) {
  const chart = testChart('prod', 'crossplane');
  new Crossplane(chart, 'Crossplane', props);
  return objectsOf(chart);
}

describe('Crossplane', () => {
  it('installs the pinned chart in a baseline namespace outside the mesh', () => {
    const app = find(crossplaneObjects(), 'Application', 'prod-crossplane-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://charts.crossplane.io/stable', chart: 'crossplane', targetRevision: '1.18.5' });
    expect(app.spec.source.helm.valuesObject).toEqual({ replicas: 1, leaderElection: true, metrics: { enabled: true } });
    expect(app.spec.destination.namespace).toBe('crossplane-system');
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'kuma.io/sidecar-injection': 'disabled',
    });
  });

  it('installs the GCP DNS, GCP storage and Kubernetes providers at their pinned packages', () => {
    const objects = crossplaneObjects();
    const providers = objects.filter((o) => o.kind === 'Provider') as any[];
    expect(providers.map((p) => [p.metadata.name, p.spec.package]).sort()).toEqual([
      ['provider-family-gcp', 'xpkg.upbound.io/upbound/provider-family-gcp:v1.11.2'],
      ['provider-gcp-dns', 'xpkg.upbound.io/upbound/provider-gcp-dns:v1.11.2'],
      ['provider-gcp-storage', 'xpkg.upbound.io/upbound/provider-gcp-storage:v1.11.2'],
      ['provider-kubernetes', 'xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.15.3'],
    ]);
    // The family is installed explicitly at its pin; its members never resolve it themselves.
    expect(find(objects, 'Provider', 'provider-gcp-dns').spec.skipDependencyResolution).toBe(true);
    expect(find(objects, 'Provider', 'provider-family-gcp').spec.skipDependencyResolution).toBe(false);
    for (const provider of providers) expect(provider.metadata.namespace).toBeUndefined();
  });

  it('runs provider-kubernetes under its own service account, bound to a scoped ClusterRole (not cluster-admin)', () => {
    const objects = crossplaneObjects();
    const runtime = find(objects, 'DeploymentRuntimeConfig', 'provider-kubernetes');
    expect(runtime.spec.serviceAccountTemplate.metadata.name).toBe('provider-kubernetes');
    expect(find(objects, 'Provider', 'provider-kubernetes').spec.runtimeConfigRef).toEqual({
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'DeploymentRuntimeConfig',
      name: 'provider-kubernetes',
    });
    const binding = find(objects, 'ClusterRoleBinding', 'crossplane-provider-kubernetes-scoped');
    expect(binding.roleRef.name).toBe('crossplane-provider-kubernetes-scoped');
    const role = find(objects, 'ClusterRole', 'crossplane-provider-kubernetes-scoped');
    expect(role.rules.flatMap((r: any) => [...r.resources, ...r.verbs, ...r.apiGroups])).not.toContain('*');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'provider-kubernetes', namespace: 'crossplane-system' }]);
    expect(wave(runtime)).toBeLessThan(wave(find(objects, 'Provider', 'provider-kubernetes')));
  });

  it('applies the ProviderConfigs after the Providers, without a dry run', () => {
    const objects = crossplaneObjects();
    const providers = objects.filter((o) => o.kind === 'Provider');
    const configs = objects.filter((o) => o.kind === 'ProviderConfig');
    expect(configs.map((o) => `${o.apiVersion} ${o.metadata.name}`).sort()).toEqual(['gcp.upbound.io/v1beta1 default', 'kubernetes.crossplane.io/v1alpha1 in-cluster']);
    for (const config of configs) {
      expect(wave(config)).toBeGreaterThan(Math.max(...providers.map(wave)));
      expect(syncOptions(config)).toContain('SkipDryRunOnMissingResource=true');
    }
    expect((find(objects, 'ProviderConfig', 'in-cluster') as any).spec.credentials).toEqual({ source: 'InjectedIdentity' });
  });

  it('reads the GCP key from Vault and points the GCP ProviderConfig at it', () => {
    const objects = crossplaneObjects();
    const secret = find(objects, 'ExternalSecret', 'gcp-credentials', 'crossplane-system');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-kv-system' });
    expect(secret.spec.data).toEqual([{ secretKey: 'credentials.json', remoteRef: { key: 'crossplane/gcp', property: 'service-account-key' } }]);
    const gcp = find(objects, 'ProviderConfig', 'default');
    expect(gcp.spec).toEqual({
      projectID: 'fine-harbor-276700',
      credentials: { source: 'Secret', secretRef: { namespace: 'crossplane-system', name: 'gcp-credentials', key: 'credentials.json' } },
    });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('validates the GCP ProviderConfig against its pinned schema (no declared gap), and knows the groups each package installs', () => {
    expect(SCHEMALESS_KINDS.filter((k) => k.apiVersion.includes('upbound.io'))).toEqual([]);
    const gcp = crossplaneObjects().find((o) => o.kind === 'ProviderConfig' && o.apiVersion === 'gcp.upbound.io/v1beta1')!;
    const manifest = { environment: 'prod', folder: 'crossplane', file: 'providerconfig-default.yaml', source: 'test', object: { ...gcp, spec: { ...(gcp as any).spec, projectId: 'typo' } } } as Manifest;
    expect(runGate([manifest], { only: ['schema'] }).errors.map((e) => `${e.field} ${e.message}`)).toEqual(['/spec/projectId unknown field "projectId" (did you mean "projectID"?)']);
    expect(PACKAGES.providerFamilyGcp.crdGroups).toContain('gcp.upbound.io');
    expect(PACKAGES.providerKubernetes.crdGroups).toContain('kubernetes.crossplane.io');
  });

  it('passes the package ordering rule in the real build, with its ProviderConfigs in dist/prod/crossplane', () => {
    const b = realBuild();
    const files = manifestsOf(b, 'prod', 'crossplane').map((m) => m.file);
    expect(files).toContain('providerconfig-default.yaml');
    expect(files).toContain('providerconfig-in-cluster.yaml');
    const report = runGate(b.manifests, { rules: [packageOrderingRule(PACKAGES)], facts: gateFacts(ENVIRONMENTS), waivers: GATE_WAIVERS });
    expect(report.errors).toEqual([]);
  });

  it('fails when replicas, the ClusterRole or the GCP project are impossible', () => {
    expect(configErrors(() => crossplaneObjects({ replicas: 0, kubernetesProviderClusterRole: 'Cluster Admin' }))).toEqual([
      'prod › crossplane/Crossplane: replicas is 0 but Crossplane runs 1 to 3 leader-elected pods; set replicas between 1 and 3',
      'prod › crossplane/Crossplane: kubernetesProviderClusterRole is "Cluster Admin" but it is not a ClusterRole name; name an existing ClusterRole, e.g. "crossplane-provider-kubernetes-scoped"',
    ]);
    const env = withChanges('prod', { platform: { ...PLATFORM, gcp: { ...PLATFORM.gcp, project: '12345' } } });
    expect(configErrors(() => new Crossplane(testChart('prod', 'crossplane', env), 'Crossplane'))).toEqual([
      'prod › crossplane/Crossplane: platform.gcp.project is "12345" but GCP project ids are 6 to 30 lower-case letters, digits and dashes, starting with a letter; set the project id (not its number) in charts/environments/platform.ts',
    ]);
  });

  it('fails when the Vault path of the GCP key is not a KV path', () => {
    expect(configErrors(() => crossplaneObjects({ gcpCredentialsPath: 'kv-system/data/crossplane' }))).toEqual([
      'prod › crossplane/Crossplane/GcpCredentials: path is "kv-system/data/crossplane" but a path inside the KV v2 mount "kv-system" is lower-case segments separated by "/", without the mount or "data/"; write it like "argocd/dex"',
    ]);
  });
});

describe('package ordering rule', () => {
  const rule = packageOrderingRule(PACKAGES);
  const prodCrossplane = () => manifestsOf(build([environment('prod')]), 'prod');
  const edit = (manifests: Manifest[], kind: string, name: string, change: (o: any) => any): Manifest[] =>
    manifests.map((m) => (m.object.kind === kind && m.object.metadata.name === name ? { ...m, object: change(structuredClone(m.object)) } : m));
  const errorsOf = (manifests: Manifest[]) =>
    runGate(manifests, { rules: [rule] })
      .errors.filter((e) => e.rule === 'package-crd-ordering')
      .map((e) => `${e.object}: ${e.message}`);

  it('rejects a ProviderConfig in the same wave as its Provider', () => {
    const manifests = edit(prodCrossplane(), 'ProviderConfig', 'in-cluster', (o) => {
      o.metadata.annotations['argocd.argoproj.io/sync-wave'] = '0';
      return o;
    });
    expect(errorsOf(manifests)).toEqual(['ProviderConfig in-cluster: sync wave 0 is not after wave 0 of Provider provider-kubernetes, which installs its CRD; put it in a later wave']);
  });

  it('rejects a ProviderConfig without SkipDryRunOnMissingResource', () => {
    const manifests = edit(prodCrossplane(), 'ProviderConfig', 'default', (o) => {
      delete o.metadata.annotations['argocd.argoproj.io/sync-options'];
      return o;
    });
    expect(errorsOf(manifests)).toEqual(['ProviderConfig default: its CRD appears only when Provider provider-family-gcp is installed, during the sync; add SkipDryRunOnMissingResource=true']);
  });

  it('rejects an unpinned Provider package, and custom resources nobody installs', () => {
    const manifests = edit(prodCrossplane(), 'Provider', 'provider-kubernetes', (o) => {
      o.spec.package = 'xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.16.0';
      return o;
    });
    expect(errorsOf(manifests)).toEqual([
      'Provider provider-kubernetes: package "xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.16.0" is not a pinned package of the catalogue (PACKAGES); pin it there and use its package:version',
      'ProviderConfig in-cluster: its CRD is installed by the Crossplane package xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.15.3, but no Provider of prod installs it; add the Provider (or fix the group)',
    ]);
  });
});
