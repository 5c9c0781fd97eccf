import { ConfigError } from '../lib/config-errors.ts';
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
    if (!definition) {
      throw new ConfigError([`all environments › charts/platform/registry.ts: ${visiting.at(-1)}.dependsOn is ${JSON.stringify(name)} but no service of the registry has that name; fix the name or add the service`]);
    }
    if (visiting.includes(name)) {
      throw new ConfigError([
        `all environments › charts/platform/registry.ts: dependsOn forms a cycle ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')}, so no service of it can sync first; remove one of these dependencies`,
      ]);
    }
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
