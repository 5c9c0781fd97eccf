import type { KubeObject } from '../../lib/manifest.ts';
import { hostedEdgeName } from '../hosted-edges/hosted-edges.ts';
import { hasCondition, readyStatus, type ClusterView, type ControllerDeclaration, type ControllerRule, type Need } from '../../lib/controller-model.ts';

/**
 * What cert-manager (v1.16) does, as data for `npm run converge`: an issuer is Ready once what it
 * signs with exists (CA: its key pair Secret; ACME: its account, registered at once); a Certificate
 * gets its Secret once its issuer is Ready and, for ACME HTTP-01 through the Gateway, the solver's
 * Gateway exists to attach the challenge route to.
 */
type Json = Record<string, any>;
const GROUP = 'cert-manager.io';
const runs = { chart: 'cert-manager' } as const;
/** cert-manager's `--cluster-resource-namespace`: the chart's namespace, where ClusterIssuers read their Secrets. */
export const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

function issuerNeeds(object: KubeObject, secretNamespace: string): Need[] {
  const spec: Json = (object as Json).spec ?? {};
  if (spec.ca?.secretName) return [{ ref: { group: '', kind: 'Secret', namespace: secretNamespace, name: spec.ca.secretName }, what: `Secret ${secretNamespace}/${spec.ca.secretName} (the CA key pair)` }];
  return [];
}

function issuerRule(kind: 'ClusterIssuer' | 'Issuer'): ControllerRule {
  return {
    controller: 'cert-manager',
    runs,
    watches: { group: GROUP, kind },
    react: (object) => ({
      needs: issuerNeeds(object, kind === 'ClusterIssuer' ? CLUSTER_RESOURCE_NAMESPACE : object.metadata.namespace!),
      makes: [],
      status: readyStatus('Ready', (object as Json).spec?.acme ? 'ACMEAccountRegistered' : 'KeyPairVerified'),
    }),
  };
}

/**
 * The Gateways an ACME issuer's HTTP-01 solvers attach their challenge routes to; in a vcluster, the
 * challenge reaches that Gateway only through the host's forwarding of its domain (hosted-edges).
 */
function solverGateways(issuer: KubeObject | undefined, view: ClusterView): Need[] {
  const solvers: Json[] = (issuer as Json | undefined)?.spec?.acme?.solvers ?? [];
  const http01 = solvers.some((solver) => solver.http01);
  const edge: Need[] =
    http01 && view.vcluster
      ? [
          {
            ref: { cluster: 'host', group: 'projectcontour.io', kind: 'HTTPProxy', namespace: view.vcluster.namespace, name: hostedEdgeName(view.environment) },
            what: `HTTPProxy ${view.vcluster.namespace}/${hostedEdgeName(view.environment)} on the host (Let's Encrypt reaches the HTTP-01 challenge through it)`,
          },
        ]
      : [];
  return [
    ...edge,
    ...solvers.flatMap((solver) =>
      (solver.http01?.gatewayHTTPRoute?.parentRefs ?? []).map((parent: Json) => ({
        ref: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: parent.namespace, name: parent.name },
        what: `Gateway ${parent.namespace}/${parent.name} (the HTTP-01 solver route attaches to its ${parent.sectionName ?? ''} listener)`,
      })),
    ),
  ];
}

const certificate: ControllerRule = {
  controller: 'cert-manager',
  runs,
  watches: { group: GROUP, kind: 'Certificate' },
  react: (object, view: ClusterView) => {
    const spec: Json = (object as Json).spec ?? {};
    const namespace = object.metadata.namespace!;
    const issuerKind: string = spec.issuerRef?.kind ?? 'Issuer';
    const issuerRef = { group: GROUP, kind: issuerKind, name: spec.issuerRef?.name, ...(issuerKind === 'Issuer' ? { namespace } : {}) };
    const needs: Need[] = [{ ref: issuerRef, ready: (issuer) => hasCondition(issuer), what: `ready ${issuerKind} ${issuerRef.name}` }, ...solverGateways(view.get(issuerRef), view)];
    return {
      needs,
      makes: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: spec.secretName, namespace }, type: 'kubernetes.io/tls', data: { 'ca.crt': '(issued)', 'tls.crt': '(issued)', 'tls.key': '(issued)' } }],
      status: readyStatus('Ready', 'Ready', 'Certificate is up to date and has not expired'),
      waitingStatus: { conditions: [{ type: 'Issuing', status: 'True', reason: 'Issuing', message: 'Issuing certificate as Secret does not exist' }] },
    };
  },
};

/** cainjector: objects annotated `cert-manager.io/inject-ca-from` get the CA written into them. */
const INJECT_ANNOTATION = 'cert-manager.io/inject-ca-from';
function caInjector(group: string, kind: string, pointers: (object: Json) => string[]): ControllerRule {
  return {
    controller: 'cert-manager-cainjector',
    runs,
    watches: { group, kind },
    owns: (object) => object.metadata.annotations?.[INJECT_ANNOTATION] !== undefined,
    react: (object) => ({ needs: [], makes: [], rewrites: pointers(object as Json) }),
  };
}
const webhookPointers = (object: Json) => (object.webhooks ?? []).map((_: unknown, index: number) => `/webhooks/${index}/clientConfig/caBundle`);

export const CERT_MANAGER_CONTROLLER: ControllerDeclaration = {
  service: 'cert-manager',
  rules: [
    issuerRule('ClusterIssuer'),
    issuerRule('Issuer'),
    certificate,
    caInjector('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', webhookPointers),
    caInjector('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', webhookPointers),
    caInjector('apiextensions.k8s.io', 'CustomResourceDefinition', () => ['/spec/conversion/webhook/clientConfig/caBundle']),
  ],
};
