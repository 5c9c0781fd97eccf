import type { ControllerDeclaration } from '../../lib/controller-model.ts';

/**
 * The bootstrap of Argo CD as data for `npm run converge`: the runbook steps before Argo CD manages
 * itself (docs/bootstrap.md §0, §1, §3, §4, same titles, same order). §4 applies the root from the
 * tree being simulated, so a root whose project does not exist yet is refused as Argo CD refuses it.
 */
export const ROOT_APPLICATION_FILE = 'prod/root/application-prod-root.yaml';

export const ARGOCD_CONTROLLER: ControllerDeclaration = {
  service: 'argocd',
  runbook: [
    { section: 0, title: 'The dist branch exists', id: 'publish', after: () => [], makes: () => [] },
    { section: 1, title: 'A fresh Talos cluster (Omni)', id: 'talos-cluster', after: () => [], makes: () => [] },
    {
      section: 3,
      title: 'Argo CD, once, by hand',
      id: 'argocd-install',
      after: () => [],
      makes: () => [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
        // `helm install argocd argo-cd`: its CRDs, and the `default` AppProject Argo CD creates at start.
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'applications.argoproj.io' }, spec: { group: 'argoproj.io' } },
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'default', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] } },
      ],
    },
    { section: 4, title: 'The root Application', id: 'root-application', after: () => [], makes: () => [], appliesFromDist: [ROOT_APPLICATION_FILE] },
  ],
};
