import type { ClusterMember } from './types.ts';

/**
 * Who may reach the Talos/Omni cluster, and with which Omni role. One line per member; synth writes
 * the Omni access policy (dist/omni/access-policy.yaml) and the matching Kubernetes RBAC from it.
 * `omniIdentity` is the address Omni shows for the member after their GitHub login; the two entries
 * below are today's sandbox users with their GitHub no-reply identities (exec confirms real ones).
 */
export const CLUSTER_MEMBERS: readonly ClusterMember[] = [
  { github: 'epsot', omniIdentity: 'epsot@users.noreply.github.com', role: 'Reader' },
  { github: 'svc-cedille-user', omniIdentity: 'svc-cedille-user@users.noreply.github.com', role: 'Reader' },
];
