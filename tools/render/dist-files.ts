/**
 * Rendered objects as files of a dist tree, for `npm run diff`: `<env>/<application>/<kind>-<name>.yaml`,
 * so a chart bump shows every rendered object added, removed or changed, field by field, with the
 * same flags as our own objects. Secret values are replaced by a short digest: a change still shows,
 * the generated material never reaches a review comment.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { toYaml } from '../../charts/lib/render.ts';
import { type DistTree, withTreeOnDisk } from '../dist-tree.ts';
import type { IgnoreDifference } from './applications.ts';
import { renderDist, type RenderOptions, type RenderResult } from './index.ts';

/** A Secret with each value replaced by `(sha256:<12 hex>)`. */
export function redactSecret(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return object;
  const redact = (values: unknown) =>
    values && typeof values === 'object' ? Object.fromEntries(Object.entries(values).map(([key, value]) => [key, `(sha256:${createHash('sha256').update(String(value)).digest('hex').slice(0, 12)})`])) : values;
  const { data, stringData, ...rest } = object as any;
  return { ...rest, ...(data ? { data: redact(data) } : {}), ...(stringData ? { stringData: redact(stringData) } : {}) } as KubeObject;
}

const unescapePointerToken = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The object with the fields its Application ignores (ignoreDifferences) shown as ignored: Argo CD does not compare them either. */
export function maskIgnored(object: KubeObject, ignore: readonly IgnoreDifference[]): KubeObject {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const entries = ignore.filter((e) => (e.group ?? '') === group && e.kind === object.kind && (!e.name || e.name === object.metadata.name) && (!e.namespace || e.namespace === object.metadata.namespace));
  if (entries.length === 0) return object;
  const copy = structuredClone(object) as any;
  for (const pointer of entries.flatMap((e) => e.jsonPointers ?? [])) {
    const tokens = pointer.split('/').slice(1).map(unescapePointerToken);
    let node = copy;
    for (const token of tokens.slice(0, -1)) node = node?.[token];
    const last = tokens[tokens.length - 1];
    if (node && typeof node === 'object' && last !== undefined && last in node) node[last] = '(ignored by the Application: ignoreDifferences)';
  }
  return copy as KubeObject;
}

/** The tree with the rendered objects added as files. */
export function withRenderedFiles(tree: DistTree, result: RenderResult): DistTree {
  const out: DistTree = new Map(tree);
  for (const app of result.applications) {
    for (const manifest of app.manifests) {
      out.set(`${manifest.environment}/${manifest.folder}/${manifest.file}`, toYaml(redactSecret(maskIgnored(manifest.object, app.source.ignoreDifferences))));
    }
  }
  return out;
}

/** Renders a tree held in memory (e.g. dist/ of a git ref) through a temporary folder. */
export async function renderTree(tree: DistTree, options: RenderOptions = {}): Promise<RenderResult> {
  return withTreeOnDisk(tree, 'render-tree-', (dir) => renderDist(dir, options));
}
