import type { ClusterMember, Environment, SandboxUser } from '../charts/environments/types.ts';

/**
 * The environments with `count` generated sandbox users on every environment that has sandbox
 * users. A host's service settings may hold the hosted environment itself (prod's vcluster settings
 * list `{ environment: sandbox }`), so references to a replaced environment are swapped everywhere
 * in the settings, or the per-user vclusters would not grow.
 */
export function withSandboxUsers(environments: readonly Environment[], count: number, expires: string): Environment[] {
  const users: SandboxUser[] = Array.from({ length: count }, (_, i) => ({ github: `bench-user-${i}`, expires }));
  const replaced = new Map<unknown, Environment>(environments.filter((env) => env.sandboxUsers).map((env) => [env, { ...env, sandboxUsers: users }]));
  const swap = (value: unknown): unknown => {
    if (replaced.has(value)) return replaced.get(value);
    if (Array.isArray(value)) return value.map(swap);
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, swap(item)]));
    }
    return value;
  };
  const members: ClusterMember[] = users.map((user) => ({ github: user.github, omniIdentity: `${user.github}@users.noreply.github.com`, role: 'Reader' as const }));
  return environments.map((env) => {
    if (replaced.has(env)) return replaced.get(env)!;
    const services = swap(env.services) as Environment['services'];
    // A sandbox owner must be a cluster member (the vcluster service checks it): add the generated users.
    const access = services['cluster-access'];
    const withMembers = access ? { ...services, 'cluster-access': { ...access, members: [...access.members, ...members] } } : services;
    return { ...env, services: withMembers, cluster: withRoomFor(env.cluster, count) };
  });
}

/**
 * The bench measures synth, not the cluster: the workers get room for the generated sandboxes
 * (a small sandbox claims 2 cores and 4 GiB), so the capacity check (charts/app/capacity.ts) lets them through.
 */
function withRoomFor(cluster: Environment['cluster'], count: number): Environment['cluster'] {
  const workers = cluster.nodes.filter((node) => node.role === 'worker' && node.capacity).length;
  if (count === 0 || workers === 0) return cluster;
  const nodes = cluster.nodes.map((node) =>
    node.role === 'worker' && node.capacity
      ? {
          ...node,
          capacity: {
            cpu: String(Number(node.capacity.cpu) + Math.ceil((count * 2) / workers)),
            memory: `${Number.parseInt(node.capacity.memory, 10) + Math.ceil((count * 4) / workers)}Gi`,
          },
        }
      : node,
  );
  return { ...cluster, nodes };
}
