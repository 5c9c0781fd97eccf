import { execFileSync } from 'node:child_process';

/** Runs git in `cwd` and returns stdout (throws with git's stderr on a non-zero exit). */
export function git(cwd: string, args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): string {
  return gitBuffer(cwd, args, options).toString('utf8');
}

export function gitBuffer(cwd: string, args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      input: options.input,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 1024 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** The files git tracks in the work tree of `cwd` (`git ls-files`), paths relative to it. */
export function trackedFiles(cwd: string): string[] {
  return git(cwd, ['ls-files', '-z']).split('\0').filter(Boolean);
}

/** The commit a ref names, or undefined when it does not exist. */
export function resolveCommit(cwd: string, ref: string): string | undefined {
  try {
    return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface TreeEntry {
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  /** Path relative to the listed tree. */
  readonly path: string;
}

/** `git ls-tree` of `treeish` (recursive by default), paths relative to it. */
export function listTree(cwd: string, treeish: string, recursive = true): TreeEntry[] {
  const out = git(cwd, ['ls-tree', '-z', ...(recursive ? ['-r'] : []), treeish]);
  return out
    .split('\0')
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, sha] = line.slice(0, tab).split(' ') as [string, TreeEntry['type'], string];
      return { mode, type, sha, path: line.slice(tab + 1) };
    });
}

/** Contents of many blobs with one `git cat-file --batch` (sha → text). */
export function readBlobs(cwd: string, shas: readonly string[]): Map<string, string> {
  const unique = [...new Set(shas)];
  const contents = new Map<string, string>();
  if (unique.length === 0) return contents;
  const out = gitBuffer(cwd, ['cat-file', '--batch'], { input: `${unique.join('\n')}\n` });
  let offset = 0;
  for (const sha of unique) {
    const newline = out.indexOf(10, offset);
    const header = out.subarray(offset, newline).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!Number.isFinite(size)) throw new Error(`git cat-file: unexpected header "${header}" for ${sha}`);
    contents.set(sha, out.subarray(newline + 1, newline + 1 + size).toString('utf8'));
    offset = newline + 1 + size + 1;
  }
  return contents;
}
