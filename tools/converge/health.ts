import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { groupOf } from '../../charts/lib/kinds.ts';
import { runHealthScript } from './lua.ts';

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface Health {
  readonly status: HealthStatus;
  readonly message: string;
  /** Which check decided: `argocd-cm`, `lua:<group>/<Kind>`, `gitops-engine:<file>`. */
  readonly by: string;
}

/** sha256 of each built-in script we run, from Argo CD v2.14.21: a changed copy is refused. */
export const HEALTH_LOCK_FILE = join(REPO_ROOT, 'tools', 'converge', 'argocd-health.lock.json');

/**
 * Where Argo CD's built-in health scripts are read from: `ARGOCD_HEALTH_DIR`, else
 * `../shared/argocd/resource_customizations` beside the repository (never committed here).
 */
export function healthScriptsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARGOCD_HEALTH_DIR) return resolve(env.ARGOCD_HEALTH_DIR);
  return resolve(REPO_ROOT, '..', 'shared', 'argocd', 'resource_customizations');
}

interface HealthLock {
  readonly argocd: string;
  readonly scripts: Record<string, string>;
}

/**
 * Argo CD's order (util/lua/lua.go, GetHealthScript, v2.14.21): a `resource.customizations.health.
 * <group>_<Kind>` entry of argocd-cm, else the built-in Lua script, else gitops-engine's Go check.
 */
export class HealthChecks {
  private readonly builtIn = new Map<string, string>();
  private readonly cache = new Map<string, Health | undefined>();

  constructor(
    /** `group/Kind` → Lua, from the argocd-cm values we install (read from dist/, as installed). */
    readonly customizations: ReadonlyMap<string, string>,
    dir: string = healthScriptsDir(),
  ) {
    const lock = JSON.parse(readFileSync(HEALTH_LOCK_FILE, 'utf8')) as HealthLock;
    for (const [key, sha] of Object.entries(lock.scripts)) {
      const file = join(dir, key, 'health.lua');
      if (!existsSync(file)) throw new Error(`Argo CD ${lock.argocd} health script ${key} not found in ${dir}: set ARGOCD_HEALTH_DIR or provide ../shared/argocd`);
      const text = readFileSync(file, 'utf8');
      const actual = createHash('sha256').update(text).digest('hex');
      if (actual !== sha) throw new Error(`${file}: sha256 ${actual} is not the one locked in ${HEALTH_LOCK_FILE} (${sha})`);
      this.builtIn.set(key, text);
    }
  }

  /** `undefined`: the kind has no health check, so it does not count in the Application's health. */
  of(object: KubeObject, revision: number): Health | undefined {
    const key = `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}@${revision}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const health = this.compute(object);
    this.cache.set(key, health);
    return health;
  }

  private compute(object: KubeObject): Health | undefined {
    // gitops-engine pkg/health/health.go GetResourceHealth: a deletion timestamp wins.
    if ((object.metadata as { deletionTimestamp?: string }).deletionTimestamp) return { status: 'Progressing', message: 'Pending deletion', by: 'gitops-engine:health.go' };
    const groupKind = `${groupOf(object.apiVersion)}/${object.kind}`;
    const custom = this.customizations.get(groupKind);
    if (custom !== undefined) return lua(custom, object, 'argocd-cm');
    const script = this.builtIn.get(groupKind);
    if (script !== undefined) return lua(script, object, `lua:${groupKind}`);
    return goHealth(object);
  }
}

function lua(script: string, object: KubeObject, by: string): Health {
  const result = runHealthScript(script, object);
  return { status: (result.status || 'Unknown') as HealthStatus, message: result.message, by };
}

type Status = Record<string, any>;

/**
 * gitops-engine's built-in checks (github.com/argoproj/gitops-engine, commit c08b0a72c1f1, the
 * module Argo CD v2.14.21 vendors), pkg/health/health_<kind>.go, transcribed for the fields our
 * simulated controllers write. Kinds not listed have no health (GetHealthCheckFunc returns nil).
 */
export function goHealth(object: KubeObject): Health | undefined {
  const group = groupOf(object.apiVersion);
  const spec = (object as { spec?: Status }).spec ?? {};
  const status = (object as { status?: Status }).status ?? {};
  const generation = Number((object.metadata as { generation?: number }).generation ?? 0);
  const at = (file: string, s: HealthStatus, message = ''): Health => ({ status: s, message, by: `gitops-engine:pkg/health/${file}` });
  switch (`${group}/${object.kind}`) {
    case 'apps/Deployment': {
      const file = 'health_deployment.go';
      if (spec.paused) return at(file, 'Suspended', 'Deployment is paused');
      if (generation > Number(status.observedGeneration ?? 0)) return at(file, 'Progressing', 'Waiting for rollout to finish: observed deployment generation less than desired generation');
      const progressing = (status.conditions ?? []).find((c: Status) => c.type === 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded') return at(file, 'Degraded', `Deployment "${object.metadata.name}" exceeded its progress deadline`);
      const replicas = spec.replicas ?? 1;
      const updated = status.updatedReplicas ?? 0;
      if (updated < replicas) return at(file, 'Progressing', `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`);
      if ((status.replicas ?? 0) > updated) return at(file, 'Progressing', `Waiting for rollout to finish: ${status.replicas - updated} old replicas are pending termination...`);
      if ((status.availableReplicas ?? 0) < updated) return at(file, 'Progressing', `Waiting for rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`);
      return at(file, 'Healthy');
    }
    case 'apps/StatefulSet': {
      const file = 'health_statefulset.go';
      const observed = Number(status.observedGeneration ?? 0);
      if (observed === 0 || generation > observed) return at(file, 'Progressing', 'Waiting for statefulset spec update to be observed...');
      const replicas = spec.replicas ?? 1;
      const ready = status.readyReplicas ?? 0;
      if (ready < replicas) return at(file, 'Progressing', `Waiting for ${replicas - ready} pods to be ready...`);
      if (status.updateRevision !== status.currentRevision)
        return at(file, 'Progressing', `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}...`);
      return at(file, 'Healthy', `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision}...`);
    }
    case 'apps/DaemonSet': {
      const file = 'health_daemonset.go';
      if (generation > Number(status.observedGeneration ?? 0)) return at(file, 'Progressing', 'Waiting for rollout to finish: observed daemon set generation less than desired generation');
      const desired = status.desiredNumberScheduled ?? 0;
      if ((status.updatedNumberScheduled ?? 0) < desired)
        return at(file, 'Progressing', `Waiting for daemon set "${object.metadata.name}" rollout to finish: ${status.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`);
      if ((status.numberAvailable ?? 0) < desired)
        return at(file, 'Progressing', `Waiting for daemon set "${object.metadata.name}" rollout to finish: ${status.numberAvailable ?? 0} of ${desired} updated pods are available...`);
      return at(file, 'Healthy');
    }
    case 'batch/Job': {
      const file = 'health_job.go';
      const conditions: Status[] = status.conditions ?? [];
      const failed = conditions.find((c) => c.type === 'Failed');
      const complete = failed ?? conditions.find((c) => c.type === 'Complete' || c.type === 'Suspended');
      if (!complete) return at(file, 'Progressing');
      if (failed) return at(file, 'Degraded', failed.message ?? '');
      return at(file, 'Healthy', complete.message ?? '');
    }
    case '/PersistentVolumeClaim': {
      const file = 'health_pvc.go';
      const phase = status.phase;
      return at(file, phase === 'Lost' ? 'Degraded' : phase === 'Pending' ? 'Progressing' : phase === 'Bound' ? 'Healthy' : 'Unknown');
    }
    case '/Service': {
      const file = 'health_service.go';
      if (spec.type === 'LoadBalancer' && !(status.loadBalancer?.ingress?.length > 0)) return at(file, 'Progressing');
      return at(file, 'Healthy');
    }
    case '/Pod': {
      // health_pod.go: Running with every container ready → Healthy; Succeeded → Healthy; Failed → Degraded.
      const file = 'health_pod.go';
      if (status.phase === 'Succeeded') return at(file, 'Healthy', status.message ?? '');
      if (status.phase === 'Failed') return at(file, 'Degraded', status.message ?? '');
      const ready = (status.conditions ?? []).some((c: Status) => c.type === 'Ready' && c.status === 'True');
      return at(file, status.phase === 'Running' && ready ? 'Healthy' : 'Progressing', status.message ?? '');
    }
    case 'apiregistration.k8s.io/APIService': {
      const file = 'health_apiservice.go';
      const available = (status.conditions ?? []).find((c: Status) => c.type === 'Available');
      if (available?.status === 'True') return at(file, 'Healthy', available.message ?? '');
      return at(file, 'Progressing', available?.message ?? 'Waiting to be processed');
    }
    default:
      return undefined;
  }
}
