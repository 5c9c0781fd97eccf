import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { synthesize } from '../../charts/app/synth.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { KubeVirt } from '../../charts/platform/kubevirt/kubevirt.ts';
import { TEST_TODAY, build, configErrors, find, manifestsOf, objectsOf, testChart } from '../helpers.ts';

const wave = (o: any) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

function kubevirtChart(props = {}) {
  const chart = testChart('prod', 'kubevirt');
  const construct = new KubeVirt(chart, 'KubeVirt', props);
  return { chart, construct, objects: objectsOf(chart) };
}

describe('KubeVirt', () => {
  it('installs both operators from their pinned releases through generated kustomizations, server-side', () => {
    const { construct, objects } = kubevirtChart();
    const operator = find(objects, 'Application', 'prod-kubevirt-operator-release');
    expect(operator.spec.source).toEqual({ repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', targetRevision: 'dist', path: 'releases/prod-kubevirt-operator' });
    expect(operator.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
    expect(operator.spec.destination.namespace).toBe('kubevirt');
    const cdi = find(objects, 'Application', 'prod-cdi-operator-release');
    expect(cdi.spec.source.path).toBe('releases/prod-cdi-operator');
    expect(cdi.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);

    const [kustomization] = construct.operator.distFiles();
    expect(kustomization!.path).toBe('releases/prod-kubevirt-operator/kustomization.yaml');
    const body = parse(kustomization!.content);
    expect(body.resources).toEqual(['https://github.com/kubevirt/kubevirt/releases/download/v1.3.1/kubevirt-operator.yaml']);
    expect(parse(body.patches[0].patch).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(parse(construct.cdiOperator.distFiles()[0]!.content).resources).toEqual(['https://github.com/kubevirt/containerized-data-importer/releases/download/v1.60.5/cdi-operator.yaml']);
    expect(construct.operator.crdGroups).toEqual(['kubevirt.io']);
    expect(construct.cdiOperator.crdGroups).toEqual(['cdi.kubevirt.io']);
  });

  it('writes the KubeVirt and CDI resources typed, after their operators', () => {
    const { chart, objects } = kubevirtChart();
    const kubevirt = find(objects, 'KubeVirt', 'kubevirt', 'kubevirt');
    expect(kubevirt.apiVersion).toBe('kubevirt.io/v1');
    expect(kubevirt.spec).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
      configuration: { developerConfiguration: { featureGates: [] } },
      workloadUpdateStrategy: { workloadUpdateMethods: ['LiveMigrate'] },
    });
    expect(kubevirt.spec.configuration.developerConfiguration.useEmulation).toBeUndefined();
    const cdi = find(objects, 'CDI', 'cdi');
    expect(cdi.apiVersion).toBe('cdi.kubevirt.io/v1beta1');
    expect(cdi.metadata.namespace).toBeUndefined();
    expect(cdi.spec.config.featureGates).toEqual(['HonorWaitForFirstConsumer']);
    // The folder (wave +5) syncs after both operator Applications (+0, +1) are healthy.
    const apps = objects.filter((o) => o.kind === 'Application');
    expect(Math.max(...apps.map(wave))).toBeLessThan(chart.folderWave);
  });

  it('puts the kustomizations beside the manifests in dist/prod, listed as non-Kubernetes files', () => {
    const result = synthesize({ environments: ENVIRONMENTS, today: TEST_TODAY });
    if (!result.ok) throw new Error(result.problems);
    expect(result.files.get('releases/prod-kubevirt-operator/kustomization.yaml')).toContain('kind: Kustomization');
    expect(result.files.has('releases/prod-cdi-operator/kustomization.yaml')).toBe(true);
    const metadata = JSON.parse(result.files.get('metadata.json')!);
    expect(metadata.extraFiles).toContain('releases/prod-kubevirt-operator/kustomization.yaml');
    // The gate saw only Kubernetes objects.
    expect(result.build.manifests.some((m) => m.object.kind === 'Kustomization')).toBe(false);
    expect(
      manifestsOf(build(), 'prod', 'kubevirt')
        .map((m) => m.file)
        .sort(),
    ).toEqual(['cdi-cdi.yaml', 'kubevirt-kubevirt.yaml']);
  });

  it('sets emulation, feature gates and the scratch class when asked', () => {
    const { objects } = kubevirtChart({ useEmulation: true, featureGates: ['LiveMigration'], scratchSpaceStorageClass: 'mayastor' });
    expect(find(objects, 'KubeVirt', 'kubevirt').spec.configuration.developerConfiguration).toEqual({ featureGates: ['LiveMigration'], useEmulation: true });
    expect(find(objects, 'CDI', 'cdi').spec.config.scratchSpaceStorageClass).toBe('mayastor');
  });

  it('fails when enabled in a virtual cluster', () => {
    expect(configErrors(() => new KubeVirt(testChart('staging', 'kubevirt'), 'KubeVirt'))).toEqual([
      'staging › kubevirt/KubeVirt: cluster.kind is "vcluster" but KubeVirt runs virtual machines on the nodes themselves (/dev/kvm, privileged virt-handler), which a virtual cluster does not own; enable kubevirt on the host environment (prod) instead',
    ]);
  });

  it('fails when a feature gate or the scratch class is malformed', () => {
    expect(configErrors(() => kubevirtChart({ featureGates: ['Live Migration'], cdiFeatureGates: ['honor-wffc'], scratchSpaceStorageClass: 'Fast SSD' }))).toEqual([
      'prod › kubevirt/KubeVirt: featureGates is "Live Migration" but feature gates are single CamelCase words; write the gate as the release notes name it, e.g. "LiveMigration"',
      'prod › kubevirt/KubeVirt: cdiFeatureGates is "honor-wffc" but feature gates are single CamelCase words; write the gate as the release notes name it, e.g. "LiveMigration"',
      'prod › kubevirt/KubeVirt: scratchSpaceStorageClass is "Fast SSD" but it is not a StorageClass name; name an existing StorageClass, e.g. "mayastor", or leave it unset for the default class',
    ]);
  });
});
