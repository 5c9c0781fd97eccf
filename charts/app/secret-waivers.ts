import type { SecretWaiver } from '../../gate/secret-scan.ts';

/**
 * The one reviewed list of secret-scanner false positives (docs/decisions/0903-secret-scanning.md).
 * Each entry names the file and field exactly as the finding does, the rule, and why the value is
 * not a secret. A waiver that matches nothing fails synth, so this list cannot rot.
 */
export const SECRET_WAIVERS_FILE = 'charts/app/secret-waivers.ts';

export const SECRET_WAIVERS: readonly SecretWaiver[] = [
  {
    file: 'dist/prod/clickhouse/clickhouseinstallation-telemetry.yaml',
    field: '/spec/configuration/users/grafana~1k8s_secret_password',
    rule: '@secretlint/secretlint-rule-pattern',
    reason: "the Altinity operator's k8s_secret_password takes a reference <secret>/<key> (clickhouse-users/grafana-password), filled by an ExternalSecret from Vault, not a password",
  },
  {
    file: 'dist/prod/clickhouse/clickhouseinstallation-telemetry.yaml',
    field: '/spec/configuration/users/otel~1k8s_secret_password',
    rule: '@secretlint/secretlint-rule-pattern',
    reason: "the Altinity operator's k8s_secret_password takes a reference <secret>/<key> (clickhouse-users/otel-password), filled by an ExternalSecret from Vault, not a password",
  },
  {
    file: 'dist/prod/clickhouse/clickhouseinstallation-telemetry.yaml',
    field: '/spec/configuration/users/backup~1k8s_secret_password',
    rule: '@secretlint/secretlint-rule-pattern',
    reason: "the Altinity operator's k8s_secret_password takes a reference <secret>/<key> to the backup user's password, filled by an ExternalSecret from Vault (docs/backups.md), not a password",
  },
  {
    file: 'test/reliability/more-cases.ts',
    reason: 'the bad-input corpus: fake secrets (made up, never valid anywhere) fed to synth to prove the scanner refuses them',
  },
];
