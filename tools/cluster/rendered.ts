/**
 * Rendered chart objects as one input of the cluster test: the render workstream's `tools/render/`
 * (renderDist, cached in .cache/rendered), with CLUSTER_TEST_RENDER=1. Opt-in for now: the rendered
 * charts bring admission webhooks whose pods never run here and ClusterRoles the AppProject model
 * refuses (docs/cluster-test.md, "Rendered charts"). Without it a chart Application applies only
 * the pinned CRDs its catalogue entry declares.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import type { PlannedObject } from './plan.ts';

export interface RenderedInput {
  readonly lookup: (environment: string, application: string) => PlannedObject[] | undefined;
  /** Every rendered object of an environment. */
  readonly all: (environment: string) => PlannedObject[];
  readonly notices: readonly string[];
}

interface RenderModule {
  renderDist(
    dir: string,
    options?: { log?: (line: string) => void },
  ): Promise<{
    applications: readonly { environment: string; application: string }[];
    manifests: readonly { environment: string; application: string; file: string; object: KubeObject }[];
    problems: readonly string[];
  }>;
}

export async function renderedObjects(dir: string, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): Promise<RenderedInput | undefined> {
  const entry = join(REPO_ROOT, 'tools', 'render', 'index.ts');
  if (env.CLUSTER_TEST_RENDER !== '1' || !existsSync(entry)) return undefined;
  const render = (await import(pathToFileURL(entry).href)) as RenderModule;
  const result = await render.renderDist(dir, { log });
  const rendered = new Set(result.applications.map((a) => `${a.environment}|${a.application}`));
  return {
    lookup: (environment, application) =>
      rendered.has(`${environment}|${application}`)
        ? result.manifests.filter((m) => m.environment === environment && m.application === application).map((m) => ({ source: `${application} (rendered): ${m.file}`, object: m.object }))
        : undefined,
    all: (environment) => result.manifests.filter((m) => m.environment === environment).map((m) => ({ source: `${m.application} (rendered): ${m.file}`, object: m.object })),
    notices: result.problems.map((p) => `render: ${p}`),
  };
}
