import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

export interface NodeAgentProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The pod, less what every node agent shares (service account = name, host network, priority, placement). */
  readonly pod: Omit<k8s.PodSpec, 'serviceAccountName' | 'hostNetwork' | 'priorityClassName' | 'nodeSelector' | 'tolerations'>;
}

/**
 * An agent on every node that acts on the host's network (Merbridge's eBPF programs, kube-router's
 * firewall): host network, `system-node-critical` (a half-programmed node must not lose it to a
 * workload), every Linux node including the control planes and the tainted edge node (a pod may land
 * anywhere it tolerates), rolled one node at a time.
 */
export function nodeAgentDaemonSet(scope: Construct, id: string, props: NodeAgentProps): k8s.KubeDaemonSet {
  return new k8s.KubeDaemonSet(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      selector: { matchLabels: props.labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
      template: {
        metadata: { labels: props.labels },
        spec: {
          serviceAccountName: props.name,
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
          ...props.pod,
        },
      },
    },
  });
}
