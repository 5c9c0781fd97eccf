/**
 * The helm binary `npm run render` runs: `HELM` when set and 3.16.x (the line Argo CD v2.14 ships:
 * argo-cd v2.14.21 hack/tool-versions.sh), else the build of the pinned module tools/go/helm
 * (tools/go-binaries.ts) into .cache/bin on first use. A `helm` on PATH is not taken silently: its
 * patch version would change the output under an unchanged cache key.
 */
import { spawnSync } from 'node:child_process';
import { GO_TOOLS, ensureGoBinary, toolKey } from '../go-binaries.ts';

export const HELM_LINE = /^v3\.16\./;

export class HelmVersionError extends Error {}

/** `v3.16.4` from `helm version --template {{.Version}}`, or undefined when it does not run. */
export function helmVersion(binary: string): string | undefined {
  const result = spawnSync(binary, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Identity of the helm that renders, part of every render's cache key. */
export function helmIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.HELM ? `HELM=${env.HELM}` : `tools/go/helm ${toolKey(GO_TOOLS.helm!)}`;
}

let resolved: string | undefined;

export function ensureHelm(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): string {
  if (resolved) return resolved;
  if (env.HELM) {
    const version = helmVersion(env.HELM);
    if (!version || !HELM_LINE.test(version)) {
      throw new HelmVersionError(`HELM=${env.HELM} is ${version ?? 'not runnable'}; npm run render needs helm 3.16.x (what Argo CD v2.14 runs). Fix: unset HELM to build the pinned one from tools/go/helm`);
    }
    resolved = env.HELM;
    return resolved;
  }
  const { HELM: _ignored, ...rest } = env;
  resolved = ensureGoBinary(GO_TOOLS.helm!, rest, log);
  return resolved;
}
