import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDistDir } from '../../tools/dist-tree.ts';
import { converge, DECLARATIONS, type ConvergeReport } from '../../tools/converge/index.ts';
import { timelineMarkdown, verdicts } from '../../tools/converge/report.ts';
import { goHealth } from '../../tools/converge/health.ts';
import { syncPlacement } from '../../tools/converge/simulate.ts';
import { isPinnedImage } from '../../tools/converge/kubernetes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = readDistDir(join(ROOT, 'dist'));

describe('converge: the committed tree', () => {
  let report: ConvergeReport;
  // About 0.5 s of CPU; the same allowance as a test under a loaded machine.
  beforeAll(() => {
    report = converge(DIST);
  }, 30_000);

  it('the root is not refused (B1 fixed: it belongs to the default project)', () => {
    const root = report.result.apps.find((a) => a.name === 'prod-root')!;
    expect(root.refused).toBeUndefined();
  });

  it('every environment converges from empty, with nothing synced but broken', () => {
    expect([...report.result.chains.values()].flat()).toEqual([]);
    expect(report.broken).toEqual([]);
    expect(verdicts(report)).toEqual([
      'prod: converges: 41/41 Applications Synced+Healthy after 21 waves, 9 manual steps',
      'sandbox: converges: 7/7 Applications Synced+Healthy after 6 waves',
      'staging: converges: 12/12 Applications Synced+Healthy after 10 waves',
    ]);
  });

  it('docs/bootstrap-timeline.md is the timeline of the committed tree (npm run converge -- --write-doc)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'bootstrap-timeline.md'), 'utf8')).toBe(timelineMarkdown(report));
  });
});

describe('converge: the models', () => {
  it('maps Helm hooks as gitops-engine does (hook/helm/type.go)', () => {
    const object = (annotations: Record<string, string>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', annotations } });
    expect(syncPlacement(object({ 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': '-5' }))).toEqual({ phase: 0, wave: -5, hook: true });
    expect(syncPlacement(object({ 'helm.sh/hook': 'post-upgrade' }))).toEqual({ phase: 2, wave: 0, hook: true });
    expect(syncPlacement(object({ 'helm.sh/hook': 'test' }))).toBeUndefined();
    expect(syncPlacement(object({ 'argocd.argoproj.io/hook': 'PreSync', 'helm.sh/hook': 'post-install' }))?.phase).toBe(0);
  });

  it('Deployment health follows health_deployment.go', () => {
    const deployment = (status: object) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1 }, spec: { replicas: 2 }, status });
    expect(goHealth(deployment({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }))?.message).toBe('Waiting for rollout to finish: 1 of 2 updated replicas are available...');
    expect(goHealth(deployment({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }))?.status).toBe('Healthy');
    expect(goHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBeUndefined();
  });

  it('an image is pinned by tag or digest, never latest', () => {
    expect(isPinnedImage('ghcr.io/x/y:1.2.3')).toBe(true);
    expect(isPinnedImage('ghcr.io/x/y@sha256:abc')).toBe(true);
    expect(isPinnedImage('ghcr.io/x/y:latest')).toBe(false);
    expect(isPinnedImage('localhost:5000/y')).toBe(false);
  });

  it('docs/bootstrap.md lists exactly the runbook steps of the model, in the same order', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'bootstrap.md'), 'utf8');
    const headings = [...doc.matchAll(/^## (\d+)\. (.+)$/gm)].map((m) => `${m[1]}. ${m[2]}`);
    const steps = DECLARATIONS.flatMap((d) => d.runbook ?? [])
      .sort((a, b) => a.section - b.section)
      .map((s) => `${s.section}. ${s.title}`);
    // Sections after the last manual step only check the result (§8 staging, §9 done).
    expect(headings.slice(0, steps.length)).toEqual(steps);
  });
});
