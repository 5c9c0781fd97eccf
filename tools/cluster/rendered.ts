/**
 * Rendered chart objects as one input of the cluster test: the render workstream's `tools/render/`
 * (renderDist: from its cache in .cache/rendered when current, else helm renders them now, as
 * `npm run render` does). A chart Application then applies what Argo CD would: every rendered
 * object, in order; admission webhook configurations last (docs/decisions/0813-webhooks-last.md).
 */
import { type DistTree, withTreeOnDisk } from '../dist-tree.ts';
import { renderDist } from '../render/index.ts';
import type { PlannedObject } from './plan.ts';

export interface RenderedInput {
  readonly lookup: (environment: string, application: string) => PlannedObject[] | undefined;
  /** Every rendered object of an environment. */
  readonly all: (environment: string) => PlannedObject[];
  readonly notices: readonly string[];
}

export interface RenderedOptions {
  /** Render cache (default tools/render's `.cache/rendered`). */
  readonly cacheDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** The rendered objects of every chart Application of a dist folder. Throws what renderDist throws (no helm, no chart). */
export async function renderedObjects(dir: string, options: RenderedOptions = {}): Promise<RenderedInput> {
  const result = await renderDist(dir, { ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(options.env ? { env: options.env } : {}), ...(options.log ? { log: options.log } : {}) });
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

/** The rendered objects of an in-memory tree (the published one of the upgrade), through a folder written for renderDist. */
export async function renderedObjectsOfTree(tree: DistTree, options: RenderedOptions = {}): Promise<RenderedInput> {
  return withTreeOnDisk(tree, 'cluster-test-published-', (dir) => renderedObjects(dir, options));
}
