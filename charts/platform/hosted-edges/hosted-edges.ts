import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpProxy, type HttpProxySpecTcpproxy, type HttpProxySpecVirtualhost } from '../../../imports/contour-httpproxy-projectcontour.io.ts';
import type { Environment } from '../../environments/types.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { listenersOf } from '../../lib/route.ts';
import { environmentVCluster } from '../../lib/vcluster.ts';
import { EXTERNAL_DNS_TARGET_ANNOTATION, hostedEnvoyService } from '../gateway/gateway.ts';

/** Name of the HTTPProxy that forwards a hosted environment's domain (in its vcluster's host namespace). */
export function hostedEdgeName(environment: string): string {
  return `${environment}-edge`;
}

export interface HostedEdgesProps {
  /** The vcluster environments this cluster hosts whose domains reach their own Gateway through this one. */
  readonly environments: readonly Environment[];
}

/**
 * The host's half of a vcluster environment's edge (docs/decisions/0402-vcluster-domains-through-the-host.md).
 * Only the host's Envoy owns ports 80/443 of the edge node, so for each hosted environment one
 * HTTPProxy on the host claims `*.<its domain>`:
 * - HTTPS is passed through by SNI, still encrypted, to the vcluster's Envoy, which terminates it
 *   with the certificates of the vcluster's own issuer (staging certificates stay in staging);
 * - plain HTTP is proxied to the vcluster's Envoy too, so its HTTP-01 challenges and its redirect
 *   are answered there.
 * The HTTPProxy also makes external-dns (which runs on the host only) publish the wildcard name.
 * A separate service because its backend exists only once the vcluster runs: in the gateway folder
 * it would stay Degraded and hold back every later wave.
 */
export class HostedEdges extends Construct {
  readonly proxies: HttpProxy[] = [];

  constructor(scope: PlatformChart, id: string, props: HostedEdgesProps) {
    super(scope, id);
    const host = scope.environment;
    const errors = ConfigErrors.of(this);
    const seen = new Set<string>();
    for (const [index, hosted] of props.environments.entries()) {
      const field = `environments[${index}]`;
      errors.check(hosted.cluster.kind === 'vcluster' && hosted.cluster.host === host.name, {
        field,
        value: hosted.name,
        problem: `only vclusters hosted by ${host.name} are forwarded through its edge`,
        fix: `list environments whose cluster.host is "${host.name}"`,
      });
      errors.check(hosted.domain.endsWith(`.${host.domain}`), {
        field,
        value: hosted.name,
        problem: `its domain ${hosted.domain} is not under ${host.domain}, the domain this edge answers for`,
        fix: `give it a domain like "${hosted.name}.${host.domain}"`,
      });
      errors.check(!seen.has(hosted.name), { field, value: hosted.name, problem: 'it is listed twice', fix: 'list each environment once' });
      seen.add(hosted.name);
    }
    errors.throwIfAny();

    for (const hosted of props.environments) {
      // Same naming convention as the vcluster service (charts/lib/vcluster.ts).
      const envoy = hostedEnvoyService(environmentVCluster(hosted.name), hosted.platform.gateway);
      this.proxies.push(
        new HttpProxy(this, `Forward-${hosted.name}`, {
          metadata: {
            name: hostedEdgeName(hosted.name),
            namespace: envoy.namespace,
            annotations: { [EXTERNAL_DNS_TARGET_ANNOTATION]: host.platform.edgeHostname },
          },
          // Forward only the listeners the hosted Gateway has: its Envoy Service has port 443 only
          // when it has an HTTPS listener (a route), else Contour marks the HTTPProxy invalid (B3).
          spec: {
            virtualhost: Lazy.any({ produce: () => ({ fqdn: `*.${hosted.domain}`, ...(this.forwardsHttps(hosted) ? { tls: { passthrough: true } } : {}) }) }) as unknown as HttpProxySpecVirtualhost,
            tcpproxy: Lazy.any({ produce: () => (this.forwardsHttps(hosted) ? { services: [{ name: envoy.name, port: 443 }] } : undefined) }) as unknown as HttpProxySpecTcpproxy,
            // Served in clear on the HTTP listener; the vcluster's Envoy redirects to HTTPS itself.
            routes: [{ conditions: [{ prefix: '/' }], permitInsecure: true, services: [{ name: envoy.name, port: 80 }] }],
          },
        }),
      );
    }
  }

  /** The hosted Gateway has HTTPS listeners (one per route of that environment). */
  private forwardsHttps(hosted: Environment): boolean {
    return listenersOf(this, hosted.name).length > 0;
  }
}
