import type { ControllerDeclaration } from '../../lib/controller-model.ts';
import { CLICKHOUSE_NAMESPACE, TELEMETRY_INSTALLATION } from '../clickhouse/clickhouse.ts';

/**
 * The backups as data for `npm run converge`: what Vault holds for the backup jobs once the
 * identities are made (docs/runbooks/restore.md §1), and the restore as a manual step of the
 * bootstrap (docs/bootstrap.md §8). The Vault restore is §6 itself on a rebuild (restore instead of
 * init: same moment, same wait for Vault's pods, nothing made in the cluster); the ClickHouse restore
 * waits for the telemetry installation, whose users' passwords come from the restored Vault.
 */
export const BACKUPS_CONTROLLER: ControllerDeclaration = {
  service: 'backups',
  vaultContents: {
    'kv-system/backups/vault-gcs': ['service-account-key'],
    'kv-system/backups/clickhouse-hmac': ['access-id', 'secret'],
  },
  runbook: [
    {
      section: 8,
      title: "On a rebuild: restore ClickHouse's telemetry",
      id: 'clickhouse-restore',
      after: () => [
        {
          ref: { group: 'clickhouse.altinity.com', kind: 'ClickHouseInstallation', namespace: CLICKHOUSE_NAMESPACE, name: TELEMETRY_INSTALLATION },
          what: `ClickHouseInstallation ${CLICKHOUSE_NAMESPACE}/${TELEMETRY_INSTALLATION} in the cluster`,
        },
      ],
      // RESTORE writes table data inside ClickHouse; no Kubernetes object
      makes: () => [],
    },
  ],
};
