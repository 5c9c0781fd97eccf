import type { IntendedDifference } from '../tools/drift.ts';

/**
 * Differences between environments that are there on purpose, each with its reason. `npm run drift`
 * hides them (`--all` shows them) and lists the entries that no longer match anything.
 * Paths and names are as the drift report prints them, after normalisation (`<env>`, `<domain>`,
 * `<destination>`); `*` globs. Add an entry only with a reason a reviewer would accept.
 */
export const INTENDED_DIFFERENCES: readonly IntendedDifference[] = [
  {
    service: 'root',
    object: 'AppProject/<env>',
    path: 'spec.description',
    reason: 'each environment describes its own cluster',
  },
  {
    service: 'root',
    object: 'Application/*-root',
    reason: 'prod is the host: its root manages itself and deploys the roots of the vclusters it hosts',
  },
  {
    service: 'cert-manager',
    object: 'ClusterIssuer/letsencrypt-*',
    reason: 'prod issues trusted certificates (letsencrypt-prod); staging and sandbox use letsencrypt-staging, never the reverse',
  },
  {
    service: 'root',
    object: 'Application/<env>-cert-manager-chart',
    path: 'spec.source.helm.valuesObject.replicaCount',
    reason: 'prod runs cert-manager with 2 replicas (prod.ts); the vclusters run one',
  },
  {
    service: 'root',
    object: 'Application/<env>-cert-manager-chart',
    path: 'spec.source.helm.valuesObject.podDisruptionBudget',
    reason: 'a disruption budget only makes sense with more than one replica (prod)',
  },
];
