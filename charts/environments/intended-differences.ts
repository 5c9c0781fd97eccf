import type { IntendedDifference } from './types.ts';

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
  {
    service: 'root',
    object: 'AppProject/<env>',
    path: 'spec.sourceRepos',
    reason: 'an environment may read only the chart repositories of the services it runs',
  },
  {
    service: 'mesh',
    object: '*/merbridge',
    reason: 'Merbridge is a node DaemonSet: only the host runs it; staging pods are redirected by the host (decisions/0502)',
  },
  {
    service: 'root',
    object: 'Application/<env>-kuma-chart',
    path: 'spec.source.helm.valuesObject.cni',
    reason: 'Kuma CNI runs on the host only; staging relies on it (decisions/0502)',
  },
  {
    service: 'root',
    object: 'Application/<env>-kuma-chart',
    path: 'spec.source.helm.valuesObject.controlPlane.envVars',
    reason: "staging's injector leaves redirection to the host's CNI (decisions/0502)",
  },
  {
    service: 'root',
    object: 'Application/<env>-kuma-chart',
    path: 'spec.source.helm.valuesObject.controlPlane.*',
    reason: 'prod runs two control-plane replicas with a disruption budget; staging one (decisions/0502)',
  },
  {
    service: 'opentelemetry',
    object: 'OpenTelemetryCollector/telemetry',
    path: 'spec.config',
    reason: "prod exports to ClickHouse; staging forwards everything to prod's collector (docs/observability.md)",
  },
  {
    service: 'opentelemetry',
    object: 'OpenTelemetryCollector/telemetry',
    path: 'spec.env',
    reason: "only prod's collector writes to ClickHouse and needs its password",
  },
  {
    service: 'opentelemetry',
    object: 'ExternalSecret/clickhouse-otel',
    reason: "only prod's collector writes to ClickHouse and needs its password",
  },
  {
    service: 'opentelemetry',
    object: 'OpenTelemetryCollector/telemetry',
    path: 'spec.replicas',
    reason: "prod's collector receives every environment's telemetry (replicas: 2 in prod.ts); staging's only forwards",
  },
  {
    service: 'root',
    object: 'AppProject/<env>-*',
    reason: 'each personal sandbox (sandbox-<github>) gets its own AppProject in the sandbox root',
  },
  {
    service: 'gateway',
    object: 'ContourDeployment/contour',
    path: 'spec.envoy',
    reason: "prod's Envoy is a DaemonSet on the edge node with node ports 80/443; a vcluster's is a ClusterIP Deployment reached through the host (decisions/0401, 0402)",
  },
  {
    service: 'gateway',
    object: 'Gateway/platform',
    path: 'metadata.annotations',
    reason: 'external-dns runs on the host only and reads its target from the prod Gateway (decisions/0404)',
  },
  {
    service: 'gateway',
    object: 'Gateway/platform',
    path: 'spec.listeners[name=https-*',
    reason: 'one HTTPS listener per route of the environment: the listeners follow the services each environment runs',
  },
];
