import { CHARTS, MANIFESTS, type ChartPin, type ManifestPin } from '../environments/catalogue.ts';
import type { Environment } from '../environments/types.ts';
import type { EnvironmentFacts, GateFacts, UpstreamSource } from '../lib/validation/facts.ts';

/** Argo CD's CRDs exist before the first sync: Argo CD is installed by hand at bootstrap (docs/bootstrap.md). */
export const BOOTSTRAP_CRD_GROUPS = ['argoproj.io'] as const;

/** Every pinned chart and manifest release, as the gate matches root Applications to them. */
export function upstreamSources(): UpstreamSource[] {
  return [
    ...(Object.entries(CHARTS) as [string, ChartPin][]).map(([name, pin]) => ({
      name: `CHARTS.${name}`,
      repoURL: pin.repoURL,
      chart: pin.chart,
      crdGroups: pin.crdGroups,
      ...(pin.provides ? { provides: pin.provides } : {}),
    })),
    ...(Object.entries(MANIFESTS) as [string, ManifestPin][]).map(([name, pin]) => ({
      name: `MANIFESTS.${name}`,
      repoURL: pin.repoURL,
      path: pin.path,
      crdGroups: pin.crdGroups,
      ...(pin.provides ? { provides: pin.provides } : {}),
    })),
  ];
}

function environmentFacts(environment: Environment): EnvironmentFacts {
  const provided = environment.provided ?? {};
  return {
    namespaces: environment.hostProvided.namespaces,
    storageClasses: environment.hostProvided.storageClasses,
    secrets: provided.secrets ?? [],
    configMaps: provided.configMaps ?? [],
    serviceAccounts: provided.serviceAccounts ?? [],
    services: provided.services ?? [],
  };
}

/** What the gate may assume exists besides the objects: environment data and the catalogue. */
export function gateFacts(environments: readonly Environment[]): GateFacts {
  const platform = environments[0]?.platform;
  return {
    environments: Object.fromEntries(environments.map((environment) => [environment.name, environmentFacts(environment)])),
    upstream: upstreamSources(),
    argocdNamespace: platform?.argocdNamespace ?? 'argocd',
    repoURL: platform?.source.repoURL ?? '',
    bootstrapCrdGroups: [...BOOTSTRAP_CRD_GROUPS],
  };
}
