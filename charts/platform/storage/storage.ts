import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { DiskPool } from '../../../imports/openebs-diskpool-openebs.io.ts';
import { CHARTS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { isDnsLabel } from '../../lib/names.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { skipDryRunOnMissingResource } from '../../lib/sync-wave.ts';
import { DISK_BY_ID_PREFIX, resolvePools, type ResolvedPool, type StoragePool } from './pools.ts';

export type { StoragePool } from './pools.ts';

/** Namespace of OpenEBS: the chart, its DiskPools (the operator watches only its own namespace). */
export const OPENEBS_NAMESPACE = 'openebs';
/** Helm release name; the chart derives object names and the etcd base path from it. */
export const OPENEBS_RELEASE = 'openebs';
/** The replicated StorageClass. */
export const MAYASTOR_CLASS = 'mayastor';
/** The node-local StorageClass, for workloads that replicate themselves (Vault raft). */
export const LOCAL_HOSTPATH_CLASS = 'local-hostpath';

/**
 * The host folder Talos bind-mounts into the kubelet (`machine.kubelet.extraMounts`); every host
 * path the storage hands to the kubelet lives below it (node-requirements.ts, docs/storage.md).
 */
export const VAR_LOCAL = '/var/local';
export const DEFAULT_LOCAL_HOSTPATH_BASE = `${VAR_LOCAL}/local-hostpath`;

/** 2 MiB hugepages each io-engine needs (Mayastor's documented minimum: 2 GiB). */
export const HUGEPAGES_2MI = 1024;
/** Label the io-engine DaemonSet selects: only nodes with pools run the data plane. */
export const ENGINE_LABEL = { key: 'openebs.io/engine', value: 'mayastor' } as const;
/** Highest default replica count: more copies cost write latency for little gain on this cluster. */
export const MAX_DEFAULT_REPLICAS = 3;

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export interface StorageProps {
  /**
   * DiskPools, one whole disk each. Set it only to pool a subset of the inventory or to name a
   * pool explicitly.
   * @default one pool per disk of the environment's node inventory (`cluster.nodes[].disks`)
   */
  readonly pools?: readonly StoragePool[];
  /**
   * Copies of each `mayastor` volume, on distinct nodes; at most the number of nodes with pools.
   * @default the number of distinct nodes with pools, capped at 3
   */
  readonly replicas?: number;
  /** Make `mayastor` the environment's default StorageClass. @default true */
  readonly defaultClass?: boolean;
  readonly localHostpath?: {
    /**
     * Make `local-hostpath` the default StorageClass (then set `defaultClass: false`).
     * @default false
     */
    readonly defaultClass?: boolean;
    /** Host folder of the volumes; must be below /var/local (the kubelet's bind mount on Talos). @default '/var/local/local-hostpath' */
    readonly basePath?: string;
  };
}

/**
 * Only the chart values we set. Every key was checked in openebs 4.1.1 `charts/values.yaml` and the
 * values of its subcharts at the versions it pins: mayastor 2.7.1 (openebs/mayastor-extensions
 * v2.7.1 `chart/values.yaml`) and localpv-provisioner 4.1.1 (openebs/dynamic-localpv-provisioner
 * `deploy/helm/charts/values.yaml`).
 */
export interface OpenEbsValues {
  readonly engines: {
    readonly local: { readonly lvm: { readonly enabled: boolean }; readonly zfs: { readonly enabled: boolean } };
    readonly replicated: { readonly mayastor: { readonly enabled: boolean } };
  };
  readonly 'localpv-provisioner': {
    readonly localpv: { readonly basePath: string };
    readonly hostpathClass: { readonly enabled: boolean };
    readonly analytics: { readonly enabled: boolean };
  };
  readonly mayastor: {
    readonly csi: { readonly node: { readonly initContainers: { readonly enabled: boolean } } };
    readonly io_engine: {
      readonly nodeSelector: Readonly<Record<string, string>>;
      readonly resources: {
        readonly limits: { readonly hugepages2Mi: string };
        readonly requests: { readonly hugepages2Mi: string };
      };
    };
    readonly etcd: {
      readonly replicaCount: number;
      readonly localpvScConfig: { readonly enabled: boolean; readonly basePath: string };
      readonly persistence: { readonly storageClass: string };
    };
    readonly 'loki-stack': { readonly enabled: boolean };
    readonly obs: { readonly callhome: { readonly enabled: boolean } };
    readonly storageClass: { readonly enabled: boolean };
  };
}

/**
 * Replicated block storage with OpenEBS Mayastor, from the environment's node and disk inventory:
 * the pinned OpenEBS chart (Mayastor engine and the hostpath local-PV provisioner only), one
 * DiskPool per disk on its node, and the two StorageClasses of the platform: `mayastor`
 * (replicated, NVMe-oF, the default) and `local-hostpath` (node-local, for self-replicating
 * workloads). What the nodes must provide (hugepages, label, kubelet mount) is data in
 * node-requirements.ts, consumed by the Talos patches.
 */
export class Storage extends Construct {
  readonly pools: readonly ResolvedPool[];
  readonly replicas: number;
  readonly chart: HelmApplication<OpenEbsValues>;

  constructor(scope: PlatformChart, id: string, props: StorageProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const errors = ConfigErrors.of(this);

    const pools = resolvePools(environment, props.pools);
    if (environment.cluster.kind === 'vcluster' && props.pools === undefined) {
      // A vcluster has no machines: its PersistentVolumes are the host's.
      errors.add({
        field: 'services.storage',
        value: 'enabled',
        problem: `${environment.name} is a vcluster on ${environment.cluster.host}, with no nodes or disks of its own`,
        fix: `remove storage from ${environment.name}'s services and use the host's classes (hostProvided.storageClasses)`,
      });
      errors.throwIfAny();
    }
    checkPools(
      pools,
      environment.name,
      environment.cluster.nodes.map((n) => n.name),
      props.pools !== undefined,
      errors,
    );
    const poolNodes = [...new Set(pools.map((p) => p.node))].sort();
    const replicas = props.replicas ?? Math.min(poolNodes.length, MAX_DEFAULT_REPLICAS);
    if (pools.length > 0) {
      const nodes = `${poolNodes.length} ${poolNodes.length === 1 ? 'node has' : 'nodes have'} pools (${poolNodes.join(', ')})`;
      if (
        errors.check(Number.isInteger(replicas), {
          field: 'replicas',
          value: replicas,
          problem: 'a volume has a whole number of copies',
          fix: `set replicas between 1 and ${poolNodes.length}`,
        })
      ) {
        errors.check(replicas >= 1, {
          field: 'replicas',
          value: replicas,
          problem: 'every volume needs at least 1 copy',
          fix: `set replicas between 1 and ${poolNodes.length}`,
        });
        errors.check(replicas <= poolNodes.length, {
          field: 'replicas',
          value: replicas,
          problem: `only ${nodes}`,
          fix: `set replicas ≤ ${poolNodes.length} or add pools`,
        });
      }
    }

    const mayastorDefault = props.defaultClass ?? true;
    const localDefault = props.localHostpath?.defaultClass ?? false;
    errors.check(!(mayastorDefault && localDefault), {
      field: 'localHostpath.defaultClass',
      value: localDefault,
      problem: `defaultClass already makes ${MAYASTOR_CLASS} the default StorageClass and an environment has exactly one`,
      fix: `set defaultClass: false to make ${LOCAL_HOSTPATH_CLASS} the default, or drop localHostpath.defaultClass`,
    });
    const basePath = props.localHostpath?.basePath ?? DEFAULT_LOCAL_HOSTPATH_BASE;
    errors.check(/^\/var\/local\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(basePath) && !basePath.split('/').includes('..'), {
      field: 'localHostpath.basePath',
      value: basePath,
      problem: `the kubelet on Talos only sees host folders below ${VAR_LOCAL} (its bind mount)`,
      fix: `use a folder below ${VAR_LOCAL}/, e.g. ${DEFAULT_LOCAL_HOSTPATH_BASE}`,
    });
    errors.throwIfAny();
    this.pools = pools;
    this.replicas = replicas;

    this.chart = new HelmApplication<OpenEbsValues>(this, 'Chart', {
      chart: CHARTS.openebs,
      name: OPENEBS_RELEASE,
      namespace: OPENEBS_NAMESPACE,
      // io-engine and csi-node run privileged on the host network with /dev, hugepages and host
      // paths: nothing below `privileged` admits them (docs/decisions/0200-openebs-namespace-privileged.md).
      // Storage stays out of the mesh: it must work before the mesh exists, on the host network.
      createNamespace: { podSecurity: 'privileged', mesh: 'excluded' },
      values: {
        engines: {
          local: { lvm: { enabled: false }, zfs: { enabled: false } },
          replicated: { mayastor: { enabled: true } },
        },
        'localpv-provisioner': {
          // Our `local-hostpath` class replaces the chart's `openebs-hostpath`; a class without its
          // own BasePath (none today) still lands below the kubelet's mount.
          localpv: { basePath },
          hostpathClass: { enabled: false },
          // No usage pings to Google Analytics from the cluster.
          analytics: { enabled: false },
        },
        mayastor: {
          // The nvme-tcp probe calls lsmod, which Talos' view of the host does not answer (OpenEBS Talos guide).
          csi: { node: { initContainers: { enabled: false } } },
          io_engine: {
            nodeSelector: { [ENGINE_LABEL.key]: ENGINE_LABEL.value, 'kubernetes.io/arch': 'amd64' },
            resources: {
              limits: { hugepages2Mi: hugepagesQuantity() },
              requests: { hugepages2Mi: hugepagesQuantity() },
            },
          },
          etcd: {
            // Mayastor's control-plane state; hard anti-affinity puts each member on its own node.
            replicaCount: poolNodes.length >= 3 ? 3 : 1,
            localpvScConfig: { enabled: true, basePath: `${VAR_LOCAL}/${OPENEBS_RELEASE}/localpv-hostpath/etcd` },
            persistence: { storageClass: 'mayastor-etcd-localpv' },
          },
          'loki-stack': { enabled: false },
          obs: { callhome: { enabled: false } },
          // We declare `mayastor` ourselves (its parameters are ours; the chart's template also
          // calls Helm `lookup`, which Argo CD does not run).
          storageClass: { enabled: false },
        },
      },
    });

    for (const pool of pools) {
      const diskPool = new DiskPool(this, `Pool-${pool.name}`, {
        metadata: { name: pool.name, namespace: OPENEBS_NAMESPACE },
        spec: { node: pool.node, disks: [pool.disk] },
      });
      // The DiskPool CRD is registered at runtime by Mayastor's diskpool operator, not applied from
      // the chart: if the operator is still starting when this folder syncs, Argo CD must not fail
      // the whole sync on the dry run (it retries until the CRD exists).
      skipDryRunOnMissingResource(diskPool);
    }

    new k8s.KubeStorageClass(this, 'MayastorClass', {
      metadata: { name: MAYASTOR_CLASS, ...(mayastorDefault ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}) },
      provisioner: 'io.openebs.csi-mayastor',
      parameters: {
        protocol: 'nvmf',
        ioTimeout: '30',
        repl: String(replicas),
        // StatefulSet replicas' volumes are spread over distinct nodes.
        stsAffinityGroup: 'true',
      },
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    });

    new k8s.KubeStorageClass(this, 'LocalHostpathClass', {
      metadata: {
        name: LOCAL_HOSTPATH_CLASS,
        annotations: {
          'openebs.io/cas-type': 'local',
          'cas.openebs.io/config': `- name: StorageType\n  value: hostpath\n- name: BasePath\n  value: ${basePath}\n`,
          ...(localDefault ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : {}),
        },
      },
      provisioner: 'openebs.io/local',
      // The volume is a folder on the node that runs the pod: bind only once the pod is scheduled.
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
    });
  }
}

/** `2048Mi`: the io-engine's hugepage request and limit, from the pages the nodes reserve. */
export function hugepagesQuantity(): string {
  return `${HUGEPAGES_2MI * 2}Mi`;
}

function checkPools(pools: readonly ResolvedPool[], environmentName: string, nodeNames: readonly string[], explicit: boolean, errors: ConfigErrors): void {
  if (pools.length === 0) {
    errors.add({
      field: explicit ? 'pools' : 'cluster.nodes[].disks',
      value: [],
      problem: 'Mayastor needs at least one DiskPool',
      fix: explicit ? 'list at least one pool' : `list the data disks of ${environmentName}'s nodes (by /dev/disk/by-id/ path) in cluster.nodes[].disks`,
    });
    return;
  }
  const known = new Set(nodeNames);
  const diskSeen = new Map<string, string>();
  const nameSeen = new Map<string, ResolvedPool>();
  for (const pool of pools) {
    const diskField = explicit ? `${pool.field}.disk` : pool.field;
    if (explicit) {
      errors.check(known.has(pool.node), {
        field: `${pool.field}.node`,
        value: pool.node,
        problem: `${environmentName} has no such node (nodes: ${nodeNames.join(', ')})`,
        fix: 'add the machine to cluster.nodes or use one of those names',
      });
    }
    const byId = pool.disk.startsWith(DISK_BY_ID_PREFIX) && /^[^/\s]+$/.test(pool.disk.slice(DISK_BY_ID_PREFIX.length));
    errors.check(byId, {
      field: diskField,
      value: pool.disk,
      problem: 'Mayastor pools name disks by stable id (device letters change, e.g. when a USB key is removed)',
      fix: `use the disk's ${DISK_BY_ID_PREFIX}… path`,
    });
    const first = diskSeen.get(pool.disk);
    errors.check(first === undefined, {
      field: diskField,
      value: pool.disk,
      problem: `${first} already pools this disk`,
      fix: 'list each disk once, on the node it is plugged into',
    });
    if (first !== undefined) continue;
    diskSeen.set(pool.disk, diskField);
    if (!pool.derived) {
      errors.check(isDnsLabel(pool.name), {
        field: `${pool.field}.name`,
        value: pool.name,
        problem: 'DiskPool names are DNS labels',
        fix: 'use lower-case letters, digits and dashes (at most 63)',
      });
    }
    const clash = nameSeen.get(pool.name);
    errors.check(clash === undefined, {
      field: diskField,
      value: pool.disk,
      problem: `its pool would be named "${pool.name}" like the pool of ${clash?.field}`,
      fix: 'list the pools in the storage settings (pools) and give one of them a name',
    });
    nameSeen.set(pool.name, pool);
  }
}
