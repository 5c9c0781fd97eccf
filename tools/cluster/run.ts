/**
 * One cluster test: real API servers (one per cluster) receive a dist tree the way Argo CD syncs it,
 * then the same tree again (must change nothing), and on a second set of API servers the published
 * tree followed by the new one (the upgrade), whose refusals must match `npm run diff`.
 */
import type { Manifest } from '../../charts/lib/manifest.ts';
import type { DistTree } from '../dist-tree.ts';
import { PlanWalker, isWebhookConfiguration as webhook, type Rejection, type WalkResult } from './apply.ts';
import { startControlPlane, type ClusterSpec, type ControlPlane, type RunningCluster } from './control-plane.ts';
import { buildPlan, type ClusterPlan, type PlanOptions } from './plan.ts';
import { compareUpgrade, manifestsOfTree, type Agreement } from './upgrade.ts';

export interface ClusterTestInput {
  readonly manifests: readonly Manifest[];
  /** The new tree as files (for the upgrade comparison with `npm run diff`). */
  readonly tree: DistTree;
  /** The published tree to upgrade from; none skips the upgrade. */
  readonly published?: { readonly ref: string; readonly tree: DistTree; readonly rendered?: PlanOptions['rendered'] };
  readonly plan: Omit<PlanOptions, 'rendered'> & { readonly rendered?: PlanOptions['rendered'] };
  /** Extra kube-apiserver flags per cluster (the host's from the Talos cluster patch). */
  readonly extraArgs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly binaries: { readonly etcd: string; readonly kubeApiserver: string };
  readonly serviceCidr: string;
  readonly log?: (line: string) => void;
}

export interface ClusterTestReport {
  readonly plan: ClusterPlan;
  readonly fresh: WalkResult & { bootstrap: Rejection[] };
  readonly reapply: WalkResult;
  readonly upgrade?: { readonly ref: string; readonly published: WalkResult; readonly update: WalkResult; readonly prune: Rejection[]; readonly agreement: Agreement };
  readonly timings: Record<string, number>;
  /** CPU seconds of etcd and each kube-apiserver. */
  readonly cpu: Record<string, number>;
}

const UPGRADE = 'upgrade-';

function subset(plane: ControlPlane, names: readonly string[], prefix = ''): Map<string, RunningCluster> {
  return new Map(names.map((n) => [n, plane.clusters.get(`${prefix}${n}`)!]));
}

async function timed<T>(timings: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(performance.now() - started) / 1000;
  }
}

export async function runClusterTest(input: ClusterTestInput): Promise<ClusterTestReport> {
  const log = input.log ?? (() => {});
  const timings: Record<string, number> = {};
  const plan = buildPlan(input.manifests, input.plan);
  // The published tree with its own rendered charts (never the new tree's), so chart objects are upgraded too.
  const { rendered: _new, ...common } = input.plan;
  const publishedPlan = input.published ? buildPlan(manifestsOfTree(input.published.tree), { ...common, ...(input.published.rendered ? { rendered: input.published.rendered } : {}) }) : undefined;
  const clusterNames = [...new Set([...plan.clusters, ...(publishedPlan?.clusters ?? [])])];
  const specs: ClusterSpec[] = [
    ...clusterNames.map((name) => ({ name, extraArgs: input.extraArgs?.[name] })),
    ...(publishedPlan ? clusterNames.map((name) => ({ name: `${UPGRADE}${name}`, extraArgs: input.extraArgs?.[name] })) : []),
  ];
  const plane = await timed(timings, 'start', () => startControlPlane(specs, { etcd: input.binaries.etcd, kubeApiserver: input.binaries.kubeApiserver, serviceCidr: input.serviceCidr, log }));
  try {
    const freshRun = async () => {
      const walker = new PlanWalker(plan, subset(plane, plan.clusters));
      const bootstrap = await walker.bootstrap();
      // Admission webhook configurations last (decision 0813): after every other object of both passes.
      const fresh = await timed(timings, 'apply', () => walker.walk({ mode: 'apply', webhooks: 'hold', log }));
      const reapply = await timed(timings, 're-apply', () => walker.walk({ mode: 're-apply', previous: fresh.versions, webhooks: 'hold' }));
      await timed(timings, 'webhooks', async () => {
        await walker.applyDeferred(fresh, { mode: 'apply' });
        await walker.applyDeferred(reapply, { mode: 're-apply' });
      });
      return { fresh: { ...fresh, bootstrap }, reapply };
    };
    const upgradeRun = async () => {
      if (!publishedPlan || !input.published) return undefined;
      return timed(timings, 'upgrade', async () => {
        const clusters = subset(plane, clusterNames, UPGRADE);
        const before = new PlanWalker(publishedPlan, clusters);
        await before.bootstrap();
        const published = await before.walk({ mode: 'apply', webhooks: 'hold' });
        const after = new PlanWalker(plan, clusters);
        await after.bootstrap();
        const update = await after.walk({ mode: 'apply', webhooks: 'hold' });
        const refusals = update.rejections.filter((r) => published.applied.has(`${r.cluster}|${r.key}`) && r.status === 422);
        // What the new tree no longer has is pruned; webhook configurations are applied last (old, then
        // new: their own update) and pruned after that (decision 0813).
        const gone = (applied: WalkResult['applied']) =>
          [...published.applied].filter(([key]) => !applied.has(key) && !update.rejections.some((r) => `${r.cluster}|${r.key}` === key) && !webhook(published.applied.get(key)!.object));
        const prune = await after.prune(gone(update.applied));
        await before.applyDeferred(published, { mode: 'apply' });
        const webhookRefusalsFrom = update.rejections.length;
        await after.applyDeferred(update, { mode: 'apply' });
        refusals.push(...update.rejections.slice(webhookRefusalsFrom).filter((r) => published.applied.has(`${r.cluster}|${r.key}`) && r.status === 422));
        prune.push(...(await after.prune([...published.applied].filter(([key, entry]) => webhook(entry.object) && !update.applied.has(key)))));
        const agreement = compareUpgrade(input.published!.tree, input.tree, refusals);
        return { ref: input.published!.ref, published, update, prune, agreement };
      });
    };
    const [{ fresh, reapply }, upgrade] = await Promise.all([freshRun(), upgradeRun()]);
    return { plan, fresh, reapply, ...(upgrade ? { upgrade } : {}), timings, cpu: plane.cpuSeconds() };
  } finally {
    await plane.stop();
  }
}

/** Failures of a report, one line each (empty = the test passes). */
export function failures(report: ClusterTestReport): string[] {
  const line = (r: Rejection) => `${r.step} ${r.cluster}: ${r.source} ${r.object} (Application ${r.application}): ${r.message}`;
  const out = [...report.fresh.bootstrap, ...report.fresh.rejections, ...report.reapply.rejections].map(line);
  out.push(...report.fresh.skipped.map((s) => `not synced: ${s}`));
  if (report.upgrade) {
    const { agreement, update } = report.upgrade;
    // Every refusal fails the upgrade (Argo CD's sync would stop there), agreed with diff or not.
    out.push(...update.rejections.map((r) => `upgrade ${line(r)}`));
    out.push(...update.skipped.map((s) => `upgrade not synced: ${s}`));
    out.push(...agreement.onlyApiServer.map((l) => `upgrade: the API server refused an update npm run diff does not flag: ${l}`));
    out.push(...agreement.onlyDiff.map((l) => `upgrade: npm run diff flags a refusal the API server did not make: ${l}`));
    out.push(...report.upgrade.prune.map((r) => `upgrade prune ${line(r)}`));
  }
  return out;
}
