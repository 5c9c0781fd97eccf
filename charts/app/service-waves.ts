import { SERVICE_WAVE_SPAN } from '../lib/platform-chart.ts';
import { SERVICES, type ServiceName } from '../platform/registry.ts';

type Registry = Record<string, { readonly dependsOn: readonly string[] }>;

/**
 * Depth of each service in the dependency graph of the registry (0: needs nothing). Computed over
 * the whole registry, not per environment, so enabling a service somewhere never renumbers others.
 */
export function serviceLevels(registry: Registry = SERVICES): Map<string, number> {
  const levels = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (name: string): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    const definition = registry[name];
    if (!definition) throw new Error(`registry: "${visiting.at(-1)}" depends on unknown service "${name}"`);
    if (visiting.includes(name)) throw new Error(`registry: dependency cycle ${[...visiting, name].join(' → ')}`);
    visiting.push(name);
    const level = definition.dependsOn.length === 0 ? 0 : 1 + Math.max(...definition.dependsOn.map(visit));
    visiting.pop();
    levels.set(name, level);
    return level;
  };
  for (const name of Object.keys(registry)) visit(name);
  return levels;
}

/** First root wave of each service: its upstream Applications use `wave … wave+4`, its folder `wave+5`. */
export function serviceWaves(registry: Registry = SERVICES): Map<ServiceName, number> {
  const waves = new Map<ServiceName, number>();
  for (const [name, level] of serviceLevels(registry)) waves.set(name as ServiceName, level * SERVICE_WAVE_SPAN);
  return waves;
}
