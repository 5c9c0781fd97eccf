/**
 * Issue 18's last silent acceptances, each now a clear error: a second owner of a namespace with
 * contradictory labels, a route to a port a chart-made Service does not have, an ExternalSecret key
 * nobody reads, and a public route to a backend not declared public.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { CHARTS } from '../../charts/environments/catalogue.ts';
import { PlatformNamespace } from '../../charts/lib/namespace.ts';
import { PlatformRoute } from '../../charts/lib/route.ts';
import { SERVICES } from '../../charts/platform/registry.ts';
import { patchField, type SynthCase } from './cases.ts';

/** The service's own build, then `extra` on its chart, for the run. */
function alsoBuild(name: keyof typeof SERVICES, extra: (chart: any) => void): () => () => void {
  const service = SERVICES[name];
  return patchField(SERVICES as any, name, {
    ...service,
    build: (chart: any, settings: any) => {
      service.build(chart, settings);
      extra(chart);
    },
  });
}

export const ISSUE_18_CASES: SynthCase[] = [
  {
    name: "a second service declaring the gateway's namespace with another Pod Security level",
    patch: alsoBuild('sample-app', (chart) => {
      new PlatformNamespace(chart, 'EdgeNamespace', { name: 'gateway', podSecurity: 'restricted', mesh: 'excluded' });
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
  {
    name: "an ExternalSecret writing a key Dex's configuration does not read",
    patch: alsoBuild('argocd', (chart) => {
      const secret = chart.node.findAll().find((node: any) => node instanceof ApiObject && node.node.path.endsWith('DexSecret/Resource')) as ApiObject;
      secret.addJsonPatch(JsonPatch.add('/spec/data/-', { secretKey: 'clientsecret', remoteRef: { key: 'argocd/dex-github', property: 'clientSecret' } }));
    }),
    code: 1,
    messages: [
      'validation gate: 1 error(s)',
      'prod › argocd:',
      'prod/argocd/externalsecret-argocd-dex-github.yaml: ExternalSecret argocd/argocd-dex-github at /spec/data/1/secretKey: Secret argocd/argocd-dex-github gets key "clientsecret" but no consumer reads it (read: clientSecret by Application argocd/prod-argocd-chart); fix the key\'s name to the one the consumer reads, or drop it [secret-references] (prod-argocd/ArgoCd/DexSecret/Resource)',
    ],
  },
  {
    name: 'the Vault UI put back on the public Gateway',
    patch: alsoBuild('vault', (chart) => {
      new PlatformRoute(chart, 'Ui', { host: 'vault', namespace: 'vault', backend: { service: 'vault-ui', port: 8200 } });
    }),
    code: 1,
    messages: [
      'validation gate: 1 error(s)',
      'prod › vault:',
      'prod/vault/httproute-vault.yaml: HTTPRoute vault/vault at /spec/rules/0/backendRefs/0/name: Service vault/vault-ui would be reachable from the internet and is not declared public; put it behind SSO, or keep it off the public edge (kubectl port-forward), or declare it in PLATFORM.publicBackends with how it authenticates and why (docs/decisions/0907-public-endpoints.md) [public-routes] (prod-vault/Ui/Route)',
    ],
  },
];
