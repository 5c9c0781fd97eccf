/**
 * Rule `public-routes`: a route on a public edge (an HTTPRoute or TCPRoute attached to a Gateway, a
 * Contour HTTPProxy) reaches only backends declared intentionally public, each with how it
 * authenticates (`PLATFORM.publicBackends`, docs/decisions/0907-public-endpoints.md). A new route to
 * an admin UI or an unauthenticated app cannot reach the internet by accident.
 */
import type { Manifest } from '../charts/lib/manifest.ts';
import type { Rule } from './types.ts';

/** A backend declared public, by environment, namespace and Service name. */
export interface DeclaredPublicBackend {
  readonly environment: string;
  readonly namespace: string;
  readonly service: string;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** `[pointer, namespace, service]` of every Service a public route of `manifest` sends traffic to. */
function publicBackends(manifest: Manifest): [string, string, string][] {
  const object = manifest.object as any;
  const group = String(object.apiVersion).split('/')[0];
  const namespace: string = object.metadata.namespace ?? 'default';
  const found: [string, string, string][] = [];
  if (group === GATEWAY_GROUP && (object.kind === 'HTTPRoute' || object.kind === 'TCPRoute')) {
    const onGateway = (object.spec?.parentRefs ?? []).some((ref: any) => (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway');
    if (!onGateway) return found;
    (object.spec?.rules ?? []).forEach((rule: any, i: number) => {
      (rule.backendRefs ?? []).forEach((ref: any, j: number) => {
        if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service') found.push([`/spec/rules/${i}/backendRefs/${j}/name`, ref.namespace ?? namespace, ref.name]);
      });
    });
  }
  if (group === 'projectcontour.io' && object.kind === 'HTTPProxy') {
    (object.spec?.routes ?? []).forEach((route: any, i: number) => {
      (route.services ?? []).forEach((service: any, j: number) => {
        found.push([`/spec/routes/${i}/services/${j}/name`, namespace, service.name]);
      });
    });
    (object.spec?.tcpproxy?.services ?? []).forEach((service: any, j: number) => {
      found.push([`/spec/tcpproxy/services/${j}/name`, namespace, service.name]);
    });
  }
  return found;
}

export function publicRoutesRule(declared: readonly DeclaredPublicBackend[]): Rule {
  const allowed = new Set(declared.map((d) => `${d.environment}|${d.namespace}|${d.service}`));
  return {
    name: 'public-routes',
    check(context) {
      for (const manifest of context.manifests) {
        for (const [pointer, namespace, service] of publicBackends(manifest)) {
          context.count('public-routes: public backends checked');
          if (allowed.has(`${manifest.environment}|${namespace}|${service}`)) continue;
          context.report(
            manifest,
            pointer,
            `Service ${namespace}/${service} would be reachable from the internet and is not declared public; put it behind SSO, or keep it off the public edge (kubectl port-forward), or declare it in PLATFORM.publicBackends with how it authenticates and why (docs/decisions/0907-public-endpoints.md)`,
          );
        }
      }
    },
  };
}
