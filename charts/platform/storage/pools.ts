import { createHash } from 'node:crypto';
import type { Environment } from '../../environments/types.ts';
import { toDnsLabel } from '../../lib/names.ts';

/** Where stable disk names live: device letters (`/dev/sdb`) move when a USB key is plugged or removed. */
export const DISK_BY_ID_PREFIX = '/dev/disk/by-id/';

/** A Mayastor DiskPool: one whole disk of one node. */
export interface StoragePool {
  /** Node name, as in the environment's `cluster.nodes`. */
  readonly node: string;
  /** The disk, by its stable `/dev/disk/by-id/…` path. */
  readonly disk: string;
  /**
   * DiskPool name. Renaming a pool deletes and recreates it, so set this only to resolve a clash of
   * derived names. @default derived from node and disk (see {@link diskPoolName})
   */
  readonly name?: string;
}

/** A pool with its name decided and the field the user wrote it in (for error messages). */
export interface ResolvedPool {
  readonly name: string;
  readonly node: string;
  readonly disk: string;
  /** `cluster.nodes[3].disks[0]` or `pools[2]`: where to fix it. */
  readonly field: string;
  /** The name was derived (not given). */
  readonly derived: boolean;
}

/**
 * The pools of an environment: the explicit list when given, else one per disk of the node
 * inventory (`cluster.nodes[].disks`), in inventory order.
 */
export function resolvePools(environment: Environment, pools?: readonly StoragePool[]): ResolvedPool[] {
  if (pools) {
    return pools.map((pool, index) => ({
      name: pool.name ?? diskPoolName(pool.node, pool.disk),
      node: pool.node,
      disk: pool.disk,
      field: `pools[${index}]`,
      derived: pool.name === undefined,
    }));
  }
  const resolved: ResolvedPool[] = [];
  environment.cluster.nodes.forEach((node, nodeIndex) => {
    (node.disks ?? []).forEach((disk, diskIndex) => {
      resolved.push({
        name: diskPoolName(node.name, disk),
        node: node.name,
        disk,
        field: `cluster.nodes[${nodeIndex}].disks[${diskIndex}]`,
        derived: true,
      });
    });
  });
  return resolved;
}

/** Longest Kubernetes name we derive: a DNS label, so it also fits labels and Mayastor pool ids. */
const MAX_NAME = 63;
const HASH_LENGTH = 6;

/**
 * `<node>-<disk serial>` as a DNS label, e.g. `worker-1` + `ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67`
 * → `worker-1-wd-wcc4n5dahr67`. The serial is what follows the last `_` of the by-id name
 * (udev writes `<bus>-<model>_<serial>`); ids without `_` (`wwn-0x…`, `nvme-eui.…`) are used whole.
 * The name depends only on the node and the disk, never on the other pools, so adding a disk never
 * renames an existing pool. Over 63 characters, the tail is cut and a hash of node and disk keeps
 * it unique. See docs/decisions/0201-diskpool-names.md.
 */
export function diskPoolName(node: string, disk: string): string {
  const id = disk.startsWith(DISK_BY_ID_PREFIX) ? disk.slice(DISK_BY_ID_PREFIX.length) : disk.split('/').pop() || disk;
  const underscore = id.lastIndexOf('_');
  const serial = underscore >= 0 && underscore < id.length - 1 ? id.slice(underscore + 1) : id;
  const full = toDnsLabel(`${node}-${serial}`, Number.MAX_SAFE_INTEGER);
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(`${node}\n${disk}`).digest('hex').slice(0, HASH_LENGTH);
  return `${toDnsLabel(full, MAX_NAME - HASH_LENGTH - 1)}-${hash}`;
}
