import type { Environment } from '../environments/types.ts';
import type { Manifest } from '../lib/manifest.ts';
import type { ServiceName } from '../platform/registry.ts';

/** Services that make the nodes enforce NetworkPolicy when their CNI does not. */
export const NETWORK_POLICY_ENFORCERS: readonly ServiceName[] = ['kube-router'];

/**
 * A NetworkPolicy that nothing enforces is isolation on paper only. Every host cluster whose CNI does
 * not enforce policies (Talos's flannel) and that carries NetworkPolicies — its own, or those of the
 * vclusters it hosts, whose pods run on its nodes — must run an enforcing service.
 */
export function networkPolicyEnforcementProblems(environments: readonly Environment[], manifests: readonly Manifest[]): string[] {
  return environments.flatMap((host) => {
    if (host.cluster.kind !== 'talos') return [];
    const cni = host.cluster.cni;
    if (cni?.enforcesNetworkPolicy === true) return [];
    if (NETWORK_POLICY_ENFORCERS.some((service) => host.services[service] !== undefined)) return [];
    const served = new Set<string>([host.name, ...environments.filter((env) => env.cluster.host === host.name).map((env) => env.name)]);
    const policies = manifests.filter((m) => served.has(m.environment) && m.object.kind === 'NetworkPolicy');
    if (policies.length === 0) return [];
    const names = policies.slice(0, 3).map((m) => `${m.environment}:${m.object.metadata.namespace}/${m.object.metadata.name}`);
    return [
      `${host.name} › environment: services lacks '${NETWORK_POLICY_ENFORCERS[0]}' but ${policies.length} NetworkPolicies (${names.join(', ')}${policies.length > 3 ? ', …' : ''}) ` +
        `run on nodes whose CNI (${cni?.plugin ?? 'unknown'}) does not enforce them; enable '${NETWORK_POLICY_ENFORCERS[0]}' in the services of ${host.name} (docs/decisions/0604-networkpolicy-enforcement.md)`,
    ];
  });
}
