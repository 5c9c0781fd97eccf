import { Construct } from 'constructs';
import { MeshTrafficPermission, MeshTrafficPermissionSpecFromDefaultAction, MeshTrafficPermissionSpecFromTargetRefKind, MeshTrafficPermissionSpecTargetRefKind } from '../../imports/kuma-meshtrafficpermission-kuma.io.ts';
import { DEFAULT_MESH } from './mesh-membership.ts';
import { MESH_NAME_LABEL } from './namespace.ts';
import { Wave, setSyncWave } from './sync-wave.ts';

/** Kuma's system namespace: mesh policies live there. */
const KUMA_SYSTEM = 'kuma-system';

export interface MeshServicePermissionProps {
  /** @default 'default' */
  readonly mesh?: string;
  /** The meshed Service: its namespace, name and port (Kuma names it `<name>_<namespace>_svc_<port>`). */
  readonly service: { readonly namespace: string; readonly name: string; readonly port: number };
  /** Namespaces whose meshed workloads may call it (selected by Kuma's `k8s.kuma.io/namespace` tag). */
  readonly fromNamespaces: readonly string[];
}

/** The `kuma.io/service` tag Kuma gives the sidecars behind a Kubernetes Service port. */
export function kumaServiceTag(service: MeshServicePermissionProps['service']): string {
  return `${service.name}_${service.namespace}_svc_${service.port}`;
}

/**
 * Who may call one meshed Service: one MeshTrafficPermission allowing exactly the listed namespaces.
 * The mesh denies everything else (its Mesh-wide Deny is less specific, so this one wins for the
 * Service's inbound traffic; docs/decisions/0503-strict-mtls-with-dated-migrations.md).
 */
export class MeshServicePermission extends Construct {
  constructor(scope: Construct, id: string, props: MeshServicePermissionProps) {
    super(scope, id);
    const mesh = props.mesh ?? DEFAULT_MESH;
    const tag = kumaServiceTag(props.service);
    const permission = new MeshTrafficPermission(this, 'Resource', {
      metadata: { name: `allow-${props.service.namespace}-${props.service.name}`, namespace: KUMA_SYSTEM, labels: { [MESH_NAME_LABEL]: mesh } },
      spec: {
        targetRef: { kind: MeshTrafficPermissionSpecTargetRefKind.MESH_SUBSET, tags: { 'kuma.io/service': tag } },
        from: [...props.fromNamespaces].sort().map((namespace) => ({
          targetRef: { kind: MeshTrafficPermissionSpecFromTargetRefKind.MESH_SUBSET, tags: { 'k8s.kuma.io/namespace': namespace } },
          default: { action: MeshTrafficPermissionSpecFromDefaultAction.ALLOW },
        })),
      },
    });
    setSyncWave(permission, Wave.DEFAULT);
  }
}
