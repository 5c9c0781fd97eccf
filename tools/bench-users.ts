import type { ClusterMember, Environment, SandboxUser } from '../charts/environments/types.ts';

/**
 * The environments with `count` generated sandbox users on every environment that has sandbox
 * users. A host's service settings may hold the hosted environment itself (prod's vcluster settings
 * list `{ environment: sandbox }`), so references to a replaced environment are swapped everywhere
 * in the settings, or the per-user vclusters would not grow.
 */
export function withSandboxUsers(environments: readonly Environment[], count: number): Environment[] {
  const users: SandboxUser[] = Array.from({ length: count }, (_, i) => ({ github: `bench-user-${i}` }));
  const replaced = new Map<unknown, Environment>(environments.filter((env) => env.sandboxUsers).map((env) => [env, { ...env, sandboxUsers: users }]));
  const swap = (value: unknown): unknown => {
    if (replaced.has(value)) return replaced.get(value);
    if (Array.isArray(value)) return value.map(swap);
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, swap(item)]));
    }
    return value;
  };
  return environments.map((env) => {
    if (replaced.has(env)) return replaced.get(env)!;
    const services = swap(env.services) as Environment['services'];
    // A sandbox owner must be a cluster member (the vcluster service checks it): add the generated users.
    const access = services['cluster-access'];
    if (!access) return { ...env, services };
    const members: ClusterMember[] = [...access.members, ...users.map((user) => ({ github: user.github, omniIdentity: `${user.github}@users.noreply.github.com`, role: 'Reader' as const }))];
    return { ...env, services: { ...services, 'cluster-access': { ...access, members } } };
  });
}
