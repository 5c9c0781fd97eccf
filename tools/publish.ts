/**
 * Publishes dist/ to the `dist` branch with git plumbing: the tree is built from the files of dist/
 * in a temporary index (`hash-object`, `update-index`, `write-tree`), committed with `commit-tree`
 * on top of the branch and the branch moved with a compare-and-swap `update-ref`. Nothing is checked
 * out, so the user's working copy, index and branch are never touched.
 *
 * The dist branch carries, at its root, the dist/ tree plus a PROVENANCE file (source commit, its
 * tree, the dist tree, subject, change counts); dist/ on main never does (it could never be current).
 *
 * Refusals (docs/decisions/0905-publish-guards.md): a dist/ that differs from a fresh synth of the
 * source or from the source commit's own dist/; a source that does not descend from the last
 * published source commit (it would revert another publisher's change) unless forced with a reason;
 * a branch tip whose provenance does not verify (its dist tree must be the source commit's dist/,
 * which a copied trailer cannot fake). With --push, the push happens first and the local branch is
 * moved only once the remote accepted it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { environmentFolders, readDistAtRef, readDistDir, PROVENANCE_FILE, type DistTree } from './dist-tree.ts';
import { countsByEnvironment, diffDist, formatCounts, type Counts } from './diff.ts';
import { git, listTree, resolveCommit } from './git.ts';

/** Trailer every commit of ours carries; a branch whose last commit lacks it is not ours to move. */
export const PUBLISH_TRAILER = 'Published-by: plateforme-cedille publish';

/** Top-level files a dist branch may hold besides `<env>/<folder>/<file>.yaml`. */
export const DIST_TOP_LEVEL_FILES: readonly string[] = ['README.md', 'metadata.json', PROVENANCE_FILE];

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class PublishRefused extends Error {}

export interface PublishOptions {
  /** The source repository (its work tree root). */
  readonly repo: string;
  /** The folder published. @default `<repo>/dist` */
  readonly distDir?: string;
  /** @default 'dist' */
  readonly branch?: string;
  /** The commit dist/ was synthesized from. @default 'HEAD' */
  readonly sourceRef?: string;
  /**
   * The files a fresh synth of the working tree produces (relative to dist/): publish refuses when
   * dist/ differs. The CLI always passes them; tests of other guards may omit them.
   */
  readonly freshFiles?: ReadonlyMap<string, string>;
  /**
   * Publish although the source does not descend from the last published source commit, or the
   * branch tip's provenance does not verify. Recorded in the commit and its provenance.
   */
  readonly forceReason?: string;
  /** Push the branch to this remote after committing. @default no push */
  readonly pushTo?: string;
  /** Where the source lives, for the provenance. @default the `origin` remote's URL, else the repo path */
  readonly sourceRepository?: string;
}

export type PublishResult =
  | {
      readonly status: 'published';
      readonly commit: string;
      readonly parent?: string;
      readonly counts: Map<string, Counts>;
      readonly message: string;
      readonly pushed: boolean;
    }
  | { readonly status: 'unchanged'; readonly commit: string; readonly pushed?: boolean };

/** The PROVENANCE fields publish verifies. */
export interface Provenance {
  readonly sourceCommit?: string;
  readonly sourceTree?: string;
  readonly distTree?: string;
}

export function parseProvenance(text: string): Provenance {
  const field = (name: string) => new RegExp(`^${name}: ([0-9a-f]{40})$`, 'm').exec(text)?.[1];
  const sourceCommit = field('source-commit');
  const sourceTree = field('source-tree');
  const distTree = field('dist-tree');
  return { ...(sourceCommit ? { sourceCommit } : {}), ...(sourceTree ? { sourceTree } : {}), ...(distTree ? { distTree } : {}) };
}

/** The tree of a commit, or of `<commit>:<folder>` (where `^{tree}` would be read as part of the path). */
function treeOf(repo: string, treeish: string): string | undefined {
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', treeish.includes(':') ? treeish : `${treeish}^{tree}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the provenance of a dist branch commit does not verify, or undefined. It must name a source
 * commit present here, that commit's tree, and a dist tree equal both to the commit's content and to
 * the source commit's own dist/ folder: a hand-made commit with a copied trailer fails all three.
 */
export function provenanceProblem(repo: string, commit: string, distFolder = 'dist'): string | undefined {
  const provenance = provenanceAt(repo, commit);
  if (!provenance) return `its last commit ${commit.slice(0, 12)} has no ${PROVENANCE_FILE}`;
  if (!provenance.sourceCommit || !provenance.sourceTree || !provenance.distTree) {
    return `the ${PROVENANCE_FILE} of ${commit.slice(0, 12)} lacks source-commit, source-tree or dist-tree, so it cannot be verified`;
  }
  const content = contentTreeOf(repo, commit);
  if (content !== provenance.distTree) return `the ${PROVENANCE_FILE} of ${commit.slice(0, 12)} names dist-tree ${provenance.distTree.slice(0, 12)} but the commit holds ${content.slice(0, 12)}`;
  if (!resolveCommit(repo, provenance.sourceCommit)) {
    return `its source commit ${provenance.sourceCommit.slice(0, 12)} is not in this repository (fetch the full history, e.g. fetch-depth: 0)`;
  }
  if (treeOf(repo, provenance.sourceCommit) !== provenance.sourceTree) {
    return `the ${PROVENANCE_FILE} of ${commit.slice(0, 12)} names source-tree ${provenance.sourceTree.slice(0, 12)}, which is not the tree of ${provenance.sourceCommit.slice(0, 12)}`;
  }
  if (treeOf(repo, `${provenance.sourceCommit}:${distFolder}`) !== provenance.distTree) {
    return `${commit.slice(0, 12)} does not hold the ${distFolder}/ of its source commit ${provenance.sourceCommit.slice(0, 12)}`;
  }
  return undefined;
}

/** The PROVENANCE of a dist branch commit, or undefined when it has none. */
function provenanceAt(repo: string, commit: string): Provenance | undefined {
  try {
    return parseProvenance(git(repo, ['show', `${commit}:${PROVENANCE_FILE}`]));
  } catch {
    return undefined;
  }
}

export function lastPublishedSource(repo: string, commit: string): string | undefined {
  return provenanceAt(repo, commit)?.sourceCommit;
}

function isAncestor(repo: string, ancestor: string, descendant: string): boolean {
  try {
    git(repo, ['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

/** Paths that differ between two file maps (first few), for the stale-dist/ message. */
function differences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((path) => a.get(path) !== b.get(path)).sort();
}

const GENERATED_FILE = /^[a-z0-9][a-z0-9._-]*\.(ya?ml|json|md)$/;

/**
 * Paths of a dist branch tree that are not part of the dist layout (empty when it is ours): at the
 * top, README.md, metadata.json and PROVENANCE; below, folders named like DNS labels
 * (`<env>/<service>/`, and the extra outputs such as `omni/`) holding generated YAML, JSON or
 * Markdown files. Source files (`package.json`, `charts/*.ts`, a `dist/` folder) are foreign.
 */
export function foreignPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => {
    const parts = path.split('/');
    if (parts.length === 1) return !DIST_TOP_LEVEL_FILES.includes(path);
    const folders = parts.slice(0, -1);
    return parts[0] === 'dist' || !folders.every((folder) => LABEL.test(folder)) || !GENERATED_FILE.test(parts.at(-1)!);
  });
}

/** Why the branch's last commit is not ours, or undefined when we may move the branch. */
export function ownershipProblem(repo: string, commit: string): string | undefined {
  const message = git(repo, ['log', '-1', '--format=%B', commit]);
  if (!message.split('\n').some((line) => line.trim() === PUBLISH_TRAILER)) {
    return `its last commit ${commit.slice(0, 12)} was not made by npm run publish (no "${PUBLISH_TRAILER}" trailer)`;
  }
  const foreign = foreignPaths(listTree(repo, commit).map((entry) => entry.path));
  if (foreign.length > 0) {
    return `it holds files outside the dist layout (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, … ${foreign.length - 5} more` : ''})`;
  }
  return undefined;
}

function withIndex(index: string): NodeJS.ProcessEnv {
  return { ...process.env, GIT_INDEX_FILE: index };
}

/** Writes `files` (paths relative to `root`) as a tree object; returns its sha. */
function writeTree(repo: string, root: string, files: DistTree, extra: { path: string; content: string }[] = []): string {
  const scratch = mkdtempSync(join(tmpdir(), 'publish-index-'));
  try {
    const env = withIndex(join(scratch, 'index'));
    const paths = [...files.keys()];
    const shas = git(repo, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${paths.map((p) => join(root, p)).join('\n')}\n` })
      .trim()
      .split('\n');
    const lines = paths.map((path, i) => `100644 ${shas[i]}\t${path}`);
    for (const file of extra) {
      const sha = git(repo, ['hash-object', '-w', '--stdin'], { input: file.content }).trim();
      lines.push(`100644 ${sha}\t${file.path}`);
    }
    git(repo, ['update-index', '--add', '--index-info'], { input: `${lines.join('\n')}\n`, env });
    return git(repo, ['write-tree'], { env }).trim();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The tree of a dist branch commit without its PROVENANCE file (what dist/ looked like). */
function contentTreeOf(repo: string, commit: string): string {
  const entries = git(repo, ['ls-tree', commit])
    .split('\n')
    .filter((line) => line.length > 0 && line.split('\t')[1] !== PROVENANCE_FILE);
  return git(repo, ['mktree'], { input: entries.length > 0 ? `${entries.join('\n')}\n` : '' }).trim();
}

function countsTable(counts: Map<string, Counts>, environments: readonly string[]): string[] {
  const width = Math.max(0, ...environments.map((e) => e.length));
  return environments.map((env) => `${env.padEnd(width)}  ${formatCounts(counts.get(env) ?? { added: 0, changed: 0, removed: 0 })}`);
}

function sourceRepository(repo: string): string {
  try {
    return git(repo, ['remote', 'get-url', 'origin']).trim();
  } catch {
    return resolve(repo);
  }
}

function committerEnv(repo: string): NodeJS.ProcessEnv {
  const configured = (key: string) => {
    try {
      return git(repo, ['config', key]).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  // CI runners have no git identity; the dist commit then names the publish step as its committer.
  if (!env.GIT_COMMITTER_NAME && !configured('user.name')) env.GIT_COMMITTER_NAME = 'plateforme-cedille publish';
  if (!env.GIT_COMMITTER_EMAIL && !configured('user.email')) env.GIT_COMMITTER_EMAIL = 'publish@plateforme-cedille.invalid';
  return env;
}

/** Commits dist/ to the dist branch (see the module comment). Throws PublishRefused with the reason and the fix. */
export function publish(options: PublishOptions): PublishResult {
  const repo = resolve(options.repo);
  const distDir = resolve(options.distDir ?? join(repo, 'dist'));
  const branch = options.branch ?? 'dist';
  const ref = `refs/heads/${branch}`;
  const source = resolveCommit(repo, options.sourceRef ?? 'HEAD');
  if (!source) throw new PublishRefused(`the source ${options.sourceRef ?? 'HEAD'} is not a commit; commit the source and dist/ first`);
  const force = options.forceReason?.trim();
  if (options.forceReason !== undefined && !force) throw new PublishRefused('--force needs a reason (it is recorded in the dist commit); say why the guard must be bypassed');

  const distRelative = relative(repo, distDir) || '.';
  const dirty = git(repo, ['status', '--porcelain', '--untracked-files=all', '--', distRelative]).trim();
  if (dirty) {
    throw new PublishRefused(`${distRelative}/ has uncommitted changes, so the provenance would name a commit that did not produce it; commit dist/ with its source`);
  }
  const files = readDistDir(distDir);
  if (files.size === 0) throw new PublishRefused(`${distRelative}/ is empty or missing; run npm run synth first`);
  const foreign = foreignPaths([...files.keys()]);
  if (foreign.length > 0) throw new PublishRefused(`${distRelative}/ holds files outside the dist layout: ${foreign.slice(0, 5).join(', ')}; run npm run synth`);
  if (options.freshFiles) {
    const stale = differences(files, options.freshFiles);
    if (stale.length > 0) {
      throw new PublishRefused(
        `${distRelative}/ is stale: ${stale.length} file(s) differ from a fresh synth of the source (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}); run npm run synth and commit dist/ with its source`,
      );
    }
  }

  const existing = resolveCommit(repo, ref);
  if (existing) {
    const problem = ownershipProblem(repo, existing);
    if (problem) {
      throw new PublishRefused(`refusing to overwrite branch ${branch}: ${problem}; publish to another --branch, or delete the branch if it really is disposable`);
    }
    const verification = provenanceProblem(repo, existing, distRelative);
    if (verification && !force) {
      throw new PublishRefused(`refusing to build on branch ${branch}: ${verification}; if the branch is really ours, publish with --force "<reason>"`);
    }
    const last = lastPublishedSource(repo, existing);
    if (last && !verification && !isAncestor(repo, last, source) && !force) {
      throw new PublishRefused(
        `the source ${source.slice(0, 12)} does not contain ${last.slice(0, 12)}, the source of the last publish: publishing it would revert what that publish brought; merge or rebase onto it (git merge ${last.slice(0, 12)}), or publish with --force "<reason>"`,
      );
    }
  }
  const checkedOut = git(repo, ['worktree', 'list', '--porcelain'])
    .split('\n')
    .some((line) => line === `branch ${ref}`);
  if (checkedOut) throw new PublishRefused(`branch ${branch} is checked out in a worktree; moving it would leave that checkout stale (remove the worktree first)`);

  const contentTree = writeTree(repo, distDir, files);
  // dist/ is committed and clean, so its tree is the source commit's dist/ folder: the provenance can name it.
  const sourceDist = treeOf(repo, `${source}:${distRelative}`);
  if (sourceDist !== contentTree) {
    throw new PublishRefused(`${distRelative}/ differs from the ${distRelative}/ committed in ${source.slice(0, 12)}; publish the commit that holds it (--source), or commit dist/`);
  }
  if (existing && contentTreeOf(repo, existing) === contentTree) {
    const pushed = options.pushTo ? pushIfBehind(repo, options.pushTo, ref, existing) : false;
    return { status: 'unchanged', commit: existing, ...(options.pushTo ? { pushed } : {}) };
  }

  const previous = existing ? readDistAtRef(repo, existing) : new Map<string, string>();
  const report = diffDist(previous, files);
  const counts = countsByEnvironment(report);
  const otherFiles = report.files.filter((file) => file.path !== 'README.md' && file.path !== 'metadata.json').map((file) => `${file.change === 'added' ? '+' : file.change === 'removed' ? '-' : '~'}${file.path}`);
  const otherLine = otherFiles.length > 0 ? [`other files: ${otherFiles.slice(0, 8).join(' ')}${otherFiles.length > 8 ? ` … ${otherFiles.length - 8} more` : ''}`] : [];
  const environments = [...new Set([...environmentFolders(files), ...environmentFolders(previous)])].sort();
  const [sha, shortSha, subject] = git(repo, ['log', '-1', '--format=%H%x00%h%x00%s', source]).trim().split('\0') as [string, string, string];
  const table = countsTable(counts, environments);
  const forcedLine = force ? [`forced: ${force.replace(/\s+/g, ' ')}`] : [];
  const provenance = [
    '# Provenance of this tree, written by `npm run publish` (not part of dist/ on the source branch).',
    `source-repository: ${options.sourceRepository ?? sourceRepository(repo)}`,
    `source-commit: ${sha}`,
    `source-tree: ${treeOf(repo, sha)}`,
    `dist-tree: ${contentTree}`,
    `source-subject: ${subject}`,
    ...forcedLine,
    'objects (added, changed, removed since the previous publish):',
    ...table.map((line) => `  ${line}`),
    ...otherLine,
    '',
  ].join('\n');
  const tree = writeTree(repo, distDir, files, [{ path: PROVENANCE_FILE, content: provenance }]);
  const message = [
    `dist: ${subject}`,
    '',
    `Synthesized from ${shortSha} "${subject}".`,
    ...(force ? ['', `Forced: ${force.replace(/\s+/g, ' ')}`] : []),
    '',
    'Objects (added, changed, removed):',
    ...table.map((line) => `  ${line}`),
    ...otherLine.map((line) => line.replace(/^other/, 'Other')),
    '',
    PUBLISH_TRAILER,
    `Source-Commit: ${sha}`,
    '',
  ].join('\n');

  const [authorName, authorEmail, authorDate] = git(repo, ['log', '-1', '--format=%an%x00%ae%x00%aI', source]).trim().split('\0') as [string, string, string];
  const env = { ...committerEnv(repo), GIT_AUTHOR_NAME: authorName, GIT_AUTHOR_EMAIL: authorEmail, GIT_AUTHOR_DATE: authorDate };
  const commit = git(repo, ['commit-tree', tree, ...(existing ? ['-p', existing] : []), '-F', '-'], { input: message, env }).trim();
  // Push first: a refused push must leave every ref where it was, so a rerun retries the push.
  let pushed = false;
  if (options.pushTo) {
    push(repo, options.pushTo, commit, ref);
    pushed = true;
  }
  // Compare-and-swap: fails if the branch moved since we read it (another publish ran meanwhile).
  git(repo, ['update-ref', '-m', `publish: ${shortSha}`, ref, commit, existing ?? '']);
  return { status: 'published', commit, ...(existing ? { parent: existing } : {}), counts, message, pushed };
}

function push(repo: string, remote: string, commit: string, ref: string): void {
  try {
    // A plain push: the remote accepts only a fast-forward of what we built on.
    git(repo, ['push', '--porcelain', remote, `${commit}:${ref}`]);
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').filter(Boolean).slice(-2).join(' ');
    throw new PublishRefused(`the push to ${remote} was refused (${detail}); no ref was moved; fetch ${remote}'s ${ref.replace('refs/heads/', '')} branch and publish again`);
  }
}

/** The local branch is current but the remote may lag (an earlier push failed): push it. */
function pushIfBehind(repo: string, remote: string, ref: string, commit: string): boolean {
  const remoteTip = git(repo, ['ls-remote', remote, ref]).trim().split(/\s+/)[0];
  if (remoteTip === commit) return false;
  push(repo, remote, commit, ref);
  return true;
}
