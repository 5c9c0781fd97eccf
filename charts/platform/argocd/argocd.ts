import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesMatchesPathType } from '../../../imports/gateway-httproute-gateway.networking.k8s.io.ts';
import { CHARTS, IMAGES, imageRef } from '../../environments/catalogue.ts';
import type { GitHubIdentity } from '../../environments/types.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { isDnsLabel } from '../../lib/names.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { PlatformRoute, hostnameOf } from '../../lib/route.ts';

export interface ArgoCdProps {
  /** First label of the UI/API hostname under the environment's domain. @default 'argocd' */
  readonly host?: string;
  /** Path of the Dex GitHub connector's client secret in the `kv-system` mount. @default 'argocd/dex' */
  readonly dexSecretPath?: string;
  /** Property of that Vault secret holding the client secret. @default 'client-secret' */
  readonly dexSecretProperty?: string;
  /** How often Argo CD looks for new commits. @default '180s' */
  readonly reconciliation?: string;
}

/** Helm release name: with the chart's `nameOverride: argocd` it gives `argocd-server`, `argocd-cm`, … */
export const ARGOCD_RELEASE = 'argocd';
/** Secret the Dex client secret lands in; Argo CD resolves `$<secret>:<key>` only in Secrets labelled part-of argocd. */
export const DEX_SECRET_NAME = 'argocd-dex-github';
export const DEX_SECRET_KEY = 'clientSecret';
/** The Argo CD role the `sre` team gets. */
export const OPERATORS_ROLE = 'role:operators';

/**
 * Health of an `Application` as seen by the Application that deployed it. Argo CD 1.8 removed this
 * built-in check; without it a parent marks a child healthy as soon as it exists, so sync waves
 * between Applications would not wait (docs: operator-manual/health, "Argo CD App").
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** The RBAC policy of Argo CD, from the organisation's teams. */
export interface ArgoCdRbac {
  readonly 'policy.default': string;
  readonly 'policy.csv': string;
  readonly scopes: string;
}

/**
 * Everyone in the organisation reads; `operatorTeam` operates applications, reads clusters and
 * certificates and manages repositories; `adminTeam` is `role:admin`. Groups are `<org>:<team slug>`
 * as Dex's GitHub connector names them.
 *
 * Operating is what git cannot do: sync, run resource actions (restart, …), delete pods, read
 * logs. Not `create`/`update`/`override` (an Application in project prod can deploy anything
 * anywhere on the host: that is cluster-admin) and not `exec`: those changes go through git
 * (docs/decisions/0906-least-privilege.md). Actions as in argo-cd v2.14 docs/operator-manual/rbac.md.
 */
export function argoCdRbac(github: GitHubIdentity): ArgoCdRbac {
  const lines = [
    `p, ${OPERATORS_ROLE}, applications, get, */*, allow`,
    `p, ${OPERATORS_ROLE}, applications, sync, */*, allow`,
    `p, ${OPERATORS_ROLE}, applications, action/*, */*, allow`,
    `p, ${OPERATORS_ROLE}, applications, delete/*/Pod/*/*, */*, allow`,
    `p, ${OPERATORS_ROLE}, logs, get, */*, allow`,
    `p, ${OPERATORS_ROLE}, clusters, get, *, allow`,
    `p, ${OPERATORS_ROLE}, certificates, get, *, allow`,
    `p, ${OPERATORS_ROLE}, repositories, *, *, allow`,
    `g, ${github.organisation}:${github.operatorTeam}, ${OPERATORS_ROLE}`,
    `g, ${github.organisation}:${github.adminTeam}, role:admin`,
  ];
  return { 'policy.default': 'role:readonly', 'policy.csv': `${lines.join('\n')}\n`, scopes: '[groups]' };
}

/** Dex configuration: one GitHub connector restricted to the organisation, team slugs as groups. */
export function dexConfig(github: GitHubIdentity, clientId: string): string {
  return [
    'connectors:',
    '  - type: github',
    '    id: github',
    '    name: GitHub',
    '    config:',
    `      clientID: ${clientId}`,
    `      clientSecret: $${DEX_SECRET_NAME}:${DEX_SECRET_KEY}`,
    '      orgs:',
    `        - name: ${github.organisation}`,
    '      teamNameField: slug',
    '      useLoginAsID: true',
    '',
  ].join('\n');
}

interface Container {
  readonly name: string;
  readonly image: string;
  readonly securityContext: Record<string, unknown>;
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
}

/** Only the chart values we set (keys checked against argo-cd 7.9.1 values.yaml). */
export interface ArgoCdValues {
  readonly global: { readonly domain: string; readonly image: { readonly tag: string } };
  readonly crds: { readonly install: boolean; readonly keep: boolean };
  readonly configs: {
    readonly cm: Record<string, string | boolean>;
    readonly params: Record<string, string | boolean>;
    readonly rbac: ArgoCdRbac;
  };
  readonly dex: { readonly enabled: boolean };
  readonly server: {
    readonly service: { readonly servicePortHttpsAppProtocol: string };
  };
  readonly repoServer: {
    readonly extraContainers: readonly Container[];
    readonly volumes: readonly { readonly name: string; readonly emptyDir: Record<string, never> }[];
  };
}

/**
 * Argo CD from its pinned chart, managed by Argo CD itself (its Application sits in prod's root, so
 * a change here is a pull request like any other; docs/bootstrap.md has the one manual install).
 * GitHub SSO through Dex (client secret from Vault), RBAC from the organisation's teams, no local
 * admin, the Application health check that makes waves between Applications wait, the `lovely`
 * config-management plugin, and UI + gRPC on the environment's Gateway
 * (docs/decisions/0600-argocd-behind-the-gateway.md).
 */
export class ArgoCd extends Construct {
  readonly url: string;
  readonly rbac: ArgoCdRbac;

  constructor(scope: PlatformChart, id: string, props: ArgoCdProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const { platform } = environment;
    const host = props.host ?? 'argocd';
    const reconciliation = props.reconciliation ?? '180s';
    const errors = ConfigErrors.of(this);
    errors.check(isDnsLabel(host), {
      field: 'host',
      value: host,
      problem: `Argo CD is served on one name directly under ${environment.domain}`,
      fix: 'give one DNS label, e.g. "argocd"',
    });
    errors.check(/^[1-9][0-9]*[sm]$/.test(reconciliation), {
      field: 'reconciliation',
      value: reconciliation,
      problem: 'Argo CD reads a duration in seconds or minutes',
      fix: 'write it like "180s" or "3m"',
    });
    errors.check(environment.cluster.host === undefined, {
      field: 'services.argocd',
      value: environment.name,
      problem: `Argo CD runs once, on the host cluster; ${environment.name} is a vcluster whose Applications the host's Argo CD syncs`,
      fix: `remove argocd from ${environment.name}'s services`,
    });
    errors.throwIfAny();

    const namespace = platform.argocdNamespace;
    const domain = hostnameOf(environment, host);
    this.url = `https://${domain}`;
    this.rbac = argoCdRbac(platform.github);

    new VaultSecret(this, 'DexSecret', {
      namespace,
      secretName: DEX_SECRET_NAME,
      path: props.dexSecretPath ?? 'argocd/dex',
      keys: { [DEX_SECRET_KEY]: props.dexSecretProperty ?? 'client-secret' },
      secretMetadata: { labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    });

    new HelmApplication<ArgoCdValues>(this, 'Chart', {
      chart: CHARTS.argoCd,
      name: ARGOCD_RELEASE,
      namespace,
      // Every Argo CD container of the chart runs non-root, read-only, without capabilities, with
      // the RuntimeDefault seccomp profile; the lovely sidecar below does too.
      createNamespace: { podSecurity: 'restricted', mesh: 'excluded' },
      // The CRDs are large (ApplicationSet): client-side apply would overflow the annotation.
      syncOptions: ['ServerSideApply=true'],
      // Deleting this Application must not uninstall the Argo CD running it (decision 0604).
      cascadeDelete: false,
      values: {
        global: { domain, image: { tag: IMAGES.argoCd.tag } },
        crds: { install: true, keep: true },
        configs: {
          cm: {
            url: this.url,
            'admin.enabled': false,
            'timeout.reconciliation': reconciliation,
            'dex.config': dexConfig(platform.github, platform.oauthClientIds.argocdDex),
            'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA,
          },
          // TLS ends at the Gateway; the server speaks HTTP/1.1 and h2c (gRPC) behind it.
          params: { 'server.insecure': true },
          rbac: this.rbac,
        },
        dex: { enabled: true },
        // The `https` port (443 → 8080) carries the CLI's gRPC as h2c; Contour reads appProtocol.
        server: { service: { servicePortHttpsAppProtocol: 'kubernetes.io/h2c' } },
        repoServer: {
          // The plugin image bakes its plugin.yaml; it needs the repo-server's `var-files` (the
          // cmp-server binary) and `plugins` (the socket) volumes, and its own /tmp.
          extraContainers: [
            {
              name: 'lovely-plugin',
              image: imageRef(IMAGES.argocdLovelyPlugin),
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 999,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: 'var-files', mountPath: '/var/run/argocd' },
                { name: 'plugins', mountPath: '/home/argocd/cmp-server/plugins' },
                { name: 'lovely-tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [{ name: 'lovely-tmp', emptyDir: {} }],
        },
      },
    });

    // Web UI (HTTP/1.1) on the `http` port; the argocd CLI's gRPC (content-type application/grpc)
    // on the `https` port, which the Service marks h2c. One hostname, one certificate.
    const route = new PlatformRoute(this, 'Route', {
      host,
      namespace,
      backend: { service: `${ARGOCD_RELEASE}-server`, port: 80 },
      name: `${ARGOCD_RELEASE}-server`,
    });
    route.route.addJsonPatch(
      JsonPatch.add('/spec/rules/-', {
        matches: [
          {
            path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' },
            headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, name: 'content-type', value: 'application/grpc' }],
          },
        ],
        backendRefs: [{ name: `${ARGOCD_RELEASE}-server`, port: 443 }],
      }),
    );
  }
}
