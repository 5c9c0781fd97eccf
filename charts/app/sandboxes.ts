import { ConfigError } from '../lib/config-errors.ts';
import { isIsoDate } from './validate-environment.ts';
import type { Environment, SandboxUser } from '../environments/types.ts';

export interface ActiveSandboxes {
  readonly environment: Environment;
  readonly warnings: string[];
}

/** Days from `today` to `expires` (both YYYY-MM-DD); negative once past. */
function daysUntil(expires: string, today: string): number {
  return Math.round((Date.parse(`${expires}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** Sandboxes expiring within this many days get a warning at every synth. */
export const EXPIRY_NOTICE_DAYS = 14;

/**
 * Drops the sandboxes whose expiry date is past (warning once each) and warns about those that
 * expire soon. `today` is passed in (PLATFORM_TODAY or the current UTC date) so tests are stable.
 * A host's vcluster settings carry the environments it hosts, sandbox users included: those are
 * dropped there too (silently: the hosted environment warns for its own users), so an expired
 * sandbox loses its vcluster and its registration with its AppProject, in the same synth.
 */
export function dropExpiredSandboxes(environment: Environment, today: string): ActiveSandboxes {
  const own = dropExpiredUsers(environment, today);
  const vcluster = own.environment.services.vcluster;
  if (vcluster === undefined) return own;
  const hosted = vcluster.hosted.map((entry) => {
    const active = dropExpiredUsers(entry.environment, today).environment;
    return active === entry.environment ? entry : { ...entry, environment: active };
  });
  if (hosted.every((entry, index) => entry === vcluster.hosted[index])) return own;
  return {
    environment: { ...own.environment, services: { ...own.environment.services, vcluster: { ...vcluster, hosted } } },
    warnings: own.warnings,
  };
}

function dropExpiredUsers(environment: Environment, today: string): ActiveSandboxes {
  const users = environment.sandboxUsers ?? [];
  const warnings: string[] = [];
  const active: SandboxUser[] = [];
  for (const user of users) {
    if (user.expires === undefined) {
      active.push(user);
      continue;
    }
    const days = daysUntil(user.expires, today);
    if (days < 0) {
      warnings.push(`${environment.name} › environment: sandbox of ${user.github} expired on ${user.expires}; it is no longer synthesized (remove its line from charts/environments/sandbox-users.ts or extend expires)`);
      continue;
    }
    if (days <= EXPIRY_NOTICE_DAYS) {
      warnings.push(`${environment.name} › environment: sandbox of ${user.github} expires on ${user.expires} (in ${days} day${days === 1 ? '' : 's'})`);
    }
    active.push(user);
  }
  if (active.length === users.length) return { environment, warnings };
  return { environment: { ...environment, sandboxUsers: active }, warnings };
}

/** Today's date, YYYY-MM-DD in UTC, unless PLATFORM_TODAY pins it (tests, reproducing an old synth). */
export function today(env: NodeJS.ProcessEnv = process.env): string {
  const pinned = env.PLATFORM_TODAY;
  if (pinned === undefined) return new Date().toISOString().slice(0, 10);
  if (!isIsoDate(pinned)) {
    throw new ConfigError([`all environments › synth: PLATFORM_TODAY is ${JSON.stringify(pinned)} but it is not a date written YYYY-MM-DD; unset it or write e.g. 2026-11-24`]);
  }
  return pinned;
}
