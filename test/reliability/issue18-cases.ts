/**
 * Issue 18's last silent acceptances, each now a clear error: a second owner of a namespace with
 * contradictory labels, a route to a port a chart-made Service does not have, an ExternalSecret key
 * nobody reads, and a public route to a backend not declared public.
 */
import { CHARTS } from '../../charts/environments/catalogue.ts';
import { PlatformNamespace } from '../../charts/lib/namespace.ts';
import { SERVICES } from '../../charts/platform/registry.ts';
import type { SynthCase } from './cases.ts';

function patchField(target: Record<string, any>, key: string, value: unknown): () => () => void {
  return () => {
    const before = target[key];
    target[key] = value;
    return () => {
      target[key] = before;
    };
  };
}

const sampleApp = SERVICES['sample-app'];

export const ISSUE_18_CASES: SynthCase[] = [
  {
    name: "a second service declaring the gateway's namespace with another Pod Security level",
    patch: patchField(SERVICES as any, 'sample-app', {
      ...sampleApp,
      build: (chart: any, settings: any) => {
        sampleApp.build(chart, settings);
        new PlatformNamespace(chart, 'EdgeNamespace', { name: 'gateway', podSecurity: 'restricted', mesh: 'excluded' });
      },
    }),
    code: 1,
    messages: [
      'configuration problems (3):',
      ...['audit', 'enforce', 'warn'].map(
        (mode) =>
          `staging › sample-app/EdgeNamespace: namespace gateway label pod-security.kubernetes.io/${mode} is "restricted" but gateway/Gateway/Namespace also creates namespace gateway, with pod-security.kubernetes.io/${mode}: "baseline" (two owners with contradictory labels: each sync would rewrite the other's); let one service own namespace gateway (the other drops its PlatformNamespace or createNamespace), or give both the same labels`,
      ),
    ],
  },
  {
    name: "a chart-made Service declared without the port Argo CD's route uses",
    patch: patchField(CHARTS as any, 'argoCd', {
      ...CHARTS.argoCd,
      provides: {
        ...CHARTS.argoCd.provides,
        services: [
          { name: '{release}-server', ports: [443] },
          { name: '{release}-repo-server', ports: [8081] },
        ],
      },
    }),
    code: 1,
    messages: [
      'validation gate: 1 error(s)',
      'prod › argocd:',
      'prod/argocd/httproute-argocd-server.yaml: HTTPRoute argocd/argocd-server at /spec/rules/0/backendRefs/0/port: Service argocd/argocd-server has no port 80 (ports: 443; created by CHARTS.argoCd (Application prod-argocd-chart), as its provides.services in the catalogue declare, checked against the rendered chart by npm run render) [references] (prod-argocd/ArgoCd/Route/Route)',
    ],
  },
];
