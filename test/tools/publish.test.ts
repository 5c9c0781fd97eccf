import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { foreignPaths, publish, PublishRefused, PUBLISH_TRAILER } from '../../tools/publish.ts';
import { deployment, git, obj, tempRepo, tree, writeFiles } from './fixtures.ts';

const repos: string[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo, { recursive: true, force: true });
});

const DIST = tree({
  'README.md': '# dist\n',
  'metadata.json': `${JSON.stringify({ environments: [{ name: 'prod' }, { name: 'staging' }] })}\n`,
  'prod/web/deployment-web.yaml': deployment('web'),
  'prod/root/appproject-prod.yaml': obj('argoproj.io/v1alpha1', 'AppProject', 'prod', { spec: {} }, 'argocd'),
  'staging/web/deployment-web.yaml': deployment('web'),
});

/** A source repository with dist/ and some source, committed on main. */
function sourceRepo(): string {
  const repo = tempRepo();
  repos.push(repo);
  writeFiles(join(repo, 'dist'), DIST);
  writeFileSync(join(repo, 'main.ts'), 'source\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'Add the web service');
  return repo;
}

function commitSource(repo: string, subject: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', subject);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

describe('publish', () => {
  it('first publish: commits dist/ at the root of a new dist branch with provenance, leaves the checkout alone', () => {
    const repo = sourceRepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const result = publish({ repo, sourceRepository: 'https://github.com/ClubCedille/Plateforme-Cedille' });
    expect(result.status).toBe('published');
    if (result.status !== 'published') return;
    expect(git(repo, 'rev-parse', 'refs/heads/dist').trim()).toBe(result.commit);
    expect(result.parent).toBeUndefined();
    expect(result.pushed).toBe(false);
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'refs/heads/dist').trim().split('\n')).toEqual([
      'PROVENANCE',
      'README.md',
      'metadata.json',
      'prod/root/appproject-prod.yaml',
      'prod/web/deployment-web.yaml',
      'staging/web/deployment-web.yaml',
    ]);
    expect(git(repo, 'show', 'refs/heads/dist:prod/web/deployment-web.yaml')).toBe(DIST.get('prod/web/deployment-web.yaml'));
    const provenance = git(repo, 'show', 'refs/heads/dist:PROVENANCE');
    expect(provenance).toContain(`source-commit: ${head}\nsource-subject: Add the web service\n`);
    expect(provenance).toContain('source-repository: https://github.com/ClubCedille/Plateforme-Cedille');
    const message = `${git(repo, 'log', '-1', '--format=%B', 'refs/heads/dist').trimEnd()}\n`;
    expect(message).toBe(
      `dist: Add the web service\n\nSynthesized from ${head.slice(0, 7)} "Add the web service".\n\nObjects (added, changed, removed):\n  prod     +2 ~0 -0\n  staging  +1 ~0 -0\n\n${PUBLISH_TRAILER}\nSource-Commit: ${head}\n`,
    );
    expect(git(repo, 'log', '-1', '--format=%an', 'refs/heads/dist').trim()).toBe('Test');
    // The user's branch, index and working copy are untouched; provenance is not in dist/ on main.
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('PROVENANCE');
  });

  it('no-op: nothing changed in dist/ since the last publish, even after new source commits', () => {
    const repo = sourceRepo();
    const first = publish({ repo });
    writeFileSync(join(repo, 'main.ts'), 'refactor, same output\n');
    commitSource(repo, 'Refactor');
    const second = publish({ repo });
    expect(second).toEqual({ status: 'unchanged', commit: first.commit });
    expect(git(repo, 'rev-list', '--count', 'refs/heads/dist').trim()).toBe('1');
  });

  it('change: a new commit on top of the previous publish with per-environment counts', () => {
    const repo = sourceRepo();
    const first = publish({ repo });
    writeFiles(join(repo, 'dist'), tree({ 'prod/web/deployment-web.yaml': deployment('web', { replicas: 3 }), 'staging/web/service-web.yaml': obj('v1', 'Service', 'web', { spec: {} }, 'apps') }));
    rmSync(join(repo, 'dist/prod/root/appproject-prod.yaml'));
    const head = commitSource(repo, 'Scale web in prod');
    const second = publish({ repo });
    expect(second.status).toBe('published');
    if (second.status !== 'published') return;
    expect(second.parent).toBe(first.commit);
    expect(Object.fromEntries(second.counts)).toEqual({ prod: { added: 0, changed: 1, removed: 1 }, staging: { added: 1, changed: 0, removed: 0 } });
    expect(second.message).toContain('Objects (added, changed, removed):\n  prod     +0 ~1 -1\n  staging  +1 ~0 -0\n');
    expect(git(repo, 'show', 'refs/heads/dist:PROVENANCE')).toContain(`source-commit: ${head}`);
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'refs/heads/dist')).not.toContain('appproject-prod.yaml');

    // A change to an extra output only (no object) is still published, and named.
    writeFiles(join(repo, 'dist'), tree({ 'talos/worker-1.yaml': 'machine: {}\n' }));
    commitSource(repo, 'Talos patch');
    const third = publish({ repo });
    expect(third.status === 'published' && third.message).toContain('  prod     +0 ~0 -0\n  staging  +0 ~0 -0\nOther files: +talos/worker-1.yaml\n');
  });

  it('foreign branch: refuses to overwrite a dist branch it does not own', () => {
    const repo = sourceRepo();
    git(repo, 'checkout', '-q', '-b', 'dist');
    writeFileSync(join(repo, 'notes.txt'), 'someone else\n');
    commitSource(repo, 'Somebody else uses this branch');
    git(repo, 'checkout', '-q', 'main');
    const before = git(repo, 'rev-parse', 'refs/heads/dist').trim();
    expect(() => publish({ repo })).toThrow(PublishRefused);
    expect(() => publish({ repo })).toThrow(/^refusing to overwrite branch dist: its last commit [0-9a-f]{12} was not made by npm run publish \(no "Published-by: plateforme-cedille publish" trailer\)/);
    expect(git(repo, 'rev-parse', 'refs/heads/dist').trim()).toBe(before);
  });

  it('foreign branch: refuses a branch with our trailer but files outside the dist layout', () => {
    const repo = sourceRepo();
    publish({ repo });
    // Someone commits source files onto the dist branch, copying our trailer.
    const tree = git(repo, 'rev-parse', 'HEAD^{tree}').trim();
    const forged = git(repo, 'commit-tree', tree, '-p', 'refs/heads/dist', '-m', `forged\n\n${PUBLISH_TRAILER}`).trim();
    git(repo, 'update-ref', 'refs/heads/dist', forged);
    expect(() => publish({ repo })).toThrow(
      /^refusing to overwrite branch dist: it holds files outside the dist layout \(dist\/README\.md, dist\/metadata\.json, dist\/prod\/root\/appproject-prod\.yaml, dist\/prod\/web\/deployment-web\.yaml, dist\/staging\/web\/deployment-web\.yaml, … 1 more\)/,
    );
  });

  it('refuses uncommitted dist/ changes (the provenance would lie) unless allowed', () => {
    const repo = sourceRepo();
    writeFiles(join(repo, 'dist'), tree({ 'prod/web/deployment-web.yaml': deployment('web', { replicas: 5 }) }));
    expect(() => publish({ repo })).toThrow(/^dist\/ has uncommitted changes/);
    expect(git(repo, 'branch', '--list', 'dist')).toBe('');
    const result = publish({ repo, allowDirty: true });
    expect(result.status).toBe('published');
    expect(git(repo, 'show', 'refs/heads/dist:PROVENANCE')).toContain('source-dirty: true');
  });

  it('refuses an empty dist/, and pushes only when asked', () => {
    const repo = tempRepo();
    repos.push(repo);
    writeFileSync(join(repo, 'x'), 'x');
    commitSource(repo, 'no dist');
    expect(() => publish({ repo })).toThrow('dist/ is empty or missing; run npm run synth first');

    const source = sourceRepo();
    const remote = tempRepo();
    repos.push(remote);
    git(remote, 'config', 'receive.denyCurrentBranch', 'ignore');
    git(source, 'remote', 'add', 'origin', remote);
    const result = publish({ repo: source, pushTo: 'origin' });
    expect(result.status === 'published' && result.pushed).toBe(true);
    expect(git(remote, 'rev-parse', 'refs/heads/dist').trim()).toBe(result.commit);
  });

  it('knows the dist layout', () => {
    expect(foreignPaths(['README.md', 'metadata.json', 'PROVENANCE', 'prod/vault/statefulset-vault.yaml', 'omni/access-policy.yaml', 'talos/prod/worker-1.yaml'])).toEqual([]);
    expect(foreignPaths(['charts/main.ts', 'package.json', 'dist/prod/x/y.yaml', 'Prod/x/y.yaml', 'prod/x/run.sh'])).toEqual(['charts/main.ts', 'package.json', 'dist/prod/x/y.yaml', 'Prod/x/y.yaml', 'prod/x/run.sh']);
  });
});
