import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import type { Manifest } from '../../charts/lib/manifest.ts';
import { NEEDS_ANNOTATION } from '../../charts/lib/needs.ts';
import { Backups, NOT_BACKED_UP, type BackupsProps } from '../../charts/platform/backups/backups.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { runGate } from '../../gate/gate.ts';
import { visitSecretReferences } from '../../gate/secret-references.ts';
import { converge } from '../../tools/converge/index.ts';
import { readDistDir } from '../../tools/dist-tree.ts';
import { configErrors, environment, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

const PROD_BACKUPS = environment('prod').services.backups!;
/** One build of every environment, shared by the tests that read the whole platform. */
const PLATFORM = realBuild();

function render(changes: Partial<BackupsProps> = {}) {
  const chart = testChart('prod', 'backups');
  new Backups(chart, 'Backups', { ...PROD_BACKUPS, ...changes });
  return objectsOf(chart);
}

/** Every `path "…"` of an HCL policy, with its capabilities. */
function policyPaths(hcl: string): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const match of hcl.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/g)) {
    paths[match[1]!] = match[2]!.split(',').map((c) => c.trim().replace(/"/g, ''));
  }
  return paths;
}

describe('Backups', () => {
  const objects = render();

  it('backs up every stateful service of prod that git cannot rebuild, into a bucket made by the platform', () => {
    const prod = manifestsOf(PLATFORM, 'prod', 'backups').map((m) => `${m.object.kind} ${m.object.metadata.namespace ?? ''}/${m.object.metadata.name}`);
    expect(prod).toEqual(expect.arrayContaining(['Bucket /cedille-platform-backups', 'CronJob vault/backup-vault', 'CronJob clickhouse/backup-clickhouse', 'ConfigMap grafana/alerts-backups']));
  });

  it('keeps versions and deletes each target’s backups after its retention from the data', () => {
    const bucket = find(objects, 'Bucket', 'cedille-platform-backups');
    expect(bucket.spec.deletionPolicy).toBe('Orphan');
    expect(bucket.spec.forProvider).toMatchObject({ location: 'NORTHAMERICA-NORTHEAST1', versioning: [{ enabled: true }], uniformBucketLevelAccess: true, publicAccessPrevention: 'enforced' });
    expect(bucket.spec.forProvider.lifecycleRule).toEqual([
      { action: [{ type: 'Delete' }], condition: [{ age: PROD_BACKUPS.vault.retentionDays, matchesPrefix: ['vault/'] }] },
      { action: [{ type: 'Delete' }], condition: [{ age: PROD_BACKUPS.clickhouse.retentionDays, matchesPrefix: ['clickhouse/'] }] },
      { action: [{ type: 'Delete' }], condition: [{ daysSinceNoncurrentTime: 7, withState: 'ARCHIVED' }] },
    ]);
    const changed = render({ vault: { ...PROD_BACKUPS.vault, retentionDays: 90 } });
    expect(find(changed, 'Bucket', 'cedille-platform-backups').spec.forProvider.lifecycleRule[0].condition[0].age).toBe(90);
  });

  it('gives the bucket to the backup identities only, and none of them may delete', () => {
    const members = objects.filter((o) => o.kind === 'BucketIAMMember') as any[];
    expect(members.map((m) => [m.spec.forProvider.member, m.spec.forProvider.role]).sort()).toEqual([
      ['serviceAccount:clickhouse-backups@fine-harbor-276700.iam.gserviceaccount.com', 'roles/storage.objectCreator'],
      ['serviceAccount:clickhouse-backups@fine-harbor-276700.iam.gserviceaccount.com', 'roles/storage.objectViewer'],
      ['serviceAccount:vault-backups@fine-harbor-276700.iam.gserviceaccount.com', 'roles/storage.objectCreator'],
      ['serviceAccount:vault-backups@fine-harbor-276700.iam.gserviceaccount.com', 'roles/storage.objectViewer'],
    ]);
    expect(members.every((m) => m.spec.forProvider.bucketRef.name === 'cedille-platform-backups')).toBe(true);
  });

  it('lets the Vault job take raft snapshots and nothing else', () => {
    const policy = find(objects, 'Policy', 'raft-snapshot', 'vault');
    expect(policyPaths(policy.spec.policy)).toEqual({ 'sys/storage/raft/snapshot': ['read'] });
    const role = find(objects, 'KubernetesAuthEngineRole', 'raft-snapshot', 'vault');
    expect(role.spec).toMatchObject({
      path: 'cluster/prod',
      policies: ['raft-snapshot'],
      targetServiceAccounts: ['backup-vault'],
      targetNamespaces: { targetNamespaces: ['vault'] },
    });
    const job = find(objects, 'CronJob', 'backup-vault', 'vault').spec.jobTemplate.spec.template.spec;
    expect(job.serviceAccountName).toBe('backup-vault');
    expect(job.initContainers.map((c: any) => c.name)).toEqual(['snapshot', 'upload']);
    expect(job.initContainers[0].command[2]).toContain('vault write -field=token auth/cluster/prod/login role=raft-snapshot');
  });

  it('takes the schedules from the environment data', () => {
    expect(find(objects, 'CronJob', 'backup-vault', 'vault').spec.schedule).toBe(PROD_BACKUPS.vault.schedule);
    expect(find(objects, 'CronJob', 'backup-clickhouse', 'clickhouse').spec.schedule).toBe(PROD_BACKUPS.clickhouse.schedule);
    const hourly = render({ clickhouse: { ...PROD_BACKUPS.clickhouse, schedule: '5 * * * *' } });
    expect(find(hourly, 'CronJob', 'backup-clickhouse', 'clickhouse').spec.schedule).toBe('5 * * * *');
  });

  it('alerts when the newest backup is older than twice the longest gap of its schedule', () => {
    const alertsOf = (objs: readonly any[]) => parse(find(objs, 'ConfigMap', 'alerts-backups', 'grafana').data['backups.yaml']).groups[0].rules;
    const thresholds = (objs: readonly any[]) => Object.fromEntries(alertsOf(objs).map((r: any) => [r.uid, r.data[1].model.conditions[0].evaluator.params[0]]));
    // prod: every 6 h → 12 h; daily → 48 h
    expect(thresholds(objects)).toEqual({ 'backup-stale-vault': 12 * 3600, 'backup-stale-clickhouse': 48 * 3600 });
    expect(thresholds(render({ vault: { ...PROD_BACKUPS.vault, schedule: '0 3 * * 1,4' } }))['backup-stale-vault']).toBe(2 * 4 * 24 * 3600);
    const [vault] = alertsOf(objects);
    expect(vault.data[0].model.rawSql).toContain("MetricName = 'platform.backup.last_success' AND Attributes['backup.target'] = 'vault'");
    expect(vault.noDataState).toBe('Alerting');
    expect(find(objects, 'ConfigMap', 'alerts-backups', 'grafana').metadata.labels.grafana_alert).toBe('1');
  });

  it('reads every credential from Vault through External Secrets', () => {
    const secrets = objects.filter((o) => o.kind === 'ExternalSecret') as any[];
    expect(secrets.map((s) => [s.metadata.namespace, s.spec.target.name, s.spec.data.map((d: any) => `${d.remoteRef.key}#${d.remoteRef.property}`)])).toEqual([
      ['vault', 'backup-vault-gcs', ['backups/vault-gcs#service-account-key']],
      ['clickhouse', 'backup-clickhouse-hmac', ['backups/clickhouse-hmac#access-id', 'backups/clickhouse-hmac#secret']],
      ['clickhouse', 'backup-clickhouse-user', ['clickhouse/users#backup-password']],
    ]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('is validated by the gate against the pinned CRDs of the bucket kinds (strict: an unknown field is an error)', () => {
    const own = manifestsOf(PLATFORM, 'prod', 'backups');
    const schemaErrors = (tree: readonly Manifest[]) => runGate(tree, { only: ['schema'] }).errors.map((e) => `${e.object} ${e.field}: ${e.message}`);
    expect(schemaErrors(own)).toEqual([]);
    const typo = own.map((m) =>
      m.object.kind === 'Bucket' ? { ...m, object: { ...m.object, spec: { ...(m.object as any).spec, forProvider: { ...(m.object as any).spec.forProvider, versioning: [{ enable: true }] } } } } : m,
    );
    expect(schemaErrors(typo)).toEqual([expect.stringMatching(/^Bucket cedille-platform-backups \/spec\/forProvider\/versioning\/0\/enable: unknown field "enable"/)]);
  });

  it('fails when the bucket is missing', () => {
    expect(configErrors(() => render({ bucket: '' }))).toEqual([
      'prod › backups/Backups: bucket is "" but the backups need a bucket, named 3 to 63 lower-case letters, digits, dashes and underscores (not starting with "goog"); name the bucket, e.g. "cedille-platform-backups"',
    ]);
  });

  it('fails when a target has no identity to write with', () => {
    expect(configErrors(() => render({ vault: { ...PROD_BACKUPS.vault, gcpServiceAccount: '' } }))).toEqual([
      'prod › backups/Backups: vault.gcpServiceAccount is "" but the job writes to the bucket as a GCP service account, and only that identity gets access; give the e-mail of the service account whose key is in Vault, e.g. "vault-backups@<project>.iam.gserviceaccount.com"',
    ]);
  });

  it('fails when a credential has no Vault path', () => {
    expect(configErrors(() => render({ credentials: { vault: 'backups/vault-gcs', clickhouse: '' } }))).toEqual([
      'prod › backups/Backups: credentials.clickhouse is "" but the clickhouse backup job reads its bucket credentials from Vault (kv-system) and no path is given; give the Vault path of the credentials, e.g. "backups/clickhouse"',
    ]);
  });

  it('fails when a stateful service has no backup', () => {
    expect(configErrors(() => render({ clickhouse: undefined as never }))).toEqual([
      'prod › backups/Backups: clickhouse is missing but every stateful service with data git cannot rebuild is backed up; set clickhouse: { schedule, retentionDays, gcpServiceAccount }',
    ]);
  });

  it('fails on a schedule it cannot size an alert for', () => {
    expect(configErrors(() => render({ vault: { ...PROD_BACKUPS.vault, schedule: '0 3 1 * *' } }))).toEqual([
      `prod › backups/Backups: vault.schedule is "0 3 1 * *" but only schedules that repeat every week are supported (day-of-month and month "*"); write a CronJob schedule like '15 2 * * *'`,
    ]);
  });

  it('fails when retention keeps fewer than two backups', () => {
    expect(configErrors(() => render({ clickhouse: { ...PROD_BACKUPS.clickhouse, schedule: '0 3 * * 0', retentionDays: 10 } }))).toEqual([
      'prod › backups/Backups: clickhouse.retentionDays is 10 but backups run up to 168 h apart, so fewer than two backups would be in the bucket; keep at least 14 days',
    ]);
  });

  it('lists in docs every stateful service it does not back up, with its reason', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'backups.md'), 'utf8');
    for (const [service, reason] of Object.entries(NOT_BACKED_UP)) expect(doc).toContain(`| ${service} | ${reason} |`);
  });
});

describe('gate rule needs (backup jobs)', () => {
  const manifests = PLATFORM.manifests;
  const facts = gateFacts(ENVIRONMENTS);
  const needsErrors = (tree: readonly Manifest[]) => runGate(tree, { facts, only: ['needs'] }).errors.map((e) => `${e.file}: ${e.message}`);
  const isObject = (m: Manifest, kind: string, name: string) => m.object.kind === kind && m.object.metadata.name === name;
  const withWave = (m: Manifest, wave: number): Manifest => ({
    ...m,
    object: { ...m.object, metadata: { ...m.object.metadata, annotations: { ...m.object.metadata.annotations, 'argocd.argoproj.io/sync-wave': String(wave) } } },
  });

  it('passes on the platform', () => {
    expect(needsErrors(manifests)).toEqual([]);
    expect(
      manifests
        .filter((m) => m.object.metadata.annotations?.[NEEDS_ANNOTATION])
        .map((m) => m.object.metadata.name)
        .sort(),
    ).toEqual(['backup-clickhouse', 'backup-vault']);
  });

  it('catches a job whose bucket nothing creates', () => {
    expect(needsErrors(manifests.filter((m) => !isObject(m, 'Bucket', 'cedille-platform-backups')))).toEqual([
      'prod/backups/cronjob-backup-clickhouse.yaml: needs Bucket.storage.gcp.upbound.io/cedille-platform-backups, which nothing in prod creates; create it, or fix the name',
      'prod/backups/cronjob-backup-vault.yaml: needs Bucket.storage.gcp.upbound.io/cedille-platform-backups, which nothing in prod creates; create it, or fix the name',
    ]);
  });

  it('catches a job whose credentials Secret is created after it', () => {
    const late = manifests.map((m) => (isObject(m, 'ExternalSecret', 'backup-vault-gcs') ? withWave(m, 3) : m));
    expect(needsErrors(late)).toEqual([
      'prod/backups/cronjob-backup-vault.yaml: needs Secret/vault/backup-vault-gcs, which is applied after it: ExternalSecret vault/backup-vault-gcs at wave 3 of this folder (this object: wave 2); move it to an earlier wave or make this service depend on the one that creates it',
    ]);
  });

  it('catches a job whose Vault role comes from a folder synced later', () => {
    const root = (name: string) => manifests.find((m) => m.folder === 'root' && isObject(m, 'Application', name))!;
    const backupsWave = Number(root('prod-backups').object.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    // the role moved to a folder whose Application syncs after the backups'
    const moved = manifests.map((m) => {
      if (isObject(m, 'KubernetesAuthEngineRole', 'raft-snapshot')) return { ...m, folder: 'sample-late' };
      return m;
    });
    const lateApp = withWave(
      {
        ...root('prod-backups'),
        object: {
          ...root('prod-backups').object,
          metadata: { ...root('prod-backups').object.metadata, name: 'prod-sample-late' },
          spec: { ...(root('prod-backups').object as any).spec, source: { ...(root('prod-backups').object as any).spec.source, path: 'prod/sample-late' } },
        },
      },
      backupsWave + 10,
    );
    expect(needsErrors([...moved, lateApp])).toEqual([
      `prod/backups/cronjob-backup-vault.yaml: needs KubernetesAuthEngineRole.redhatcop.redhat.io/vault/raft-snapshot, which is applied after it: KubernetesAuthEngineRole vault/raft-snapshot in folder sample-late/ (Application wave ${backupsWave + 10}; this folder: ${backupsWave}); move it to an earlier wave or make this service depend on the one that creates it`,
    ]);
  });

  it('each job declares every Secret its pod reads, so the rule sees them all', () => {
    for (const job of manifests.filter((m) => m.object.kind === 'CronJob' && m.folder === 'backups')) {
      const read = new Set<string>();
      visitSecretReferences((job.object as any).spec.jobTemplate.spec.template.spec, (ref) => read.add(`Secret/${job.object.metadata.namespace}/${ref.name}`));
      expect(read.size).toBeGreaterThan(0);
      for (const secret of read) expect(job.object.metadata.annotations![NEEDS_ANNOTATION]!.split(',')).toContain(secret);
    }
  });

  it('rejects a malformed need', () => {
    const bad = manifests.map((m) =>
      isObject(m, 'CronJob', 'backup-vault') ? { ...m, object: { ...m.object, metadata: { ...m.object.metadata, annotations: { ...m.object.metadata.annotations, [NEEDS_ANNOTATION]: 'the bucket' } } } } : m,
    );
    expect(needsErrors(bad)).toEqual(['prod/backups/cronjob-backup-vault.yaml: "the bucket" is not Kind[.group]/[namespace/]name (e.g. Secret/vault/backups-gcs)']);
  });
});

describe('restore in the convergence model (npm run converge)', () => {
  const tree = readDistDir(join(REPO_ROOT, 'dist'));
  const restoreAt = (t: typeof tree) => converge(t).result.runbook.find((s) => s.step.id === 'clickhouse-restore')!.at;

  it('restores ClickHouse by hand once the clickhouse folder has synced the installation, and not before', () => {
    const result = converge(tree).result;
    const clickhouse = result.apps.find((a) => a.name === 'prod-clickhouse')!;
    const at = result.runbook.find((s) => s.step.id === 'clickhouse-restore')!.at!;
    expect(at).toBeGreaterThanOrEqual(clickhouse.syncedAt!);
    const withoutInstallation = new Map(tree);
    withoutInstallation.delete('prod/clickhouse/clickhouseinstallation-telemetry.yaml');
    expect(restoreAt(withoutInstallation)).toBeUndefined();
  });
});
