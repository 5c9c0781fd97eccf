/**
 * Tiny dist trees for the cluster test: the objects of a few folders, plus the root each environment
 * needs (its AppProject and one Application per folder, the host's root Application), as synth
 * would write them.
 */
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { NO_FACTS, type GateFacts } from '../../gate/facts.ts';

export const FIXTURE_REPO = 'https://github.com/ClubCedille/Plateforme-Cedille';
export const FIXTURE_FACTS: GateFacts = { ...NO_FACTS, repoURL: FIXTURE_REPO, argocdNamespace: 'argocd', bootstrapCrdGroups: ['argoproj.io'] };

export interface FixtureFolder {
  readonly environment?: string;
  readonly folder: string;
  readonly objects: readonly KubeObject[];
  /** Sync wave of the folder's Application. */
  readonly wave?: number;
  readonly project?: string;
}

function application(name: string, path: string, server: string, wave: number, project: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
    spec: { project, destination: { server }, source: { repoURL: FIXTURE_REPO, path, targetRevision: 'dist' } },
  };
}

export function appProject(name: string, server: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name, namespace: 'argocd' },
    spec: {
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
      destinations: [{ namespace: '*', server }],
      sourceRepos: [FIXTURE_REPO],
      ...spec,
    },
  };
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Manifests of a tree with the host `prod`; other environments are vclusters hosted by it. */
export function fixtureTree(folders: readonly FixtureFolder[], projects: readonly KubeObject[] = []): Manifest[] {
  const manifests: Manifest[] = [];
  const add = (environment: string, folder: string, object: KubeObject) =>
    manifests.push({ environment, folder, file: `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, source: `${environment}/${folder}/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, object });
  const environments = [...new Set(['prod', ...folders.map((f) => f.environment ?? 'prod')])];
  for (const environment of environments) {
    const server = environment === 'prod' ? IN_CLUSTER : `https://${environment}.vcluster-${environment}.svc:443`;
    if (!projects.some((p) => p.metadata.name === environment)) add(environment, 'root', appProject(environment, server));
    if (environment === 'prod') add('prod', 'root', application('prod-root', 'prod/root', IN_CLUSTER, 0, 'prod'));
    else add('prod', 'root', application(`${environment}-root`, `${environment}/root`, IN_CLUSTER, 100, 'prod'));
    for (const folder of folders.filter((f) => (f.environment ?? 'prod') === environment)) {
      add(environment, 'root', application(`${environment}-${folder.folder}`, `${environment}/${folder.folder}`, server, folder.wave ?? 10, folder.project ?? environment));
      for (const object of folder.objects) add(environment, folder.folder, object);
    }
  }
  for (const project of projects) add('prod', 'root', project);
  return manifests;
}
