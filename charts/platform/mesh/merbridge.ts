import { Construct } from 'constructs';
import { nodeAgentDaemonSet } from '../../lib/node-agent.ts';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES } from '../../environments/catalogue.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

export const MERBRIDGE_NAMESPACE = 'merbridge';
export const MERBRIDGE_NAME = 'merbridge';
/** Where the host's cgroup v2 hierarchy is mounted in the container: Merbridge attaches its programs at its root. */
export const HOST_CGROUP_MOUNT = '/sys/fs/cgroup';

export interface MerbridgeProps {
  /**
   * Namespace of the DaemonSet: its own, privileged, so the privilege does not spread to Kuma's
   * namespace (the old setup put it in kuma-system and raced Kuma for it). @default 'merbridge'
   */
  readonly namespace?: string;
}

/**
 * Merbridge in Kuma mode: a DaemonSet on every node that loads eBPF programs at the root of the
 * host's cgroup v2 hierarchy. For pods that carry a `kuma-sidecar` container it rewrites `connect()`
 * towards the sidecar's ports (outbound 15001, inbound 15006, DNS 15053, sidecar uid 5678: Kuma's
 * defaults, compiled into Merbridge's Kuma mode) and pairs local sockets, so same-node mesh traffic
 * skips the iptables path. Kuma's CNI still installs the iptables rules (the fallback).
 *
 * Written from merbridge/merbridge 0.8.1 (deploy/all-in-one-kuma.yaml and the mbctl source), with
 * only what non-CNI mode uses: `--cni-mode=false` never reads /host/proc, /host/var/run or the CNI
 * directories (they serve Merbridge's own CNI server), so they are not mounted.
 */
export class Merbridge extends Construct {
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: MerbridgeProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? MERBRIDGE_NAMESPACE;
    this.namespace = namespace;
    const labels = { 'app.kubernetes.io/name': MERBRIDGE_NAME, 'app.kubernetes.io/component': 'ebpf-redirection' };

    // privileged: it loads eBPF programs and attaches them to the host's root cgroup.
    new PlatformNamespace(this, 'Namespace', { name: namespace, podSecurity: 'privileged', mesh: 'excluded' });

    const account = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: MERBRIDGE_NAME, namespace, labels } });
    // It watches pods cluster-wide to learn which local pods have a kuma-sidecar (upstream ClusterRole).
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: MERBRIDGE_NAME, labels },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: MERBRIDGE_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MERBRIDGE_NAME },
      subjects: [{ kind: 'ServiceAccount', name: MERBRIDGE_NAME, namespace }],
    });
    for (const object of [account, role, binding]) setSyncWave(object, Wave.FOUNDATION);

    const image = IMAGES.merbridge;
    // mbctl takes the node name from its hostname, and acts on the host's network; a node whose meshed
    // pods lost their acceleration falls back to iptables, but a half loaded program set must stay.
    nodeAgentDaemonSet(this, 'DaemonSet', {
      name: MERBRIDGE_NAME,
      namespace,
      labels,
      pod: {
        dnsPolicy: 'ClusterFirstWithHostNet',
        containers: [
          {
            name: MERBRIDGE_NAME,
            image: `${image.repository}:${image.tag}`,
            imagePullPolicy: 'IfNotPresent',
            args: ['/app/mbctl', '--mode=kuma', '--use-reconnect=true', '--cni-mode=false'],
            // Detach the programs before the pod goes, or the node keeps redirecting to nothing.
            lifecycle: { preStop: { exec: { command: ['make', '-k', 'clean'] } } },
            resources: {
              requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('200Mi') },
              limits: { cpu: k8s.Quantity.fromString('300m'), memory: k8s.Quantity.fromString('200Mi') },
            },
            securityContext: { privileged: true },
            volumeMounts: [{ name: 'host-cgroup', mountPath: HOST_CGROUP_MOUNT }],
          },
        ],
        volumes: [{ name: 'host-cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } }],
      },
    });
  }
}
