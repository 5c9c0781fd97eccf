import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { longestGapMinutes, parseWeeklySchedule } from '../../lib/cron.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import type { Need } from '../../lib/needs.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';
import { VAULT, VAULT_ADDRESS, vaultAuthMount } from '../../lib/vault.ts';
import { VaultKubernetesRole, VaultPolicy } from '../../lib/vault-config.ts';
import { VAULT_IMAGE } from '../vault/vault.ts';
import { CLICKHOUSE_IMAGE, CLICKHOUSE_NAMESPACE, CLICKHOUSE_SERVICE, CLICKHOUSE_USERS, CLICKHOUSE_USERS_VAULT_PATH, TELEMETRY_CLUSTER, TELEMETRY_DATABASE, TELEMETRY_INSTALLATION } from '../clickhouse/clickhouse.ts';
import { CLICKHOUSE_DATASOURCE_UID, everyShard } from '../grafana/dashboards.ts';
import { ALERT_LABEL, GRAFANA_NAMESPACE } from '../grafana/grafana.ts';
import { COLLECTOR_SERVICE, OTEL_NAMESPACE, OTLP_HTTP_PORT } from '../opentelemetry/opentelemetry.ts';
import { raftSnapshotPolicy } from '../vault/policies.ts';
import { BackupBucket } from './backup-bucket.ts';
import { BACKUP_SUCCESS_METRIC, BACKUP_TARGET_ATTRIBUTE, BackupCronJob } from './backup-job.ts';
import { toYaml } from '../../lib/render.ts';

/** How one stateful service is backed up: when, for how long, as whom. */
export interface BackupTarget {
  /** Kubernetes CronJob schedule, in UTC, repeating every week (e.g. `'15 2 * * *'`, daily at 02:15). */
  readonly schedule: string;
  /** Days a backup stays in the bucket; its lifecycle rule deletes older ones. */
  readonly retentionDays: number;
  /**
   * The GCP service account the job writes as (`<name>@<project>.iam.gserviceaccount.com`), created
   * by hand with its key in Vault (docs/runbooks/restore.md); the only identity with access to its
   * prefix of the bucket.
   */
  readonly gcpServiceAccount: string;
}

export interface BackupsProps {
  /** Name of the GCS bucket (globally unique; created by Crossplane in the GCP ProviderConfig's project). */
  readonly bucket: string;
  /** GCS location of the bucket. @default the platform's GCP region */
  readonly location?: string;
  /** Raft snapshots of Vault: every secret of the platform and its members. */
  readonly vault: BackupTarget;
  /** `BACKUP DATABASE` of the telemetry installation to the bucket's S3 endpoint (HMAC keys). */
  readonly clickhouse: BackupTarget;
  /** Days a replaced or deleted object version stays (versioning). @default 7 */
  readonly noncurrentVersionDays?: number;
  /**
   * Vault paths (kv-system) of the credentials: the Vault job's service-account key (property
   * `service-account-key`), ClickHouse's HMAC key (`access-id`, `secret`).
   * @default { vault: 'backups/vault-gcs', clickhouse: 'backups/clickhouse-hmac' }
   */
  readonly credentials?: { readonly vault: string; readonly clickhouse: string };
}

/** The Vault role and policy of the snapshot job (Kubernetes auth of the environment's cluster). */
export const VAULT_SNAPSHOT_ROLE = 'raft-snapshot';
/** GCS's S3-compatible endpoint (HMAC keys; cloud.google.com/storage/docs/interoperability). */
export const GCS_S3_ENDPOINT = 'https://storage.googleapis.com';

/**
 * Stateful services that are not backed up, and why. docs/backups.md lists them (a test keeps the
 * two in step); a new stateful service goes either into `BackupsProps` or here.
 */
export const NOT_BACKED_UP: Readonly<Record<string, string>> = {
  'Grafana database': 'users and preferences only: dashboards, datasource and alert rules are code, users come back from GitHub at their next login',
  'ClickHouse Keeper': 'replication metadata, rebuilt from the replicas (SYSTEM RESTORE REPLICA after a restore); the data is in the ClickHouse backup',
  'Argo CD': 'its state is git: the root Application, recreated at bootstrap, recreates the rest',
  'vcluster etcd (staging, sandbox)': 'rebuilt from git by their roots; what runs there is deployed through Argo CD',
  'personal sandbox volumes': 'disposable by design: a sandbox expires and its data with it (docs/guides)',
  'KubeVirt / CDI volumes': "disk images are imported from their source URLs; VMs are members' experiments, not platform state",
  'cert-manager certificates': 'reissued by ACME and the internal CA; the CA key itself is regenerated and redistributed at rebuild',
  'Mayastor pools': 'the storage layer: what matters on it is backed up through the services above',
  Crossplane: 'managed resources are git; the GCP resources they created are orphaned, not deleted, and re-adopted by name',
  'Vault audit log': "each pod's audit volume is a trail of the old cluster, not state to restore; a rebuilt Vault starts a new trail",
};

/** A user-managed service account of a project: `<6-30 chars>@<project id>.iam.gserviceaccount.com`. */
const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** Checks one target; returns its schedule's longest gap in minutes when the schedule is valid. */
function problems(errors: ConfigErrors, field: string, target: BackupTarget | undefined): number | undefined {
  if (!errors.check(target !== undefined, { field, value: target, problem: 'every stateful service with data git cannot rebuild is backed up', fix: `set ${field}: { schedule, retentionDays, gcpServiceAccount }` }))
    return undefined;
  let gapMinutes: number | undefined;
  try {
    gapMinutes = longestGapMinutes(parseWeeklySchedule(target!.schedule));
  } catch (error) {
    errors.add({ field: `${field}.schedule`, value: target!.schedule, problem: (error as Error).message, fix: "write a CronJob schedule like '15 2 * * *'" });
  }
  errors.checkRange(`${field}.retentionDays`, target!.retentionDays, 1, 365, 'a backup is kept between a day and a year');
  if (gapMinutes !== undefined && Number.isInteger(target!.retentionDays)) {
    errors.check(target!.retentionDays * 1440 >= 2 * gapMinutes, {
      field: `${field}.retentionDays`,
      value: target!.retentionDays,
      problem: `backups run up to ${gapMinutes / 60} h apart, so fewer than two backups would be in the bucket`,
      fix: `keep at least ${Math.ceil((2 * gapMinutes) / 1440)} days`,
    });
  }
  errors.check(GCP_SERVICE_ACCOUNT.test(target!.gcpServiceAccount ?? ''), {
    field: `${field}.gcpServiceAccount`,
    value: target!.gcpServiceAccount,
    problem: 'the job writes to the bucket as a GCP service account, and only that identity gets access',
    fix: 'give the e-mail of the service account whose key is in Vault, e.g. "vault-backups@<project>.iam.gserviceaccount.com"',
  });
  return gapMinutes;
}

/**
 * Backups of the platform's state that git cannot rebuild: a GCS bucket (Crossplane) with versioning
 * and per-target retention, Vault raft snapshots and ClickHouse backups on a schedule from the
 * environment data, their credentials from Vault, and a Grafana alert per target when its newest
 * backup is older than twice its schedule's longest gap. docs/backups.md, docs/runbooks/restore.md.
 */
export class Backups extends Construct {
  constructor(scope: PlatformChart, id: string, props: BackupsProps) {
    super(scope, id);
    const { environment } = scope;
    const errors = ConfigErrors.of(this);
    errors.check(typeof props.bucket === 'string' && /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(props.bucket) && !props.bucket.startsWith('goog'), {
      field: 'bucket',
      value: props.bucket,
      problem: 'the backups need a bucket, named 3 to 63 lower-case letters, digits, dashes and underscores (not starting with "goog")',
      fix: 'name the bucket, e.g. "cedille-platform-backups"',
    });
    const credentials = props.credentials ?? { vault: 'backups/vault-gcs', clickhouse: 'backups/clickhouse-hmac' };
    for (const [target, path] of Object.entries(credentials)) {
      errors.check(typeof path === 'string' && path.length > 0, {
        field: `credentials.${target}`,
        value: path,
        problem: `the ${target} backup job reads its bucket credentials from Vault (kv-system) and no path is given`,
        fix: `give the Vault path of the credentials, e.g. "backups/${target}"`,
      });
    }
    const vaultGap = problems(errors, 'vault', props.vault);
    const clickhouseGap = problems(errors, 'clickhouse', props.clickhouse);
    errors.throwIfAny();

    new BackupBucket(this, 'Bucket', {
      name: props.bucket,
      location: (props.location ?? environment.platform.gcp.region).toUpperCase(),
      noncurrentVersionDays: props.noncurrentVersionDays ?? 7,
      prefixes: [
        { prefix: 'vault', retentionDays: props.vault.retentionDays, writer: props.vault.gcpServiceAccount },
        { prefix: 'clickhouse', retentionDays: props.clickhouse.retentionDays, writer: props.clickhouse.gcpServiceAccount },
      ],
    });
    const bucketNeed: Need = { group: 'storage.gcp.upbound.io', kind: 'Bucket', name: props.bucket };
    const otlpEndpoint = `http://${COLLECTOR_SERVICE}.${OTEL_NAMESPACE}.svc:${OTLP_HTTP_PORT}`;

    this.vaultSnapshots(props.bucket, props.vault.schedule, credentials.vault, bucketNeed, otlpEndpoint, vaultAuthMount(environment));
    this.clickhouseBackups(props.bucket, props.clickhouse.schedule, credentials.clickhouse, bucketNeed, otlpEndpoint);
    this.stalenessAlerts({ vault: vaultGap!, clickhouse: clickhouseGap! });
  }

  /** `vault operator raft snapshot save` with a token of the snapshot-only role, then `gcloud storage cp`. */
  private vaultSnapshots(bucket: string, schedule: string, credentialsPath: string, bucketNeed: Need, otlpEndpoint: string, authMount: string): void {
    const namespace = VAULT.namespace;
    const policy = new VaultPolicy(this, 'SnapshotPolicy', { name: VAULT_SNAPSHOT_ROLE, policy: raftSnapshotPolicy() });
    const gcs = new VaultSecret(this, 'VaultGcsCredentials', {
      namespace,
      secretName: 'backup-vault-gcs',
      path: credentialsPath,
      keys: { 'credentials.json': 'service-account-key' },
    });
    const job = new BackupCronJob(this, 'Vault', {
      target: 'vault',
      namespace,
      schedule,
      otlpEndpoint,
      serviceAccountToken: true,
      needs: [
        bucketNeed,
        { group: 'redhatcop.redhat.io', kind: 'KubernetesAuthEngineRole', namespace, name: VAULT_SNAPSHOT_ROLE },
        { group: 'redhatcop.redhat.io', kind: 'Policy', namespace, name: policy.name },
        { group: '', kind: 'Secret', namespace, name: gcs.secretName },
        { group: '', kind: 'Secret', namespace, name: VAULT.tlsSecret },
      ],
      volumes: [
        { name: 'vault-ca', secret: { secretName: VAULT.tlsSecret, items: [{ key: VAULT.caKey, path: VAULT.caKey }] } },
        { name: 'gcs', secret: { secretName: gcs.secretName } },
      ],
      steps: [
        {
          name: 'snapshot',
          image: imageRef(VAULT_IMAGE),
          runAsUser: 100,
          env: [
            { name: 'VAULT_ADDR', value: VAULT_ADDRESS },
            { name: 'VAULT_CACERT', value: `/vault-ca/${VAULT.caKey}` },
          ],
          volumeMounts: [{ name: 'vault-ca', mountPath: '/vault-ca', readOnly: true }],
          script: [
            `VAULT_TOKEN=$(vault write -field=token auth/${authMount}/login role=${VAULT_SNAPSHOT_ROLE} jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)`,
            'export VAULT_TOKEN',
            'vault operator raft snapshot save /tmp/vault.snap',
            '',
          ].join('\n'),
        },
        {
          name: 'upload',
          image: imageRef(IMAGES.googleCloudCli),
          runAsUser: 65532,
          env: [
            { name: 'CLOUDSDK_CONFIG', value: '/tmp/gcloud' },
            // the root file system is read-only: no update check, no bytecode cache
            { name: 'CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK', value: 'true' },
            { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
            { name: 'BUCKET', value: bucket },
          ],
          volumeMounts: [{ name: 'gcs', mountPath: '/gcs', readOnly: true }],
          script: ['gcloud auth activate-service-account --key-file=/gcs/credentials.json --quiet', 'gcloud storage cp /tmp/vault.snap "gs://$BUCKET/vault/$(date -u +%Y%m%dT%H%M%SZ).snap"', ''].join('\n'),
        },
      ],
    });
    // The job's service account is the only one the role admits; the policy allows the snapshot path only.
    new VaultKubernetesRole(this, 'SnapshotRole', {
      name: VAULT_SNAPSHOT_ROLE,
      authMount,
      policies: [policy.name],
      serviceAccounts: [job.serviceAccountName],
      namespaces: { targetNamespaces: [namespace] },
    });
  }

  /**
   * `BACKUP DATABASE otel ON CLUSTER telemetry TO S3(…)`: every shard writes its part straight to the
   * bucket through GCS's S3 endpoint, as the `backup` user, with the HMAC key of the ClickHouse
   * backup identity. The job pod only sends the statement; the data never passes through it.
   */
  private clickhouseBackups(bucket: string, schedule: string, credentialsPath: string, bucketNeed: Need, otlpEndpoint: string): void {
    const namespace = CLICKHOUSE_NAMESPACE;
    const hmac = new VaultSecret(this, 'ClickHouseHmac', {
      namespace,
      secretName: 'backup-clickhouse-hmac',
      path: credentialsPath,
      keys: { 'access-id': 'access-id', secret: 'secret' },
    });
    const password = new VaultSecret(this, 'ClickHouseBackupPassword', {
      namespace,
      secretName: 'backup-clickhouse-user',
      path: CLICKHOUSE_USERS_VAULT_PATH,
      keys: { password: CLICKHOUSE_USERS.backup.vaultProperty },
    });
    const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    new BackupCronJob(this, 'ClickHouse', {
      target: 'clickhouse',
      namespace,
      schedule,
      otlpEndpoint,
      needs: [
        bucketNeed,
        { group: 'clickhouse.altinity.com', kind: 'ClickHouseInstallation', namespace, name: TELEMETRY_INSTALLATION },
        { group: '', kind: 'Secret', namespace, name: hmac.secretName },
        { group: '', kind: 'Secret', namespace, name: password.secretName },
      ],
      steps: [
        {
          name: 'backup',
          image: CLICKHOUSE_IMAGE,
          // the image's clickhouse user
          runAsUser: 101,
          env: [
            { name: 'BUCKET_URL', value: `${GCS_S3_ENDPOINT}/${bucket}/clickhouse` },
            fromSecret('CLICKHOUSE_PASSWORD', password.secretName, 'password'),
            fromSecret('HMAC_ACCESS_ID', hmac.secretName, 'access-id'),
            fromSecret('HMAC_SECRET', hmac.secretName, 'secret'),
          ],
          script: [
            'name=$(date -u +%Y%m%dT%H%M%SZ)',
            // BACKUP waits for every shard; the credentials are masked in ClickHouse's logs
            `clickhouse-client --host ${CLICKHOUSE_SERVICE.name} --port ${CLICKHOUSE_SERVICE.nativePort} --user ${CLICKHOUSE_USERS.backup.name} --password "$CLICKHOUSE_PASSWORD" --receive_timeout 10800 \\`,
            `  --query "BACKUP DATABASE ${TELEMETRY_DATABASE} ON CLUSTER ${TELEMETRY_CLUSTER} TO S3('$BUCKET_URL/$name', '$HMAC_ACCESS_ID', '$HMAC_SECRET')"`,
            '',
          ].join('\n'),
        },
      ],
    });
  }

  /**
   * One Grafana alert rule per target (file provisioning format, Grafana 11.6
   * docs/sources/alerting/set-up/provision-alerting-resources/file-provisioning): the age of the
   * newest success the jobs reported, from the collector's ClickHouse tables. No row at all (never
   * succeeded, or older than the telemetry TTL) gives an age since 1970: the alert fires too.
   */
  private stalenessAlerts(gapMinutes: Readonly<Record<'vault' | 'clickhouse', number>>): void {
    const rules = Object.entries(gapMinutes).map(([target, gap]) => {
      const threshold = 2 * gap * 60;
      return {
        uid: `backup-stale-${target}`,
        title: `${target} backup older than ${(2 * gap) / 60} h`,
        condition: 'STALE',
        data: [
          {
            refId: 'AGE',
            relativeTimeRange: { from: 600, to: 0 },
            datasourceUid: CLICKHOUSE_DATASOURCE_UID,
            // grafana-clickhouse-datasource 4.x query model: SQL editor, table format (1)
            model: {
              refId: 'AGE',
              editorType: 'sql',
              queryType: 'table',
              format: 1,
              rawSql: `SELECT dateDiff('second', max(TimeUnix), now()) AS age_seconds FROM ${everyShard('otel_metrics_gauge')} WHERE MetricName = '${BACKUP_SUCCESS_METRIC}' AND Attributes['${BACKUP_TARGET_ATTRIBUTE}'] = '${target}'`,
            },
          },
          {
            refId: 'STALE',
            datasourceUid: '__expr__',
            model: { refId: 'STALE', type: 'threshold', expression: 'AGE', conditions: [{ evaluator: { type: 'gt', params: [threshold] } }] },
          },
        ],
        noDataState: 'Alerting',
        execErrState: 'Error',
        for: '0s',
        annotations: {
          summary: `The newest ${target} backup is older than twice its schedule's longest gap (${threshold} s).`,
          description: `kubectl -n ${target === 'vault' ? VAULT.namespace : CLICKHOUSE_NAMESPACE} get jobs -l app.kubernetes.io/name=backup-${target}; docs/runbooks/restore.md`,
        },
        labels: { severity: 'critical', service: target },
      };
    });
    const file = { apiVersion: 1, groups: [{ orgId: 1, name: 'backups', folder: 'Backups', interval: '5m', rules }] };
    const alerts = new k8s.KubeConfigMap(this, 'StalenessAlerts', {
      metadata: { name: 'alerts-backups', namespace: GRAFANA_NAMESPACE, labels: { [ALERT_LABEL]: '1' } },
      data: { 'backups.yaml': toYaml(file) },
    });
    setSyncWave(alerts, Wave.DEFAULT);
  }
}
