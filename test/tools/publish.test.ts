import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { foreignPaths, parseProvenance, publish, PublishRefused, PUBLISH_TRAILER } from '../../tools/publish.ts';
import { git as gitIn } from '../../tools/git.ts';

/** A tree object from `ls-tree -r` lines (nested paths included). */
function mktree(repo: string, lines: string[]): string {
  const index = join(repo, '.git', 'forge-index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  gitIn(repo, ['update-index', '--add', '--index-info'], { input: `${lines.join('\n')}\n`, env });
  const sha = gitIn(repo, ['write-tree'], { env }).trim();
  rmSync(index, { force: true });
  return sha;
}
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
    const sourceTree = git(repo, 'rev-parse', 'HEAD^{tree}').trim();
    const distTree = git(repo, 'rev-parse', 'HEAD:dist').trim();
    expect(provenance).toContain(`source-commit: ${head}\nsource-tree: ${sourceTree}\ndist-tree: ${distTree}\nsource-subject: Add the web service\n`);
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

  it('refuses uncommitted dist/ changes (the provenance would lie)', () => {
    const repo = sourceRepo();
    writeFiles(join(repo, 'dist'), tree({ 'prod/web/deployment-web.yaml': deployment('web', { replicas: 5 }) }));
    expect(() => publish({ repo })).toThrow(/^dist\/ has uncommitted changes/);
    expect(git(repo, 'branch', '--list', 'dist')).toBe('');
  });

  // The four publish failures of issue #18, each reproduced and refused.
  it('refuses a stale dist/: committed, but not what a fresh synth of the source produces', () => {
    const repo = sourceRepo();
    const fresh = new Map(DIST);
    fresh.set('prod/web/deployment-web.yaml', deployment('web', { replicas: 4 }));
    expect(() => publish({ repo, freshFiles: fresh })).toThrow('dist/ is stale: 1 file(s) differ from a fresh synth of the source (prod/web/deployment-web.yaml); run npm run synth and commit dist/ with its source');
    expect(git(repo, 'branch', '--list', 'dist')).toBe('');
    expect(publish({ repo, freshFiles: DIST }).status).toBe('published');
  });

  it('a refused push moves no ref, and the rerun pushes (never "unchanged" with the remote behind)', () => {
    const source = sourceRepo();
    const remote = tempRepo();
    repos.push(remote);
    git(remote, 'config', 'receive.denyCurrentBranch', 'ignore');
    git(source, 'remote', 'add', 'origin', remote);
    git(remote, 'config', 'receive.denyNonFastForwards', 'true');
    // The remote refuses every update of refs/heads/dist for now.
    writeFileSync(join(remote, '.git', 'hooks', 'pre-receive'), '#!/bin/sh\necho "dist is frozen" >&2\nexit 1\n', { mode: 0o755 });
    expect(() => publish({ repo: source, pushTo: 'origin' })).toThrow(/^the push to origin was refused \(.*\); no ref was moved; fetch origin's dist branch and publish again$/);
    expect(git(source, 'branch', '--list', 'dist')).toBe('');
    rmSync(join(remote, '.git', 'hooks', 'pre-receive'));
    const retry = publish({ repo: source, pushTo: 'origin' });
    expect(retry.status === 'published' && retry.pushed).toBe(true);
    expect(git(remote, 'rev-parse', 'refs/heads/dist').trim()).toBe(git(source, 'rev-parse', 'refs/heads/dist').trim());
    // A local branch ahead of the remote (an older publish that moved it first) is pushed, not reported unchanged.
    git(remote, 'update-ref', '-d', 'refs/heads/dist');
    const again = publish({ repo: source, pushTo: 'origin' });
    expect(again).toEqual({ status: 'unchanged', commit: retry.commit, pushed: true });
    expect(git(remote, 'rev-parse', 'refs/heads/dist').trim()).toBe(retry.commit);
  });

  it('refuses a source that does not descend from the last published source commit, unless forced with a reason', () => {
    const repo = sourceRepo();
    const base = git(repo, 'rev-parse', 'HEAD').trim();
    writeFiles(join(repo, 'dist'), tree({ 'prod/web/deployment-web.yaml': deployment('web', { replicas: 3 }) }));
    const other = commitSource(repo, 'Another publisher scales web');
    publish({ repo });
    // This publisher works from the old base, without that change.
    git(repo, 'checkout', '-q', '-b', 'stale', base);
    writeFiles(join(repo, 'dist'), tree({ 'staging/web/service-web.yaml': obj('v1', 'Service', 'web', { spec: {} }, 'apps') }));
    const mine = commitSource(repo, 'Add a staging Service');
    const tip = git(repo, 'rev-parse', 'refs/heads/dist').trim();
    expect(() => publish({ repo })).toThrow(
      `the source ${mine.slice(0, 12)} does not contain ${other.slice(0, 12)}, the source of the last publish: publishing it would revert what that publish brought; merge or rebase onto it (git merge ${other.slice(0, 12)}), or publish with --force "<reason>"`,
    );
    expect(git(repo, 'rev-parse', 'refs/heads/dist').trim()).toBe(tip);
    expect(() => publish({ repo, forceReason: '  ' })).toThrow(/^--force needs a reason/);
    const forced = publish({ repo, forceReason: 'revert the scale-up: it broke prod' });
    expect(forced.status === 'published' && forced.message).toContain('Forced: revert the scale-up: it broke prod');
    expect(git(repo, 'show', 'refs/heads/dist:PROVENANCE')).toContain('forced: revert the scale-up: it broke prod');
  });

  it('the marker cannot be forged: a hand-made commit with our trailer and a copied PROVENANCE is refused', () => {
    const repo = sourceRepo();
    const first = publish({ repo });
    if (first.status !== 'published') throw new Error('expected a publish');
    // Someone edits a manifest on the dist branch by hand, keeping the layout, the trailer and the PROVENANCE.
    const entries = git(repo, 'ls-tree', '-r', 'refs/heads/dist').trim().split('\n');
    const edited = gitIn(repo, ['hash-object', '-w', '--stdin'], { input: tree({ 'x.yaml': deployment('web', { replicas: 9 }) }).get('x.yaml')! }).trim();
    const lines = entries.map((line) => (line.endsWith('\tprod/web/deployment-web.yaml') ? line.replace(/blob [0-9a-f]{40}/, `blob ${edited}`) : line));
    const forgedTree = mktree(repo, lines);
    const message = git(repo, 'log', '-1', '--format=%B', 'refs/heads/dist');
    const forged = git(repo, 'commit-tree', forgedTree, '-p', first.commit, '-m', message).trim();
    git(repo, 'update-ref', 'refs/heads/dist', forged);
    writeFiles(join(repo, 'dist'), tree({ 'prod/web/deployment-web.yaml': deployment('web', { replicas: 2 }) }));
    commitSource(repo, 'Next change');
    expect(() => publish({ repo })).toThrow(
      new RegExp(
        `^refusing to build on branch dist: the PROVENANCE of ${forged.slice(0, 12)} names dist-tree [0-9a-f]{12} but the commit holds [0-9a-f]{12}; if the branch is really ours, publish with --force "<reason>"$`,
      ),
    );
    expect(git(repo, 'rev-parse', 'refs/heads/dist').trim()).toBe(forged);
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
    expect(parseProvenance(`source-commit: ${'a'.repeat(40)}\nsource-tree: ${'b'.repeat(40)}\ndist-tree: ${'c'.repeat(40)}\n`)).toEqual({
      sourceCommit: 'a'.repeat(40),
      sourceTree: 'b'.repeat(40),
      distTree: 'c'.repeat(40),
    });
    expect(foreignPaths(['README.md', 'metadata.json', 'PROVENANCE', 'prod/vault/statefulset-vault.yaml', 'omni/access-policy.yaml', 'talos/prod/worker-1.yaml'])).toEqual([]);
    expect(foreignPaths(['charts/main.ts', 'package.json', 'dist/prod/x/y.yaml', 'Prod/x/y.yaml', 'prod/x/run.sh'])).toEqual(['charts/main.ts', 'package.json', 'dist/prod/x/y.yaml', 'Prod/x/y.yaml', 'prod/x/run.sh']);
  });
});
