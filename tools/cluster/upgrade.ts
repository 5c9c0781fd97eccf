/**
 * The upgrade check: the published tree is applied first, then the new one, on the same API servers.
 * What the API server refuses as an update must be exactly what `npm run diff` flags as rejected
 * (tools/destructive.ts); objects diff says are replaced (renames, moves) are listed beside.
 */
import type { Manifest } from '../../charts/lib/manifest.ts';
import { diffDist } from '../diff.ts';
import { formatIdentity, identityKey, parseDist, type DistTree } from '../dist-tree.ts';
import type { Rejection } from './apply.ts';

/** The manifests of an in-memory dist tree (as gate/load.ts reads a folder). */
export function manifestsOfTree(tree: DistTree): Manifest[] {
  return parseDist(tree).objects.map((o) => ({ environment: o.environment, folder: o.folder, file: o.file, source: `${o.environment}/${o.folder}/${o.file}`, object: o.object }));
}

export interface Agreement {
  /** `env|group|Kind|namespace|name` → message, for both sides. */
  readonly bothReject: string[];
  /** The API server refused the update; diff did not flag it. */
  readonly onlyApiServer: string[];
  /** diff flagged it; the API server accepted the update. */
  readonly onlyDiff: string[];
  /** Objects diff reports as replaced (deleted and created again), for the record. */
  readonly replaced: string[];
}

/** Environment of a rejection: the first folder of its dist source path. */
function environmentOf(rejection: Rejection): string {
  return rejection.source.split('/')[0]!;
}

export function compareUpgrade(before: DistTree, after: DistTree, refusals: readonly Rejection[]): Agreement {
  const report = diffDist(before, after);
  const flagged = new Map<string, string>();
  const replaced: string[] = [];
  for (const change of report.changes) {
    const key = `${change.environment}|${identityKey(change.identity)}`;
    for (const finding of change.findings) {
      if (finding.severity === 'rejected') flagged.set(key, `${change.environment} ${formatIdentity(change.identity)}: ${finding.message}`);
      if (finding.severity === 'replaced' && !finding.echo) replaced.push(`${change.environment} ${formatIdentity(change.identity)}: ${finding.message}`);
    }
  }
  const refused = new Map(refusals.map((r) => [`${environmentOf(r)}|${r.key}`, `${r.source} ${r.object}: ${r.message}`]));
  return {
    bothReject: [...flagged.keys()].filter((k) => refused.has(k)).map((k) => `${refused.get(k)!} (diff: ${flagged.get(k)!})`),
    onlyApiServer: [...refused.keys()].filter((k) => !flagged.has(k)).map((k) => refused.get(k)!),
    onlyDiff: [...flagged.keys()].filter((k) => !refused.has(k)).map((k) => flagged.get(k)!),
    replaced,
  };
}

/**
 * The tree the upgrade starts from when no `dist` branch is published (a fresh clone of main has
 * none, and CI runs on one): dist/ at e813537, the state of main when issue #17's cluster test was
 * started, a commit in main's history. Move it forward (to a commit of main's first-parent history)
 * when the `dist` branch is published for good; the `dist` branch, when present, always wins.
 */
export const PINNED_UPGRADE_BASE = 'e813537691f1d708524099a09c5ab6396e62db28';

/** Refs tried in order for the published tree: `--from`, else the `dist` branch, `origin/dist`, the pinned commit. */
export function upgradeBaseCandidates(from?: string): string[] {
  return from ? [from] : ['dist', 'origin/dist', PINNED_UPGRADE_BASE];
}
