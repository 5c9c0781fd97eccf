import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ContourDeployment, ContourDeploymentSpecContourDisabledFeatures } from '../../../imports/contour-contourdeployment-projectcontour.io.ts';
import { Gateway as GatewayResource, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode, type GatewaySpecListeners } from '../../../imports/gateway-gateway-gateway.networking.k8s.io.ts';
import { GatewayClass } from '../../../imports/gateway-gatewayclass-gateway.networking.k8s.io.ts';
import {
  HttpRoute,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesPathType,
} from '../../../imports/gateway-httproute-gateway.networking.k8s.io.ts';
import { IMAGES, MANIFESTS, imageRef } from '../../environments/catalogue.ts';
import type { ClusterNode } from '../../environments/types.ts';
import { RESTRICTED_CONTAINER, restrictedPod } from '../../lib/labels.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { ManifestApplication } from '../../lib/helm-application.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import { PlatformChart } from '../../lib/platform-chart.ts';
import { MAX_ROUTES_PER_ENVIRONMENT, environmentListeners } from '../../lib/route.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

/** Namespace of Contour's Gateway provisioner (upstream's default, also its leader-election namespace). */
export const PROVISIONER_NAMESPACE = 'projectcontour';
export const PROVISIONER_NAME = 'contour-gateway-provisioner';
export const GATEWAY_CLASS = 'contour';
export const GATEWAY_CONTROLLER = 'projectcontour.io/gateway-controller';
/** The plain-HTTP listener: redirects to HTTPS and carries the ACME HTTP-01 solver routes. */
export const HTTP_LISTENER = 'http';
/** external-dns reads a Gateway's targets from this annotation when its status has no address. */
export const EXTERNAL_DNS_TARGET_ANNOTATION = 'external-dns.alpha.kubernetes.io/target';
/** external-dns skips an object whose controller annotation is not its own (`dns-controller`). */
export const EXTERNAL_DNS_CONTROLLER_ANNOTATION = 'external-dns.alpha.kubernetes.io/controller';

/**
 * How an environment's Envoy is reached:
 * - `edge-node`: Envoy runs on the cluster's edge node and takes ports 80/443 there (a NodePort
 *   Service whose node ports are the listener ports; see docs/decisions/0401-envoy-on-the-edge-node.md);
 * - `host-forwarded`: a vcluster; its Envoy has a ClusterIP Service, and the host's Envoy forwards the
 *   environment's domain to it (service `hosted-edges`; docs/decisions/0402-vcluster-domains-through-the-host.md).
 */
export type EdgeExposure = 'edge-node' | 'host-forwarded';

export interface GatewayProps {
  /** @default `edge-node` on a host cluster, `host-forwarded` on a vcluster */
  readonly exposure?: EdgeExposure;
  /** Contour (xDS control plane) replicas per Gateway. @default 2 */
  readonly contourReplicas?: number;
  /** Envoy replicas when forwarded by the host (on the edge node, one Envoy per edge node). @default 2 */
  readonly envoyReplicas?: number;
}

/** What the host's Envoy forwards to for a hosted environment: the Service vcluster syncs to the host. */
export interface HostedEnvoyService {
  readonly namespace: string;
  readonly name: string;
}

/** Name of the Envoy Service the provisioner creates for a Gateway (Contour: `envoy-<gateway>`). */
export function envoyServiceName(gatewayName: string): string {
  return `envoy-${gatewayName}`;
}

/**
 * Only the Gateway API kinds of the standard channel exist (plus TCPRoute, see the catalogue):
 * Contour must not start informers for the others, or it exits.
 */
export const DISABLED_FEATURES = [ContourDeploymentSpecContourDisabledFeatures.TLSROUTES, ContourDeploymentSpecContourDisabledFeatures.BACKENDTLSPOLICIES];

/**
 * The environment's edge: Contour's own CRDs, Contour's Gateway provisioner (our own typed objects,
 * not the upstream bundle, which carries a second, experimental copy of the Gateway API CRDs),
 * GatewayClass `contour` with its ContourDeployment, and the Gateway `platform`: an `http` listener
 * that redirects to HTTPS (and answers ACME HTTP-01 challenges), plus one HTTPS listener per
 * PlatformRoute of the environment, filled in when the environment is rendered.
 */
export class Gateway extends Construct {
  readonly exposure: EdgeExposure;
  readonly gateway: GatewayResource;
  readonly gatewayClass: GatewayClass;
  readonly parameters: ContourDeployment;
  readonly redirect: HttpRoute;

  constructor(scope: PlatformChart, id: string, props: GatewayProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const facts = environment.platform.gateway;
    const exposure = props.exposure ?? (environment.cluster.kind === 'vcluster' ? 'host-forwarded' : 'edge-node');
    const contourReplicas = props.contourReplicas ?? 2;
    const envoyReplicas = props.envoyReplicas ?? 2;
    const edgeNodes = environment.cluster.nodes.filter((node) => node.role === 'edge');

    const errors = ConfigErrors.of(this);
    if (exposure === 'edge-node') {
      errors.check(edgeNodes.length === 1, {
        field: 'exposure',
        value: exposure,
        problem: `Envoy takes ports 80/443 on the one node of role "edge", and ${environment.name} has ${edgeNodes.length} (${edgeNodes.map((n) => n.name).join(', ') || 'none'})`,
        fix: 'give the cluster exactly one node with role "edge", or use exposure "host-forwarded" on a vcluster',
      });
    } else {
      errors.check(environment.cluster.kind === 'vcluster', {
        field: 'exposure',
        value: exposure,
        problem: `only a vcluster is reached through its host, and ${environment.name} is a ${environment.cluster.kind} cluster`,
        fix: 'use exposure "edge-node"',
      });
    }
    errors.checkRange('contourReplicas', contourReplicas, 1, 3, 'Contour runs 1 to 3 leader-elected replicas');
    errors.checkRange('envoyReplicas', envoyReplicas, 1, 5, 'Envoy runs 1 to 5 replicas');
    errors.throwIfAny();
    this.exposure = exposure;

    // Contour's CRDs (ContourDeployment, HTTPProxy, …) only: 01-crds.yaml holds nothing else.
    new ManifestApplication(this, 'ContourCrds', {
      name: 'contour-crds',
      manifests: MANIFESTS.contourCrds,
      namespace: PROVISIONER_NAMESPACE,
      syncOptions: ['ServerSideApply=true'],
    });

    this.provisioner();

    // Envoy and the provisioned Contour run in the Gateway's namespace. Baseline, not restricted:
    // the provisioned pods do not set every field the restricted level asks for (seccomp, capabilities).
    // Out of the mesh: Envoy is the edge, it terminates TLS itself.
    new PlatformNamespace(this, 'Namespace', { name: facts.namespace, podSecurity: 'baseline', mesh: 'excluded' });

    const edgeNode = edgeNodes[0];
    this.parameters = new ContourDeployment(this, 'Parameters', {
      metadata: { name: GATEWAY_CLASS, namespace: PROVISIONER_NAMESPACE },
      spec: {
        contour: {
          deployment: { replicas: contourReplicas },
          disabledFeatures: DISABLED_FEATURES,
        },
        envoy:
          exposure === 'edge-node' && edgeNode
            ? {
                workloadType: 'DaemonSet',
                nodePlacement: { nodeSelector: { 'kubernetes.io/hostname': edgeNode.name }, tolerations: tolerationsFor(edgeNode) },
                // The listener ports become the node ports (80, 443); Local keeps the client address
                // and answers only where Envoy runs.
                networkPublishing: { type: 'NodePortService', externalTrafficPolicy: 'Local' },
              }
            : {
                workloadType: 'Deployment',
                deployment: { replicas: envoyReplicas },
                networkPublishing: { type: 'ClusterIPService' },
              },
      },
    });

    this.gatewayClass = new GatewayClass(this, 'Class', {
      metadata: { name: GATEWAY_CLASS },
      spec: {
        controllerName: GATEWAY_CONTROLLER,
        description: 'Contour, provisioned per Gateway by its Gateway provisioner',
        parametersRef: { group: 'projectcontour.io', kind: 'ContourDeployment', name: GATEWAY_CLASS, namespace: PROVISIONER_NAMESPACE },
      },
    });

    this.gateway = new GatewayResource(this, 'Gateway', {
      metadata: {
        name: facts.name,
        namespace: facts.namespace,
        ...(exposure === 'edge-node' ? { annotations: { [EXTERNAL_DNS_TARGET_ANNOTATION]: environment.platform.edgeHostname } } : {}),
      },
      spec: {
        gatewayClassName: GATEWAY_CLASS,
        // Read when rendered: every chart of every environment exists by then (charts/app/build.ts).
        listeners: Lazy.any({ produce: () => this.listeners() }) as unknown as GatewaySpecListeners[],
      },
    });

    // Every plain-HTTP request is redirected to HTTPS, except ACME HTTP-01 challenges: cert-manager's
    // solver route names the exact hostname and the exact challenge path, and both beat this
    // route's wildcard hostname and `/` prefix (docs/decisions/0403-http-redirect-and-acme.md).
    this.redirect = new HttpRoute(this, 'Redirect', {
      metadata: {
        name: 'https-redirect',
        namespace: facts.namespace,
        // Without hostnames it takes the listener's *.<domain>: external-dns must not publish that wildcard.
        annotations: { [EXTERNAL_DNS_CONTROLLER_ANNOTATION]: 'none' },
      },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: facts.name, namespace: facts.namespace, sectionName: HTTP_LISTENER }],
        rules: [
          {
            matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                requestRedirect: {
                  scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                  statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                },
              },
            ],
          },
        ],
      },
    });
  }

  /** `http` for the whole domain, then one HTTPS listener per route of the environment. */
  private listeners(): GatewaySpecListeners[] {
    const chart = PlatformChart.of(this);
    const routes = environmentListeners(this);
    // PlatformRoute refuses the 64th route with a clear message; this only guards the invariant.
    if (routes.length > MAX_ROUTES_PER_ENVIRONMENT) throw new Error(`${chart.environmentName}: ${routes.length} routes exceed the Gateway's listeners`);
    return [
      {
        name: HTTP_LISTENER,
        protocol: 'HTTP',
        port: 80,
        hostname: `*.${chart.environment.domain}`,
        // Only routes of the Gateway's namespace: the redirect and cert-manager's HTTP-01 solvers
        // (created beside the Certificates, which all live there). Nothing else is served in clear.
        allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
      },
      ...routes.map((route) => ({
        name: route.name,
        protocol: 'HTTPS',
        port: 443,
        hostname: route.hostname,
        tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: route.secretName }] },
        // The route lives beside its backend; the listener's own hostname limits what it can claim.
        allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.ALL } },
      })),
    ];
  }

  /** Contour's Gateway provisioner, from examples/gateway-provisioner/ of Contour v1.30.5, as our own objects. */
  private provisioner(): void {
    new PlatformNamespace(this, 'ProvisionerNamespace', { name: PROVISIONER_NAMESPACE, podSecurity: 'restricted', mesh: 'excluded' });
    const account = new k8s.KubeServiceAccount(this, 'ProvisionerAccount', {
      metadata: { name: PROVISIONER_NAME, namespace: PROVISIONER_NAMESPACE },
    });
    setSyncWave(account, Wave.FOUNDATION);
    const subject = { kind: 'ServiceAccount', name: PROVISIONER_NAME, namespace: PROVISIONER_NAMESPACE };
    const role = new k8s.KubeClusterRole(this, 'ProvisionerClusterRole', { metadata: { name: PROVISIONER_NAME }, rules: PROVISIONER_CLUSTER_RULES });
    const binding = new k8s.KubeClusterRoleBinding(this, 'ProvisionerClusterRoleBinding', {
      metadata: { name: PROVISIONER_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: PROVISIONER_NAME },
      subjects: [subject],
    });
    const leaderRole = new k8s.KubeRole(this, 'ProvisionerLeaderElectionRole', {
      metadata: { name: PROVISIONER_NAME, namespace: PROVISIONER_NAMESPACE },
      rules: [
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'update'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
      ],
    });
    const leaderBinding = new k8s.KubeRoleBinding(this, 'ProvisionerLeaderElectionRoleBinding', {
      metadata: { name: `${PROVISIONER_NAME}-leader-election`, namespace: PROVISIONER_NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: PROVISIONER_NAME },
      subjects: [subject],
    });
    for (const object of [role, binding, leaderRole, leaderBinding]) setSyncWave(object, Wave.FOUNDATION);

    const labels = { 'app.kubernetes.io/name': PROVISIONER_NAME };
    new k8s.KubeDeployment(this, 'Provisioner', {
      metadata: { name: PROVISIONER_NAME, namespace: PROVISIONER_NAMESPACE, labels },
      spec: {
        // Leader-elected: one is enough, a restart only delays changes to Gateways.
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: PROVISIONER_NAME,
            terminationGracePeriodSeconds: 10,
            securityContext: restrictedPod(65534),
            containers: [
              {
                name: 'provisioner',
                image: imageRef(IMAGES.contour),
                imagePullPolicy: 'IfNotPresent',
                command: ['contour'],
                args: [
                  'gateway-provisioner',
                  '--metrics-addr=127.0.0.1:8080',
                  '--enable-leader-election',
                  `--gateway-controller-name=${GATEWAY_CONTROLLER}`,
                  // Pinned in the catalogue rather than left to the binary's built-in defaults.
                  `--contour-image=${imageRef(IMAGES.contour)}`,
                  `--envoy-image=${imageRef(IMAGES.envoy)}`,
                ],
                env: [{ name: 'CONTOUR_PROVISIONER_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('70Mi') },
                  limits: { memory: k8s.Quantity.fromString('256Mi') },
                },
                securityContext: RESTRICTED_CONTAINER,
              },
            ],
          },
        },
      },
    });
  }
}

function tolerationsFor(node: ClusterNode) {
  return (node.taints ?? []).map((taint) => ({ key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }));
}

const READ = ['get', 'list', 'watch'];
const MANAGE = ['create', 'delete', 'get', 'list', 'update', 'watch'];

/**
 * The provisioner's cluster permissions at v1.30.5 (examples/gateway-provisioner/01-roles.yaml,
 * generated upstream from kubebuilder tags). It grants the provisioned Contours their own RBAC,
 * so it must hold everything they need (escalation rule); the route kinds we do not install
 * (TLSRoute, BackendTLSPolicy) stay listed so a later CRD needs no RBAC change.
 */
export const PROVISIONER_CLUSTER_RULES: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'namespaces'], verbs: READ },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'update'] },
  { apiGroups: [''], resources: ['secrets', 'serviceaccounts', 'services'], verbs: MANAGE },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
  { apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: MANAGE },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['backendtlspolicies', 'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants', 'tcproutes', 'tlsroutes'],
    verbs: READ,
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['backendtlspolicies/status', 'gatewayclasses/status', 'gateways/status', 'grpcroutes/status', 'httproutes/status', 'tcproutes/status', 'tlsroutes/status'],
    verbs: ['update'],
  },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['create', 'get', 'update'] },
  { apiGroups: ['projectcontour.io'], resources: ['contourconfigurations'], verbs: MANAGE },
  { apiGroups: ['projectcontour.io'], resources: ['contourconfigurations/status', 'extensionservices/status', 'httpproxies/status'], verbs: ['create', 'get', 'update'] },
  { apiGroups: ['projectcontour.io'], resources: ['contourdeployments', 'extensionservices', 'httpproxies', 'tlscertificatedelegations'], verbs: READ },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'], verbs: MANAGE },
];

/**
 * The host-side Service of a vcluster environment's Envoy: vcluster (0.21) syncs a Service
 * `<name>` of namespace `<ns>` to `<name>-x-<ns>-x-<vcluster>` in the vcluster's host namespace.
 */
export function hostedEnvoyService(vcluster: { readonly name: string; readonly namespace: string }, gateway: { readonly name: string; readonly namespace: string }): HostedEnvoyService {
  return { namespace: vcluster.namespace, name: `${envoyServiceName(gateway.name)}-x-${gateway.namespace}-x-${vcluster.name}` };
}
