import { Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
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

/** Who declared each namespace of each environment, with its labels, per synth (one construct tree). */
const ownersByApp = new WeakMap<IConstruct, Map<string, Map<string, { readonly path: string; readonly labels: Readonly<Record<string, string>> }>>>();

/**
 * Records that the construct `scope` creates namespace `name` with `labels` (a Namespace object, or an
 * Application's CreateNamespace with managedNamespaceMetadata). A second owner in the same environment
 * whose labels contradict the first (same key, another value: Pod Security level, mesh injection) is a
 * configuration error naming both constructs: Argo CD would apply each version in turn, and which level
 * or injection the pods get would depend on which sync ran last.
 */
export function claimNamespace(scope: Construct, name: string, labels: Readonly<Record<string, string>>): void {
  const chart: Chart = Chart.of(scope);
  if (!(chart instanceof PlatformChart)) return;
  const environment = (chart as PlatformChart).environmentName;
  const errors = ConfigErrors.of(scope);
  const perApp = ownersByApp.get(scope.node.root) ?? new Map();
  ownersByApp.set(scope.node.root, perApp);
  const owners = perApp.get(environment) ?? new Map();
  perApp.set(environment, owners);
  const first = owners.get(name);
  if (!first) {
    owners.set(name, { path: errors.path, labels });
    return;
  }
  for (const [key, value] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const other = first.labels[key];
    if (other === undefined || other === value) continue;
    errors.add({
      field: `namespace ${name} label ${key}`,
      value,
      problem: `${first.path} also creates namespace ${name}, with ${key}: ${JSON.stringify(other)} (two owners with contradictory labels: each sync would rewrite the other's)`,
      fix: `let one service own namespace ${name} (the other drops its PlatformNamespace or createNamespace), or give both the same labels`,
    });
  }
  errors.throwIfAny();
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
    const labels = { ...podSecurityLabels(props.podSecurity, PlatformChart.of(this).environment.platform.kubernetesVersion), ...meshLabels(props.mesh, props.meshName), ...props.labels };
    claimNamespace(this, props.name, labels);
    this.resource = new k8s.KubeNamespace(this, 'Resource', { metadata: { name: props.name, labels } });
    setSyncWave(this.resource, Wave.FOUNDATION);
  }
}
