/**
 * The order in which Argo CD applies the resources of one sync, as gitops-engine decides it
 * (Argo CD v2.14.21 vendors gitops-engine v0.7.x): phase (PreSync, Sync, PostSync), then sync wave,
 * then kind (the fixed list below; kinds not in it come after all of them), then name.
 * Source: github.com/argoproj/gitops-engine pkg/sync/sync_tasks.go (`kindOrder`, `syncTasks.Less`)
 * and pkg/sync/hook/hook.go (`helm.sh/hook` → Argo CD phases, pkg/sync/hook/helm).
 */
import type { KubeObject } from '../charts/lib/manifest.ts';
import { SYNC_WAVE_ANNOTATION } from '../charts/lib/labels.ts';

const KINDS = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

/** gitops-engine: `kindOrder[kind] = i - len(kinds)`, so listed kinds are negative and any other kind is 0. */
export function kindOrder(kind: string): number {
  const index = KINDS.indexOf(kind);
  return index < 0 ? 0 : index - KINDS.length;
}

export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip';
const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2, Skip: 3 };

/** Helm hooks Argo CD honours (pkg/sync/hook/helm/type.go); `crd-install` is ignored like test hooks. */
const HELM_HOOKS: Record<string, SyncPhase> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

/** The phase of a resource: its `argocd.argoproj.io/hook`, else its Helm hook, else Sync. */
export function phaseOf(object: KubeObject): SyncPhase {
  const annotations = object.metadata.annotations ?? {};
  const argo = annotations['argocd.argoproj.io/hook'];
  if (argo) {
    const first = argo.split(',')[0]!.trim() as SyncPhase;
    return first in PHASE_ORDER ? first : 'Sync';
  }
  const helm = annotations['helm.sh/hook'];
  if (helm) {
    const phases = helm
      .split(',')
      .map((h) => HELM_HOOKS[h.trim()])
      .filter((p): p is SyncPhase => p !== undefined);
    return phases[0] ?? 'Skip';
  }
  return 'Sync';
}

/** The sync wave: `argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight` for Helm hooks, else 0. */
export function waveOf(object: KubeObject): number {
  const annotations = object.metadata.annotations ?? {};
  const wave = annotations[SYNC_WAVE_ANNOTATION] ?? (annotations['helm.sh/hook'] ? annotations['helm.sh/hook-weight'] : undefined);
  return wave !== undefined && /^-?\d+$/.test(wave.trim()) ? Number(wave) : 0;
}

/** `syncTasks.Less`: phase, wave, kind, name. */
export function compareTasks(a: KubeObject, b: KubeObject): number {
  return PHASE_ORDER[phaseOf(a)] - PHASE_ORDER[phaseOf(b)] || waveOf(a) - waveOf(b) || kindOrder(a.kind) - kindOrder(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}
