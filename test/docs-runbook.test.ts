import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHARTS, IMAGES } from '../charts/environments/catalogue.ts';
import { PLATFORM } from '../charts/environments/platform.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { environment } from './helpers.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('docs stay true (runbook, links)', () => {
  it('the bootstrap runbook names the pinned Argo CD chart and image, the KMS key and the root that exists', () => {
    const runbook = read('docs/bootstrap.md');
    expect(runbook).toContain(`--version ${CHARTS.argoCd.version}`);
    expect(runbook).toContain(`global.image.tag=${IMAGES.argoCd.tag}`);
    expect(runbook).toContain(`--repo ${CHARTS.argoCd.repoURL}`);
    expect(runbook).toContain(PLATFORM.gcp.kms.keyRing);
    expect(runbook).toContain(PLATFORM.gcp.kms.cryptoKey);
    expect(runbook).toContain(PLATFORM.gcp.region);
    const root = 'dist/prod/root/application-prod-root.yaml';
    expect(runbook).toContain(`kubectl apply -f ${root}`);
    expect(existsSync(join(REPO_ROOT, root))).toBe(true);
  });

  it('every relative link of the docs and the README points at a file that exists', () => {
    const pages = ['README.md', 'docs/bootstrap.md', 'docs/adding-a-service.md', 'docs/architecture.md', 'docs/services.md', 'docs/backups.md', 'docs/runbooks/restore.md'];
    const broken: string[] = [];
    for (const page of pages) {
      const dir = page.includes('/') ? page.slice(0, page.lastIndexOf('/')) : '.';
      for (const [, target] of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!existsSync(join(REPO_ROOT, dir, target!))) broken.push(`${page} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
  it('the restore runbook is linked from the bootstrap runbook and names the bucket, the KMS key and the restore commands', () => {
    const backups = environment('prod').services.backups!;
    expect(read('docs/bootstrap.md')).toContain('](runbooks/restore.md)');
    const restore = read('docs/runbooks/restore.md');
    expect(restore).toContain(`gs://${backups.bucket}/vault/`);
    expect(restore).toContain(`storage.googleapis.com/${backups.bucket}/clickhouse/`);
    expect(restore).toContain(PLATFORM.gcp.kms.keyRing);
    expect(restore).toContain('vault operator raft snapshot restore -force');
    expect(restore).toContain('RESTORE DATABASE otel ON CLUSTER telemetry');
  });
});
