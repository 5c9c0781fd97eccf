import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ConfigErrors } from './config-errors.ts';
import { podSecurityLabels, type PodSecurityLevel } from './labels.ts';
import { checkMeshMembership } from './mesh-membership.ts';
import { PlatformChart } from './platform-chart.ts';
import { Wave, setSyncWave } from './sync-wave.ts';

/** Kuma's namespace label: `enabled` injects the sidecar into every pod of the namespace. */
export const MESH_INJECTION_LABEL = 'kuma.io/sidecar-injection';
/** Kuma's namespace (and pod) label naming the mesh the injected pods join. */
export const MESH_NAME_LABEL = 'kuma.io/mesh';

/**
 * Whether the pods of a namespace join the mesh. Every workload namespace says so explicitly, so a
 * namespace that is not meshed is a decision, not an omission.
 */
export type MeshMembership = 'injected' | 'excluded';

/**
 * The namespace labels for a mesh membership. An injected namespace names its mesh only when one is
 * given (Kuma puts pods without the label in the mesh `default`).
 */
export function meshLabels(mesh: MeshMembership | undefined, meshName?: string): Record<string, string> {
  if (mesh === undefined) return {};
  return {
    [MESH_INJECTION_LABEL]: mesh === 'injected' ? 'enabled' : 'disabled',
    ...(mesh === 'injected' && meshName !== undefined ? { [MESH_NAME_LABEL]: meshName } : {}),
  };
}

/**
 * Checks `mesh`/`meshName` against the environment of the chart `scope` is in: injection needs the
 * mesh service, and a named mesh must be one of the environment's meshes. Outside a PlatformChart
 * (no environment to check against) it does nothing.
 */
export function validateMeshMembership(scope: Construct, errors: ConfigErrors, mesh: MeshMembership | undefined, meshName: string | undefined): void {
  const chart: Chart = Chart.of(scope);
  if (chart instanceof PlatformChart) checkMeshMembership(errors, (chart as PlatformChart).environment, mesh, meshName);
}

export interface PlatformNamespaceProps {
  readonly name: string;
  /** Pod Security Admission level, enforced, audited and warned. */
  readonly podSecurity: PodSecurityLevel;
  /** Mesh membership of the namespace's pods. */
  readonly mesh?: MeshMembership;
  /** The mesh an injected namespace joins (label `kuma.io/mesh`). @default Kuma's mesh `default` */
  readonly meshName?: string;
  readonly labels?: Record<string, string>;
}

/** A Namespace of ours, with its Pod Security labels, synced before the rest of its folder. */
export class PlatformNamespace extends Construct {
  readonly name: string;
  readonly resource: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    const errors = ConfigErrors.of(this);
    validateMeshMembership(this, errors, props.mesh, props.meshName);
    errors.throwIfAny();
    this.name = props.name;
    this.resource = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...podSecurityLabels(props.podSecurity, PlatformChart.of(this).environment.platform.kubernetesVersion), ...meshLabels(props.mesh, props.meshName), ...props.labels },
      },
    });
    setSyncWave(this.resource, Wave.FOUNDATION);
  }
}
