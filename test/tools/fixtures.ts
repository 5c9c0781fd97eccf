import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toYaml } from '../../charts/lib/render.ts';
import type { DistTree } from '../../tools/dist-tree.ts';

/** A small object with the common labels, as synth writes it. */
export function obj(apiVersion: string, kind: string, name: string, extra: Record<string, unknown> = {}, namespace?: string, env = 'prod'): any {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/part-of': 'plateforme-cedille', 'platform.cedille.club/environment': env },
    },
    ...extra,
  };
}

/** A dist tree from `path → object` (YAML-rendered like synth does). */
export function tree(entries: Record<string, unknown>): DistTree {
  return new Map(Object.entries(entries).map(([path, value]) => [path, typeof value === 'string' ? value : toYaml(value)]));
}

export function deployment(name: string, options: { image?: string; selector?: Record<string, string>; replicas?: number } = {}): any {
  const labels = options.selector ?? { app: name };
  return obj(
    'apps/v1',
    'Deployment',
    name,
    {
      spec: {
        replicas: options.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              { name: 'sidecar', image: 'busybox:1.36' },
              { name: 'app', image: options.image ?? 'ghcr.io/clubcedille/app:1.0.0', ports: [{ containerPort: 8080 }] },
            ],
          },
        },
      },
    },
    'apps',
  );
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A temporary git repository with an identity, on branch main. */
export function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tools-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.invalid');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

export function writeFiles(root: string, files: DistTree): void {
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}
