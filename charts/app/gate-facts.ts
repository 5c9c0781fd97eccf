import { CHARTS, MANIFESTS, PACKAGES, RELEASE_ASSETS, type ChartPin, type ManifestPin } from '../environments/catalogue.ts';
import type { Environment } from '../environments/types.ts';
import type { EnvironmentFacts, GateFacts, UpstreamSource } from '../../gate/facts.ts';

/** Argo CD's CRDs exist before the first sync: Argo CD is installed by hand at bootstrap (docs/bootstrap.md). */
export const BOOTSTRAP_CRD_GROUPS = ['argoproj.io'] as const;

/** `kubevirtOperator` → `kubevirt-operator` (the release name its service gives RemoteManifestsApplication). */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every pinned chart and manifest release, as the gate matches root Applications to them. */
export function upstreamSources(environments: readonly Environment[] = []): UpstreamSource[] {
  const repoURL = environments[0]?.platform.source.repoURL ?? '';
  return [
    // Release assets are read through a kustomization in our dist branch (releases/<env>-<name>); they
    // create their namespace themselves (docs/decisions/0702-kubevirt-release-assets.md).
    ...environments.flatMap((environment) =>
      Object.entries(RELEASE_ASSETS).map(([name, pin]) => ({
        name: `RELEASE_ASSETS.${name}`,
        repoURL,
        path: `releases/${environment.name}-${kebab(name)}`,
        crdGroups: pin.crdGroups,
        createsNamespace: true,
      })),
    ),
    ...(Object.entries(CHARTS) as [string, ChartPin][]).map(([name, pin]) => ({
      name: `CHARTS.${name}`,
      repoURL: pin.repoURL,
      chart: pin.chart,
      crdGroups: pin.crdGroups,
      ...(pin.crdGroupsAtRuntime ? { crdGroupsAtRuntime: pin.crdGroupsAtRuntime } : {}),
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

/**
 * Secrets a host's External Secrets pushes from Vault into the vclusters it runs (`vcluster` service,
 * `hosted[].secrets`): they exist in the hosted environment although its own dist/ does not make them.
 */
export function hostPushedSecrets(environments: readonly Environment[]): { environment: string; namespace: string; name: string; keys: readonly string[]; host: string }[] {
  return environments.flatMap((host) =>
    (host.services.vcluster?.hosted ?? []).flatMap((hosted) =>
      (hosted.secrets ?? []).map((secret) => ({ environment: hosted.environment.name, namespace: secret.namespace, name: secret.name, keys: secret.keys, host: host.name })),
    ),
  );
}

function environmentFacts(environment: Environment, environments: readonly Environment[]): EnvironmentFacts {
  const provided = environment.provided ?? {};
  return {
    namespaces: environment.hostProvided.namespaces,
    storageClasses: environment.hostProvided.storageClasses,
    secrets: [
      ...(provided.secrets ?? []),
      // Made by hand at bootstrap (runbook), before anything can come from Vault.
      ...(environment.platform.handProvidedSecrets ?? [])
        .filter((secret) => secret.environment === environment.name)
        .map((secret) => ({ namespace: secret.namespace, name: secret.name, reason: `made by hand: ${secret.reason} (${secret.runbook})` })),
      ...hostPushedSecrets(environments)
        .filter((secret) => secret.environment === environment.name)
        .map((secret) => ({ namespace: secret.namespace, name: secret.name, reason: `pushed from Vault by ${secret.host}'s External Secrets (vcluster service, hosted secrets)` })),
    ],
    configMaps: provided.configMaps ?? [],
    serviceAccounts: provided.serviceAccounts ?? [],
    services: provided.services ?? [],
  };
}

/** What the gate may assume exists besides the objects: environment data and the catalogue. */
export function gateFacts(environments: readonly Environment[]): GateFacts {
  const platform = environments[0]?.platform;
  return {
    environments: Object.fromEntries(environments.map((environment) => [environment.name, environmentFacts(environment, environments)])),
    upstream: upstreamSources(environments),
    argocdNamespace: platform?.argocdNamespace ?? 'argocd',
    repoURL: platform?.source.repoURL ?? '',
    bootstrapCrdGroups: [...BOOTSTRAP_CRD_GROUPS],
    packageCrdGroups: Object.values(PACKAGES).flatMap((pin) => pin.crdGroups),
    ...(platform ? { kubernetesVersion: platform.kubernetesVersion } : {}),
  };
}
