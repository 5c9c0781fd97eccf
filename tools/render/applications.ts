/**
 * The Helm-sourced Argo CD Applications of a dist tree, with everything Argo CD v2.14 feeds
 * `helm template` (argo-cd v2.14.21 reposerver/repository/repository.go `helmTemplate`):
 * release name (default: the Application's name), destination namespace, valuesObject, skipCrds,
 * and the sync wave that decides which CRDs exist when it syncs.
 */
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { SYNC_WAVE_ANNOTATION } from '../../charts/lib/labels.ts';
import { IGNORE_DIFFERENCES_REASON_ANNOTATION } from '../../charts/lib/argocd-application.ts';
import { loadTree } from '../../gate/load.ts';
import type { ChartRef } from './charts.ts';

export interface IgnoreDifference {
  readonly group?: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly jsonPointers?: readonly string[];
  readonly jqPathExpressions?: readonly string[];
}

export { IGNORE_DIFFERENCES_REASON_ANNOTATION };

export interface HelmApplicationSource {
  readonly environment: string;
  /** The Application's name (`prod-grafana-chart`). */
  readonly name: string;
  readonly wave: number;
  readonly chart: ChartRef;
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly skipCrds: boolean;
  readonly ignoreDifferences: readonly IgnoreDifference[];
  readonly ignoreDifferencesReason?: string;
  /** The Application object as read from the tree. */
  readonly manifest: Manifest;
}

export interface DistApplications {
  readonly environments: string[];
  /** Helm Applications, by environment then wave then name. */
  readonly helm: HelmApplicationSource[];
  /** Every manifest of the tree (our own objects), for the gate. */
  readonly manifests: Manifest[];
  readonly problems: string[];
}

function waveOf(object: KubeObject): number {
  const wave = object.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  return wave !== undefined && /^-?\d+$/.test(wave) ? Number(wave) : 0;
}

/** Reads a dist tree and lists its Helm Applications (one source with `chart`). */
export function readDistApplications(dir: string): DistApplications {
  const tree = loadTree(dir, []);
  const helm: HelmApplicationSource[] = [];
  const problems = tree.problems.map((p) => `${p.file}: ${p.message}`);
  for (const manifest of tree.manifests) {
    const object = manifest.object as any;
    if (manifest.folder !== 'root' || object.kind !== 'Application' || !String(object.apiVersion).startsWith('argoproj.io/')) continue;
    const sources: any[] = object.spec?.source ? [object.spec.source] : (object.spec?.sources ?? []);
    const source = sources.find((s) => typeof s?.chart === 'string');
    if (!source) continue;
    if (sources.length > 1) problems.push(`${manifest.source}: Application ${object.metadata.name} has several sources; npm run render handles one Helm source per Application`);
    const helmSpec = source.helm ?? {};
    if (helmSpec.values || helmSpec.valueFiles?.length || helmSpec.parameters?.length) {
      problems.push(`${manifest.source}: Application ${object.metadata.name} sets helm values/valueFiles/parameters; the platform writes valuesObject only`);
    }
    helm.push({
      environment: manifest.environment,
      name: object.metadata.name,
      wave: waveOf(object),
      chart: { repoURL: source.repoURL, chart: source.chart, version: String(source.targetRevision) },
      // Argo CD: releaseName defaults to the Application's name (reposerver helmTemplate: `templateOpts.Name = appName`).
      releaseName: helmSpec.releaseName ?? object.metadata.name,
      namespace: object.spec?.destination?.namespace ?? '',
      values: helmSpec.valuesObject ?? {},
      skipCrds: helmSpec.skipCrds === true,
      ignoreDifferences: object.spec?.ignoreDifferences ?? [],
      ignoreDifferencesReason: object.metadata.annotations?.[IGNORE_DIFFERENCES_REASON_ANNOTATION],
      manifest,
    });
  }
  const order = (a: HelmApplicationSource, b: HelmApplicationSource) => (a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { environments: tree.environments, helm: helm.sort(order), manifests: tree.manifests, problems };
}
