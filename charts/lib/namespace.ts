import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { podSecurityLabels, type PodSecurityLevel } from './labels.ts';
import { Wave, setSyncWave } from './sync-wave.ts';

/** Kuma's namespace label: `enabled` injects the sidecar into every pod of the namespace. */
export const MESH_INJECTION_LABEL = 'kuma.io/sidecar-injection';

/**
 * Whether the pods of a namespace join the mesh. Every workload namespace says so explicitly, so a
 * namespace that is not meshed is a decision, not an omission.
 */
export type MeshMembership = 'injected' | 'excluded';

export function meshLabels(mesh: MeshMembership | undefined): Record<string, string> {
  if (mesh === undefined) return {};
  return { [MESH_INJECTION_LABEL]: mesh === 'injected' ? 'enabled' : 'disabled' };
}

export interface PlatformNamespaceProps {
  readonly name: string;
  /** Pod Security Admission level, enforced, audited and warned. */
  readonly podSecurity: PodSecurityLevel;
  /** Mesh membership of the namespace's pods. */
  readonly mesh?: MeshMembership;
  readonly labels?: Record<string, string>;
}

/** A Namespace of ours, with its Pod Security labels, synced before the rest of its folder. */
export class PlatformNamespace extends Construct {
  readonly name: string;
  readonly resource: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...podSecurityLabels(props.podSecurity), ...meshLabels(props.mesh), ...props.labels },
      },
    });
    setSyncWave(this.resource, Wave.FOUNDATION);
  }
}
