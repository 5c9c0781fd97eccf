import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RELEASE_ASSETS, releaseAssetURL } from '../../charts/environments/catalogue.ts';
import { isDistFileContributor } from '../../charts/lib/dist-file.ts';
import { RemoteManifestsApplication } from '../../charts/lib/remote-manifests.ts';
import { configErrors, find, objectsOf, testChart } from '../helpers.ts';

describe('RemoteManifestsApplication', () => {
  it('reads its generated kustomization from the dist branch at the service wave plus its offset', () => {
    const chart = testChart('prod', 'kubevirt');
    const remote = new RemoteManifestsApplication(chart, 'Remote', {
      name: 'cdi-operator',
      release: RELEASE_ASSETS.cdiOperator,
      namespace: 'cdi',
      podSecurity: 'baseline',
      waveOffset: 2,
    });
    expect(isDistFileContributor(remote)).toBe(true);
    const app = find(objectsOf(chart), 'Application', 'prod-cdi-operator-release');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('22');
    expect(app.spec.source).toEqual({ repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', targetRevision: 'dist', path: 'releases/prod-cdi-operator' });
    const kustomization = parse(remote.distFiles()[0]!.content);
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    expect(kustomization.patches[0].target).toEqual({ version: 'v1', kind: 'Namespace', name: 'cdi' });
    expect(releaseAssetURL(RELEASE_ASSETS.kubevirtOperator, 'kubevirt-operator.yaml')).toBe('https://github.com/kubevirt/kubevirt/releases/download/v1.3.1/kubevirt-operator.yaml');
  });

  it('fails when the name, namespace, offset or assets are unusable', () => {
    expect(
      configErrors(
        () =>
          new RemoteManifestsApplication(testChart('prod', 'kubevirt'), 'Remote', {
            name: 'KubeVirt',
            release: { ...RELEASE_ASSETS.kubevirtOperator, assets: ['../kubevirt-operator.yaml'] },
            namespace: 'kube virt',
            podSecurity: 'privileged',
            waveOffset: 5,
          }),
      ),
    ).toEqual([
      'prod › kubevirt/Remote: name is "KubeVirt" but it names a dist/ folder and an Application, so it must be a DNS label; use lower-case letters, digits and dashes',
      'prod › kubevirt/Remote: namespace is "kube virt" but it is not a DNS label; use lower-case letters, digits and dashes',
      'prod › kubevirt/Remote: waveOffset is 5 but upstream Applications of a service use offsets 0 to 4 (the folder syncs at 5); choose an offset between 0 and 4',
      'prod › kubevirt/Remote: release.assets is ["../kubevirt-operator.yaml"] but a release needs at least one YAML asset, named without a path; list the asset file names of the release in the catalogue',
    ]);
  });
});
