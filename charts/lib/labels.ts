import type { k8s } from 'cdk8s-plus-28';
/** Label keys every synthesized object carries (see docs/architecture.md, "Output contract"). */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const ENVIRONMENT_LABEL = 'platform.cedille.club/environment';
export const SERVICE_LABEL = 'platform.cedille.club/service';

export const PART_OF = 'plateforme-cedille';
export const MANAGED_BY = 'cdk8s';

/** Argo CD annotations and labels we write. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** Pod Security Admission labels; every Namespace carries the three of them. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;
/** @param kubernetesVersion the platform's minor (`1.28`): the policy version the labels pin */
export function podSecurityLabels(level: PodSecurityLevel, kubernetesVersion: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of POD_SECURITY_MODES) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = `v${kubernetesVersion}`;
  }
  return labels;
}

/**
 * A container of the restricted Pod Security level (no escalation, no capabilities, read-only root),
 * for our own typed workloads; the pod adds runAsNonRoot and seccomp RuntimeDefault.
 */
export const RESTRICTED_CONTAINER: Readonly<k8s.SecurityContext> = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
};

/** The pod half of the restricted level: a non-root user and group (the image's own), seccomp RuntimeDefault. */
export function restrictedPod(user: number, group = user): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: group, seccompProfile: { type: 'RuntimeDefault' } };
}
