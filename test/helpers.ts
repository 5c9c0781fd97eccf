import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'cdk8s';
import { buildPlatform, type PlatformBuild } from '../charts/app/build.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import type { Environment, EnvironmentName } from '../charts/environments/types.ts';
import { ConfigError } from '../charts/lib/config-errors.ts';
import type { KubeObject, Manifest } from '../charts/lib/manifest.ts';
import { PlatformChart } from '../charts/lib/platform-chart.ts';
import { chartObjects } from '../charts/lib/render.ts';

/** A fixed date so sandbox expiry is stable in tests. */
export const TEST_TODAY = '2026-11-24';

export function environment(name: EnvironmentName): Environment {
  const found = ENVIRONMENTS.find((e) => e.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found;
}

/** The real environment with some fields replaced. */
export function withChanges(name: EnvironmentName, changes: Partial<Environment>): Environment {
  return { ...environment(name), ...changes };
}

export function build(environments: readonly Environment[] = ENVIRONMENTS): PlatformBuild {
  return buildPlatform(environments, { today: TEST_TODAY });
}

let shared: PlatformBuild | undefined;

/** The build of the real environments, made once per test process and shared between tests: read it, never change it. */
export function realBuild(): PlatformBuild {
  shared ??= build();
  return shared;
}

/** The messages of the ConfigError `fn` throws (fails when it throws nothing). */
export function configErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.messages];
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** A chart for testing one construct in one environment. */
export function testChart(name: EnvironmentName = 'prod', service = 'test', env?: Environment): PlatformChart {
  return new PlatformChart(new App({ outdir: 'unused' }), `${name}-${service}`, { environment: env ?? environment(name), service, wave: 20 });
}

export function objectsOf(chart: PlatformChart): KubeObject[] {
  return chartObjects(chart).map((o) => o.object);
}

export function find(objects: readonly KubeObject[], kind: string, name: string, namespace?: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function manifestsOf(b: PlatformBuild, environmentName: string, folder?: string): Manifest[] {
  return b.manifests.filter((m) => m.environment === environmentName && (folder === undefined || m.folder === folder));
}

/** Every file under `root`, by relative path, with its text. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}
