import { Construct, type IConstruct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../../imports/cert-manager-certificate-cert-manager.io.ts';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../../imports/gateway-httproute-gateway.networking.k8s.io.ts';
import type { Environment } from '../environments/types.ts';
import { ConfigErrors } from './config-errors.ts';
import { isDnsLabel } from './names.ts';
import { PlatformChart } from './platform-chart.ts';
import { compare } from './render.ts';

/** An HTTPS listener the environment's Gateway must have for one route. */
export interface RouteListener {
  /** Listener name, `https-<host>` (the route's `sectionName`). */
  readonly name: string;
  readonly hostname: string;
  /** The TLS Secret in the Gateway's namespace, written by the route's Certificate. */
  readonly secretName: string;
}

export interface PlatformRouteProps {
  /**
   * First label of the hostname; the route serves `<host>.<environment domain>`
   * (`argocd` → `argocd.omni.cedille.club` in prod, `argocd.staging.omni.cedille.club` in staging).
   */
  readonly host: string;
  /** Namespace of the route and of its backend Service. */
  readonly namespace: string;
  readonly backend: { readonly service: string; readonly port: number };
  /** Route name. @default the host */
  readonly name?: string;
}

/**
 * A Gateway holds at most 64 listeners (the CRD's maxItems); one is the plain-HTTP listener and
 * each route has its own HTTPS listener.
 */
export const MAX_ROUTES_PER_ENVIRONMENT = 63;

/** Listeners of every route, per environment, per synth (the Gateway reads them when rendered). */
const listenersByApp = new WeakMap<IConstruct, Map<string, RouteListener[]>>();

/** All HTTPS listeners the routes of `scope`'s environment need, sorted by hostname. */
export function environmentListeners(scope: IConstruct): RouteListener[] {
  const environment = PlatformChart.of(scope).environmentName;
  const listeners = listenersByApp.get(scope.node.root)?.get(environment) ?? [];
  return [...listeners].sort((a, b) => compare(a.hostname, b.hostname));
}

/** `argocd` → `argocd.<domain>` */
export function hostnameOf(environment: Environment, host: string): string {
  return `${host}.${environment.domain}`;
}

/**
 * A service exposed through the environment's Gateway: an HTTPRoute on its own HTTPS listener, and
 * the Certificate of that listener from the environment's one ACME issuer (HTTP-01 through the
 * same Gateway). The Gateway lists the listeners of every route of its environment.
 */
export class PlatformRoute extends Construct {
  readonly hostname: string;
  readonly listener: RouteListener;
  readonly route: HttpRoute;
  readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: PlatformRouteProps) {
    super(scope, id);
    const chart = PlatformChart.of(this);
    const { environment } = chart;
    const gateway = environment.platform.gateway;
    const errors = ConfigErrors.of(this);
    errors.check(isDnsLabel(props.host), {
      field: 'host',
      value: props.host,
      problem: `a route serves one name directly under the environment's domain ${environment.domain} (one DNS label, so prod can never claim a staging or sandbox name)`,
      fix: `give the first label only, e.g. "grafana" for grafana.${environment.domain}`,
    });
    errors.check(Number.isInteger(props.backend.port) && props.backend.port > 0 && props.backend.port < 65536, {
      field: 'backend.port',
      value: props.backend.port,
      problem: 'ports are integers from 1 to 65535',
      fix: 'use the Service port of the backend',
    });
    errors.throwIfAny();

    this.hostname = hostnameOf(environment, props.host);
    this.listener = { name: `https-${props.host}`, hostname: this.hostname, secretName: `${props.host}-tls` };
    const perApp = listenersByApp.get(this.node.root) ?? new Map<string, RouteListener[]>();
    listenersByApp.set(this.node.root, perApp);
    const listeners = perApp.get(environment.name) ?? [];
    const clash = listeners.find((l) => l.hostname === this.hostname);
    if (clash) {
      new ConfigErrors(environment.name, `${chart.service}/${this.node.path.split('/').slice(1).join('/')}`)
        .add({ field: 'host', value: props.host, problem: `another route of ${environment.name} already serves ${this.hostname}`, fix: 'give each route its own host' })
        .throwIfAny();
    }
    if (listeners.length >= MAX_ROUTES_PER_ENVIRONMENT) {
      new ConfigErrors(environment.name, `${chart.service}/${this.node.path.split('/').slice(1).join('/')}`)
        .add({
          field: 'host',
          value: props.host,
          problem: `${environment.name} already has ${MAX_ROUTES_PER_ENVIRONMENT} routes, each with its own HTTPS listener, and a Gateway holds at most 64 listeners (one is "http")`,
          fix: 'serve several hosts from one route, or drop a route',
        })
        .throwIfAny();
    }
    perApp.set(environment.name, [...listeners, this.listener]);

    this.certificate = new Certificate(this, 'Certificate', {
      metadata: { name: props.host, namespace: gateway.namespace },
      spec: {
        secretName: this.listener.secretName,
        dnsNames: [this.hostname],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: environment.certificateIssuer },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
    this.route = new HttpRoute(this, 'Route', {
      metadata: { name: props.name ?? props.host, namespace: props.namespace },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: this.listener.name }],
        hostnames: [this.hostname],
        rules: [
          {
            matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
            backendRefs: [{ name: props.backend.service, port: props.backend.port }],
          },
        ],
      },
    });
  }
}
