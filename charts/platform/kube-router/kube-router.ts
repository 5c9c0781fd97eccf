import { Construct } from 'constructs';
import { nodeAgentDaemonSet } from '../../lib/node-agent.ts';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

export interface KubeRouterProps {
  /** CPU request of each node's agent. @default '100m' */
  readonly cpuRequest?: string;
}

export const KUBE_ROUTER_NAMESPACE = 'kube-router';
export const KUBE_ROUTER_NAME = 'kube-router';
/** kube-router's health endpoint (its `--health-port` default). */
export const KUBE_ROUTER_HEALTH_PORT = 20244;

/**
 * kube-router in firewall-only mode: on every node, an agent that turns the cluster's NetworkPolicies
 * into iptables/ipset rules, beside Talos's flannel (which routes pods but enforces no policy).
 * Routing (`--run-router`) and the service proxy (`--run-service-proxy`) stay off: flannel and
 * kube-proxy keep those jobs, and no CNI configuration is written (Kuma's CNI stays chained onto
 * flannel's). docs/decisions/0604-networkpolicy-enforcement.md.
 *
 * Written from cloudnativelabs/kube-router's daemonset/kube-router-firewall-daemonset.yaml and the
 * RBAC of daemonset/generic-kuberouter-all-features.yaml (plus EndpointSlices, which its v2 informers
 * list), with only what the firewall uses: /lib/modules for ipset/iptables modules and the host's
 * xtables lock shared with kube-proxy and Kuma's CNI.
 */
export class KubeRouter extends Construct {
  constructor(scope: PlatformChart, id: string, props: KubeRouterProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const errors = ConfigErrors.of(this);
    errors.check(environment.cluster.kind === 'talos', {
      field: 'services.kube-router',
      value: environment.cluster.kind,
      problem: `kube-router is a privileged agent on the nodes and ${environment.name} is a ${environment.cluster.kind}; the host's agent already enforces the policies of its pods`,
      fix: 'remove kube-router here and run it on the host',
    });
    const cpu = props.cpuRequest ?? '100m';
    errors.check(/^\d+m$/.test(cpu), { field: 'cpuRequest', value: cpu, problem: 'it is not a CPU quantity in millicores', fix: 'write e.g. "100m"' });
    errors.throwIfAny();

    const namespace = KUBE_ROUTER_NAMESPACE;
    const labels = { 'app.kubernetes.io/name': KUBE_ROUTER_NAME, 'app.kubernetes.io/component': 'network-policy' };
    // privileged: it writes the node's iptables and ipsets from the host network namespace.
    new PlatformNamespace(this, 'Namespace', { name: namespace, podSecurity: 'privileged', mesh: 'excluded' });
    const account = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: KUBE_ROUTER_NAME, namespace, labels } });
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: KUBE_ROUTER_NAME, labels },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: KUBE_ROUTER_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBE_ROUTER_NAME },
      subjects: [{ kind: 'ServiceAccount', name: KUBE_ROUTER_NAME, namespace }],
    });
    for (const object of [account, role, binding]) setSyncWave(object, Wave.FOUNDATION);

    // On every node: a pod anywhere is subject to the policies that select it.
    nodeAgentDaemonSet(this, 'DaemonSet', {
      name: KUBE_ROUTER_NAME,
      namespace,
      labels,
      pod: {
        containers: [
          {
            name: KUBE_ROUTER_NAME,
            image: imageRef(IMAGES.kubeRouter),
            imagePullPolicy: 'IfNotPresent',
            args: [
              '--run-router=false',
              '--run-firewall=true',
              '--run-service-proxy=false',
              // Traffic to Service addresses is judged after kube-proxy's DNAT, by the pod behind it.
              `--service-cluster-ip-range=${environment.platform.network.serviceCidr}`,
              `--health-port=${KUBE_ROUTER_HEALTH_PORT}`,
            ],
            env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: {
              httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(KUBE_ROUTER_HEALTH_PORT) },
              initialDelaySeconds: 10,
              periodSeconds: 10,
            },
            resources: {
              requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString('128Mi') },
              limits: { memory: k8s.Quantity.fromString('256Mi') },
            },
            securityContext: { privileged: true },
            volumeMounts: [
              { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
              { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
            ],
          },
        ],
        volumes: [
          { name: 'lib-modules', hostPath: { path: '/lib/modules', type: 'Directory' } },
          { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
        ],
      },
    });
  }
}
