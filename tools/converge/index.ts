import { parse } from 'yaml';
import type { ControllerDeclaration } from '../../charts/lib/controller-model.ts';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { ARGOCD_CONTROLLER } from '../../charts/platform/argocd/controller.ts';
import { BACKUPS_CONTROLLER } from '../../charts/platform/backups/controller.ts';
import { CERT_MANAGER_CONTROLLER } from '../../charts/platform/cert-manager/controller.ts';
import { CROSSPLANE_CONTROLLER } from '../../charts/platform/crossplane/controller.ts';
import { EXTERNAL_SECRETS_CONTROLLER } from '../../charts/platform/external-secrets/controller.ts';
import { GATEWAY_CONTROLLER } from '../../charts/platform/gateway/controller.ts';
import { GRAFANA_CONTROLLER } from '../../charts/platform/grafana/controller.ts';
import { VAULT_CONTROLLER } from '../../charts/platform/vault/controller.ts';
import { VCLUSTER_CONTROLLER } from '../../charts/platform/vcluster/controller.ts';
import type { DistTree } from '../dist-tree.ts';
import { brokenFindings, type Finding } from './checks.ts';
import { HealthChecks } from './health.ts';
import { Simulation, type ConvergeResult, type RenderedObjects } from './simulate.ts';

/** One declaration per service that has controllers or runbook steps (beside its construct). */
export const DECLARATIONS: readonly ControllerDeclaration[] = [
  ARGOCD_CONTROLLER,
  BACKUPS_CONTROLLER,
  CERT_MANAGER_CONTROLLER,
  CROSSPLANE_CONTROLLER,
  EXTERNAL_SECRETS_CONTROLLER,
  GATEWAY_CONTROLLER,
  GRAFANA_CONTROLLER,
  VAULT_CONTROLLER,
  VCLUSTER_CONTROLLER,
];

const CUSTOMIZATION_PREFIX = 'resource.customizations.health.';

/** Our health customizations exactly as installed: the argocd-cm values of the argo-cd chart's Application in the tree. */
export function healthCustomizations(tree: DistTree): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of tree) {
    if (!path.includes('/root/application-') || !text.includes(CUSTOMIZATION_PREFIX)) continue;
    const cm = parse(text)?.spec?.source?.helm?.valuesObject?.configs?.cm ?? {};
    for (const [key, script] of Object.entries(cm)) {
      if (!key.startsWith(CUSTOMIZATION_PREFIX) || typeof script !== 'string') continue;
      const [group, kind] = key.slice(CUSTOMIZATION_PREFIX.length).split('_');
      out.set(`${group}/${kind}`, script);
    }
  }
  return out;
}

export interface ConvergeReport {
  readonly result: ConvergeResult;
  readonly broken: Finding[];
  readonly environments: string[];
  /** Day 2 (`from` given): what the sync from the old tree to the new one pruned, created, changed, and what the API server refused. */
  readonly day2?: Simulation['day2'];
}

/**
 * Simulates Argo CD syncing `tree` into empty clusters; with `from`, first `from` (e.g. the published
 * `dist` branch) and then, from that state, `tree` (day 2).
 */
export function converge(tree: DistTree, options: { rendered?: RenderedObjects; declarations?: readonly ControllerDeclaration[]; from?: DistTree } = {}): ConvergeReport {
  const facts = gateFacts(ENVIRONMENTS);
  const declarations = options.declarations ?? DECLARATIONS;
  const simulation = new Simulation({
    tree: options.from ?? tree,
    declarations,
    upstream: facts.upstream,
    hostProvided: Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, { namespaces: e.hostProvided.namespaces, storageClasses: e.hostProvided.storageClasses }])),
    repoURL: facts.repoURL,
    rendered: options.rendered,
    health: new HealthChecks(healthCustomizations(tree)),
  });
  let result = simulation.run();
  if (options.from) {
    simulation.upgrade(tree);
    result = simulation.run();
  }
  const environments = [...new Set([...tree.keys()].filter((p) => /^[^/]+\/root\//.test(p)).map((p) => p.split('/')[0]!))];
  return { result, broken: brokenFindings(simulation, declarations), environments, ...(options.from ? { day2: simulation.day2 } : {}) };
}
