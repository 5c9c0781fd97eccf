import { Construct } from 'constructs';
import { Mesh as MeshResource } from '../../../imports/kuma-mesh-kuma.io.ts';
import {
  MeshTrafficPermission,
  MeshTrafficPermissionSpecFromDefaultAction,
  MeshTrafficPermissionSpecFromTargetRefKind,
  MeshTrafficPermissionSpecTargetRefKind,
} from '../../../imports/kuma-meshtrafficpermission-kuma.io.ts';
import { CHARTS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { DEFAULT_MESH, type MeshListSettings } from '../../lib/mesh-membership.ts';
import { isDnsLabel } from '../../lib/names.ts';
import { MESH_NAME_LABEL } from '../../lib/namespace.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';
import { Merbridge } from './merbridge.ts';

export const KUMA_NAMESPACE = 'kuma-system';
/** Kuma's label marking its system namespace (the chart's pre-install hook would add it; we declare it). */
export const KUMA_SYSTEM_NAMESPACE_LABEL = 'kuma.io/system-namespace';
/** Name of the builtin CA backend of every mesh. */
export const BUILTIN_CA_BACKEND = 'ca-builtin';

/** Inbound mTLS mode of a mesh (Kuma `CertificateAuthorityBackend.mode`). */
export type MtlsMode = 'permissive' | 'strict';
/** The default MeshTrafficPermission of a mesh: who may call whom. */
export type TrafficPermissionDefault = 'allow-within-mesh' | 'deny-by-default';

/** One Kuma mesh: a trust domain with its own builtin CA and its default traffic permission. */
export interface MeshDefinition {
  /** Mesh name; namespaces join it with `meshName` (label `kuma.io/mesh`). */
  readonly name: string;
  /**
   * `permissive`: sidecars always call each other with mTLS, and inbound also accepts plaintext from
   * callers outside the mesh (the Gateway's Envoy, probes of unmeshed tools). `strict`: inbound
   * accepts only mTLS from the mesh. See docs/decisions/0501-mesh-traffic-permissions.md.
   * @default 'permissive'
   */
  readonly mtlsMode?: MtlsMode;
  /**
   * `allow-within-mesh`: any workload with an identity of this mesh may call any other;
   * `deny-by-default`: nothing is allowed until a MeshTrafficPermission of the team allows it.
   * @default 'allow-within-mesh'
   */
  readonly trafficPermission?: TrafficPermissionDefault;
  /** Validity of each sidecar's certificate (rotated before it ends). @default '1d' */
  readonly dataplaneCertificateExpiration?: string;
}

export interface MeshProps extends MeshListSettings {
  /** Control-plane replicas (they share the store; two survive a node drain). @default 1 */
  readonly replicas?: number;
  /** The meshes of the environment. @default one mesh, `default` */
  readonly meshes?: readonly MeshDefinition[];
  /**
   * Run Merbridge (eBPF short-circuit of the sidecar redirection) on every node. It is a privileged
   * host DaemonSet: only a host cluster can run it. @default true on a Talos host, false in a vcluster
   */
  readonly merbridge?: boolean;
}

const MTLS_MODES: readonly MtlsMode[] = ['permissive', 'strict'];
const TRAFFIC_PERMISSIONS: readonly TrafficPermissionDefault[] = ['allow-within-mesh', 'deny-by-default'];
/** Kuma durations as the builtin CA reads them (`1d`, `12h`, `30m`). */
const DURATION = /^\d+(s|m|h|d)$/;

/** Only the chart values we set (each key checked in kumahq/kuma 2.9.19 deployments/charts/kuma/values.yaml). */
export interface KumaValues {
  /** We declare the system-namespace label ourselves (managedNamespaceMetadata) instead of a hook Job. */
  readonly patchSystemNamespace: boolean;
  /** Argo CD applies the chart's crds/ on every sync; the pre-upgrade kubectl Job is redundant. */
  readonly installCrdsOnUpgrade: { readonly enabled: boolean };
  readonly controlPlane: {
    readonly mode: 'zone';
    readonly replicas: number;
    readonly podDisruptionBudget: { readonly enabled: boolean };
    /** The Mesh objects come from git only. */
    readonly defaults: { readonly skipMeshCreation: boolean };
    readonly podSecurityContext: {
      readonly runAsNonRoot: boolean;
      readonly seccompProfile: { readonly type: 'RuntimeDefault' };
    };
    readonly containerSecurityContext: {
      readonly readOnlyRootFilesystem: boolean;
      readonly allowPrivilegeEscalation: boolean;
      readonly capabilities: { readonly drop: readonly string[] };
    };
    /** Merged over the chart's own env (user values win, templates/cp-deployment.yaml `merge`). */
    readonly envVars?: Readonly<Record<string, string>>;
  };
  readonly cni: {
    readonly enabled: boolean;
    readonly chained?: boolean;
    readonly netDir?: string;
    readonly binDir?: string;
    readonly confName?: string;
  };
  /** Kuma's own eBPF mode embeds Merbridge in its CNI; we run Merbridge ourselves, so it stays off. */
  readonly experimental: { readonly ebpf: { readonly enabled: boolean } };
}

/** Kuma-cp setting that makes the injector leave traffic redirection to a CNI plugin. */
export const INJECTOR_CNI_ENV = 'KUMA_RUNTIME_KUBERNETES_INJECTOR_CNI_ENABLED';

/**
 * The service mesh of an environment: Kuma's control plane from its pinned chart, one Mesh per
 * configured mesh with mutual TLS from a builtin CA, its default MeshTrafficPermission, and on a
 * host cluster Merbridge on every node.
 *
 * Traffic redirection into the sidecar: on the Talos host Kuma's CNI plugin, chained onto the host's
 * CNI, sets it up when a pod is created, so meshed pods need no NET_ADMIN init container. In a
 * vcluster the pods run on the host's nodes, so the host's Kuma CNI sets it up; the vcluster's
 * injector is only told to rely on a CNI. See docs/mesh.md.
 */
export class Mesh extends Construct {
  readonly meshes: readonly MeshDefinition[];

  constructor(scope: PlatformChart, id: string, props: MeshProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const isHost = environment.cluster.kind === 'talos';
    const replicas = props.replicas ?? 1;
    const meshes = props.meshes ?? [{ name: DEFAULT_MESH }];
    const merbridge = props.merbridge ?? isHost;
    const cni = environment.cluster.cni;

    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 3, 'the Kuma control plane runs 1 to 3 replicas');
    errors.check(meshes.length > 0, {
      field: 'meshes',
      value: [],
      problem: 'an environment running the mesh service needs at least one mesh',
      fix: `declare [{ name: '${DEFAULT_MESH}' }] or remove the mesh service`,
    });
    const seen = new Set<string>();
    meshes.forEach((mesh, index) => {
      const field = `meshes[${index}]`;
      errors.check(isDnsLabel(mesh.name), {
        field: `${field}.name`,
        value: mesh.name,
        problem: 'mesh names are DNS labels',
        fix: 'use lower-case letters, digits and dashes',
      });
      errors.check(!seen.has(mesh.name), {
        field: `${field}.name`,
        value: mesh.name,
        problem: 'another mesh has the same name',
        fix: 'declare each mesh once',
      });
      seen.add(mesh.name);
      if (mesh.mtlsMode !== undefined) {
        errors.check(MTLS_MODES.includes(mesh.mtlsMode), {
          field: `${field}.mtlsMode`,
          value: mesh.mtlsMode,
          problem: `the modes are ${MTLS_MODES.join(', ')}`,
          fix: 'pick one of them',
        });
      }
      if (mesh.trafficPermission !== undefined) {
        errors.check(TRAFFIC_PERMISSIONS.includes(mesh.trafficPermission), {
          field: `${field}.trafficPermission`,
          value: mesh.trafficPermission,
          problem: `the defaults are ${TRAFFIC_PERMISSIONS.join(', ')}`,
          fix: 'pick one of them',
        });
      }
      if (mesh.dataplaneCertificateExpiration !== undefined) {
        errors.check(DURATION.test(mesh.dataplaneCertificateExpiration), {
          field: `${field}.dataplaneCertificateExpiration`,
          value: mesh.dataplaneCertificateExpiration,
          problem: 'it is not a duration Kuma reads (a number and s, m, h or d)',
          fix: 'write e.g. "1d" or "12h"',
        });
      }
    });
    if (isHost) {
      errors.check(cni !== undefined, {
        field: 'cluster.cni',
        value: cni,
        problem: `Kuma's CNI plugin is chained onto the host's CNI and needs its directories and configuration name`,
        fix: `describe the nodes' CNI in cluster.cni of ${environment.name} (Talos default: flannel, /etc/cni/net.d, /opt/cni/bin, 10-flannel.conflist)`,
      });
    } else {
      errors.check(!merbridge, {
        field: 'merbridge',
        value: merbridge,
        problem: `Merbridge is a privileged DaemonSet on the host's nodes and ${environment.name} is a ${environment.cluster.kind}; the host's Merbridge already serves its pods`,
        fix: 'remove merbridge here and run it on the host',
      });
    }
    errors.throwIfAny();
    this.meshes = meshes;

    const values: KumaValues = {
      patchSystemNamespace: false,
      installCrdsOnUpgrade: { enabled: false },
      controlPlane: {
        mode: 'zone',
        replicas,
        podDisruptionBudget: { enabled: replicas > 1 },
        defaults: { skipMeshCreation: true },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        // In a vcluster the host's Kuma CNI redirects the (synced) pods' traffic: the injector must
        // not add the NET_ADMIN init container, only the validation one.
        ...(isHost ? {} : { envVars: { [INJECTOR_CNI_ENV]: 'true' } }),
      },
      cni: isHost && cni ? { enabled: true, chained: true, netDir: cni.confDir, binDir: cni.binDir, confName: cni.confName } : { enabled: false },
      experimental: { ebpf: { enabled: false } },
    };
    new HelmApplication<KumaValues>(this, 'Chart', {
      chart: CHARTS.kuma,
      namespace: KUMA_NAMESPACE,
      // The control plane itself is not meshed; restricted holds with the security contexts above.
      createNamespace: { podSecurity: 'restricted', mesh: 'excluded', labels: { [KUMA_SYSTEM_NAMESPACE_LABEL]: 'true' } },
      values,
    });

    // The folder syncs after the chart's Application is healthy, so Kuma's CRDs and its validating
    // webhook exist; policies come after the Mesh they belong to.
    for (const mesh of meshes) {
      const resource = new MeshResource(this, `Mesh-${mesh.name}`, {
        metadata: { name: mesh.name },
        spec: {
          mtls: {
            enabledBackend: BUILTIN_CA_BACKEND,
            backends: [
              {
                name: BUILTIN_CA_BACKEND,
                type: 'builtin',
                mode: (mesh.mtlsMode ?? 'permissive').toUpperCase(),
                dpCert: { rotation: { expiration: mesh.dataplaneCertificateExpiration ?? '1d' } },
                conf: { caCert: { RSAbits: 2048, expiration: '10y' } },
              },
            ],
          },
        },
      });
      setSyncWave(resource, Wave.DEFAULT);

      const allow = (mesh.trafficPermission ?? 'allow-within-mesh') === 'allow-within-mesh';
      const permission = new MeshTrafficPermission(this, `TrafficPermission-${mesh.name}`, {
        metadata: {
          name: `${mesh.name}-${allow ? 'allow-within-mesh' : 'deny-by-default'}`,
          namespace: KUMA_NAMESPACE,
          labels: { [MESH_NAME_LABEL]: mesh.name },
        },
        spec: {
          targetRef: { kind: MeshTrafficPermissionSpecTargetRefKind.MESH },
          from: [
            {
              targetRef: { kind: MeshTrafficPermissionSpecFromTargetRefKind.MESH },
              default: { action: allow ? MeshTrafficPermissionSpecFromDefaultAction.ALLOW : MeshTrafficPermissionSpecFromDefaultAction.DENY },
            },
          ],
        },
      });
      setSyncWave(permission, Wave.AFTER_CRDS);
    }

    if (merbridge) new Merbridge(this, 'Merbridge');
  }
}
