import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { CHARTS, GRAFANA_PLUGINS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication, helmTplLiteral } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { PlatformRoute } from '../../lib/route.ts';
import { CLICKHOUSE_SERVICE, CLICKHOUSE_USERS, CLICKHOUSE_USERS_VAULT_PATH, TELEMETRY_DATABASE } from '../clickhouse/clickhouse.ts';
import { CLICKHOUSE_DATASOURCE_UID, healthAlertRules, healthDashboards, telemetryDashboards } from './dashboards.ts';

export interface GrafanaProps {
  /** Size of the dashboards/sessions volume. @default '10Gi' */
  readonly persistenceSize?: string;
  /** StorageClass of that volume. @default 'mayastor' */
  readonly storageClass?: string;
}

export const GRAFANA_NAMESPACE = 'grafana';
/** Grafana folder of the node and cluster health dashboards and alert rules. */
export const HEALTH_FOLDER = 'Platform health';
/** Label the dashboard sidecar watches for. */
export const DASHBOARD_LABEL = 'grafana_dashboard';
/** Label the alerting sidecar watches for: ConfigMaps in Grafana's namespace holding alert rule provisioning files. */
export const ALERT_LABEL = 'grafana_alert';

/**
 * Grafana's JMESPath role mapping on GitHub teams (`@<org>/<team>`): admins → GrafanaAdmin,
 * operators → Editor, every other org member → Viewer.
 */
export function roleAttributePath(organisation: string, adminTeam: string, operatorTeam: string): string {
  return `contains(groups[*], '@${organisation}/${adminTeam}') && 'GrafanaAdmin' || ` + `contains(groups[*], '@${organisation}/${operatorTeam}') && 'Editor' || 'Viewer'`;
}

/** Only the chart values we set (keys checked against grafana 8.15.0 values.yaml). */
interface GrafanaValues {
  readonly 'grafana.ini': Record<string, Record<string, string | boolean>>;
  readonly admin: { readonly existingSecret: string; readonly userKey: string; readonly passwordKey: string };
  readonly envFromSecrets: readonly { readonly name: string }[];
  readonly persistence: { readonly enabled: boolean; readonly type: 'pvc'; readonly storageClassName: string; readonly size: string };
  readonly plugins: readonly string[];
  readonly datasources: { readonly 'datasources.yaml': { readonly apiVersion: 1; readonly datasources: readonly object[] } };
  readonly sidecar: {
    readonly dashboards: { readonly enabled: boolean; readonly label: string; readonly labelValue: string; readonly folderAnnotation: string };
    readonly alerts: { readonly enabled: boolean; readonly label: string; readonly labelValue: string };
  };
  readonly service: { readonly port: number };
  /** Provisioned alerting files (chart 8.15.0 `alerting`: one file per key under provisioning/alerting). */
  readonly alerting: { readonly 'rules.yaml': object };
}

/**
 * Grafana from its pinned chart: GitHub OAuth restricted to the organisation (client secret from
 * Vault), login form off, team → role mapping, persistence on the replicated class, the ClickHouse
 * datasource plugin (pinned) with its datasource and the telemetry dashboards as code, and a route.
 */
export class Grafana extends Construct {
  readonly hostname: string;

  constructor(scope: PlatformChart, id: string, props: GrafanaProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const { github, oauthClientIds } = environment.platform;
    const size = props.persistenceSize ?? '10Gi';
    const errors = ConfigErrors.of(this);
    errors.check(/^\d+(Mi|Gi)$/.test(size), {
      field: 'persistenceSize',
      value: size,
      problem: 'it is not a volume size like "10Gi"',
      fix: 'write the size with a Mi or Gi suffix',
    });
    errors.throwIfAny();

    const route = new PlatformRoute(this, 'Route', {
      host: 'grafana',
      namespace: GRAFANA_NAMESPACE,
      backend: { service: 'grafana', port: 80 },
    });
    this.hostname = route.hostname;

    const oauth = new VaultSecret(this, 'GitHubOAuth', {
      namespace: GRAFANA_NAMESPACE,
      secretName: 'grafana-github-oauth',
      path: 'grafana/github-oauth',
      // Grafana reads GF_<SECTION>_<KEY> from the environment: the secret never enters grafana.ini.
      keys: { GF_AUTH_GITHUB_CLIENT_SECRET: 'client-secret' },
    });
    const clickhouse = new VaultSecret(this, 'ClickHousePassword', {
      namespace: GRAFANA_NAMESPACE,
      secretName: 'grafana-clickhouse',
      path: CLICKHOUSE_USERS_VAULT_PATH,
      keys: { CLICKHOUSE_PASSWORD: CLICKHOUSE_USERS.reader.vaultProperty },
    });
    const admin = new VaultSecret(this, 'Admin', {
      namespace: GRAFANA_NAMESPACE,
      secretName: 'grafana-admin',
      path: 'grafana/admin',
      keys: { 'admin-user': 'user', 'admin-password': 'password' },
    });

    new HelmApplication<GrafanaValues>(this, 'Chart', {
      chart: CHARTS.grafana,
      namespace: GRAFANA_NAMESPACE,
      createNamespace: { podSecurity: 'baseline', mesh: 'excluded' },
      values: {
        'grafana.ini': {
          server: { domain: route.hostname, root_url: `https://${route.hostname}/` },
          auth: { disable_login_form: true },
          'auth.basic': { enabled: false },
          'auth.github': {
            enabled: true,
            client_id: oauthClientIds.grafana,
            scopes: 'user:email,read:org',
            allowed_organizations: github.organisation,
            allow_sign_up: true,
            role_attribute_path: roleAttributePath(github.organisation, github.adminTeam, github.operatorTeam),
            role_attribute_strict: false,
            allow_assign_grafana_admin: true,
          },
          users: { auto_assign_org_role: 'Viewer' },
        },
        admin: { existingSecret: admin.secretName, userKey: 'admin-user', passwordKey: 'admin-password' },
        envFromSecrets: [{ name: oauth.secretName }, { name: clickhouse.secretName }],
        persistence: { enabled: true, type: 'pvc', storageClassName: props.storageClass ?? 'mayastor', size },
        plugins: [`${GRAFANA_PLUGINS.clickhouse.id} ${GRAFANA_PLUGINS.clickhouse.version}`],
        datasources: {
          'datasources.yaml': {
            apiVersion: 1,
            datasources: [
              {
                name: 'ClickHouse (telemetry)',
                uid: CLICKHOUSE_DATASOURCE_UID,
                type: GRAFANA_PLUGINS.clickhouse.id,
                isDefault: true,
                editable: false,
                jsonData: {
                  host: `${CLICKHOUSE_SERVICE.name}.${CLICKHOUSE_SERVICE.namespace}.svc.cluster.local`,
                  port: CLICKHOUSE_SERVICE.nativePort,
                  protocol: 'native',
                  username: CLICKHOUSE_USERS.reader.name,
                  defaultDatabase: TELEMETRY_DATABASE,
                },
                // Interpolated by Grafana from the environment (grafana-clickhouse Secret).
                secureJsonData: { password: '$CLICKHOUSE_PASSWORD' },
              },
            ],
          },
        },
        sidecar: {
          dashboards: { enabled: true, label: DASHBOARD_LABEL, labelValue: '1', folderAnnotation: 'grafana_folder' },
          // alert rules as code (the backups' staleness alerts), from ConfigMaps in this namespace
          alerts: { enabled: true, label: ALERT_LABEL, labelValue: '1' },
        },
        service: { port: 80 },
        // The chart runs `alerting` through tpl: the rules' own {{ $labels.… }} are quoted for it.
        alerting: { 'rules.yaml': helmTplLiteral(healthAlertRules(HEALTH_FOLDER)) },
      },
    });

    const folders = [
      { folder: 'Telemetry', dashboards: telemetryDashboards() },
      { folder: HEALTH_FOLDER, dashboards: healthDashboards() },
    ];
    for (const { folder, dashboards } of folders) {
      for (const [file, json] of Object.entries(dashboards)) {
        new k8s.KubeConfigMap(this, `Dashboard-${file}`, {
          metadata: {
            name: `dashboard-${file.replace(/\.json$/, '')}`,
            namespace: GRAFANA_NAMESPACE,
            labels: { [DASHBOARD_LABEL]: '1' },
            annotations: { grafana_folder: folder },
          },
          data: { [file]: `${JSON.stringify(json, null, 2)}\n` },
        });
      }
    }
  }
}
