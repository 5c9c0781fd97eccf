import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../charts/lib/manifest.ts';
import { listTree, readBlobs } from './git.ts';
import { compare } from '../charts/lib/render.ts';

/** A dist tree in memory: path relative to the dist root (`prod/cert-manager/x.yaml`) → content. */
export type DistTree = Map<string, string>;

/** The provenance file the publish step adds at the root of the dist branch (never in dist/ on main). */
export const PROVENANCE_FILE = 'PROVENANCE';

/** Every file under `root` (an empty tree when it does not exist). */
export function readDistDir(root: string): DistTree {
  const files: DistTree = new Map();
  if (!existsSync(root)) return files;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return new Map([...files.entries()].sort(([a], [b]) => compare(a, b)));
}

/** Runs `use` on a temporary folder holding `tree` (for tools that read a folder), removed afterwards. */
export async function withTreeOnDisk<T>(tree: DistTree, prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    for (const [path, text] of tree) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The dist tree of a commit, read with git plumbing (nothing is checked out). `dist/` of a source
 * commit; a commit of the dist branch itself (no `dist/` folder, a PROVENANCE file at its root) is
 * read from its root, without the PROVENANCE file, so `--against dist` compares like with like.
 * A commit without either gives an empty tree (e.g. before the first synth).
 */
export function readDistAtRef(repo: string, commit: string, folder = 'dist'): DistTree {
  const top = listTree(repo, commit, false);
  let prefix: string | undefined;
  if (top.some((entry) => entry.path === folder && entry.type === 'tree')) prefix = `${folder}/`;
  else if (top.some((entry) => entry.path === PROVENANCE_FILE)) prefix = '';
  const files: DistTree = new Map();
  if (prefix === undefined) return files;
  const entries = listTree(repo, prefix ? `${commit}:${folder}` : commit).filter((entry) => entry.type === 'blob' && !(prefix === '' && entry.path === PROVENANCE_FILE));
  const blobs = readBlobs(
    repo,
    entries.map((entry) => entry.sha),
  );
  for (const entry of entries) files.set(entry.path, blobs.get(entry.sha)!);
  return files;
}

/** Which object a manifest is, whatever file it sits in: API group, kind, namespace, name. */
export interface ObjectIdentity {
  /** API group without the version (`apps`, `cert-manager.io`, `` for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function identityOf(object: KubeObject): ObjectIdentity {
  const slash = object.apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : object.apiVersion.slice(0, slash),
    kind: object.kind,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
  };
}

/** `Deployment.apps argocd/argocd-server`, `ClusterIssuer.cert-manager.io letsencrypt-prod`, `Namespace vault`. */
export function formatIdentity(id: ObjectIdentity): string {
  return `${id.kind}${id.group ? `.${id.group}` : ''} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

export function identityKey(id: ObjectIdentity): string {
  return `${id.group}|${id.kind}|${id.namespace}|${id.name}`;
}

/** One object of a dist tree and where it was found. */
export interface DistObject {
  readonly environment: string;
  /** `root` or a service folder. */
  readonly folder: string;
  readonly file: string;
  readonly identity: ObjectIdentity;
  readonly object: KubeObject;
}

export interface ParsedDist {
  readonly objects: DistObject[];
  /** Files that are not manifests of `<env>/<folder>/…` (README.md, metadata.json), path → content. */
  readonly otherFiles: Map<string, string>;
  /** Manifests that could not be read, with why. */
  readonly unreadable: { path: string; problem: string }[];
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const metadata = v.metadata as Record<string, unknown> | undefined;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof metadata?.name === 'string';
}

/**
 * The environment folders of a dist tree: those `metadata.json` lists, and any folder with a
 * `root/` (every environment has its Argo CD root). Other folders (`omni/`, `talos/`, `releases/`)
 * hold extra outputs that are not objects of an environment.
 */
export function environmentFolders(tree: DistTree): Set<string> {
  const names = new Set<string>();
  const metadata = tree.get('metadata.json');
  if (metadata) {
    try {
      for (const env of (JSON.parse(metadata) as { environments?: { name?: unknown }[] }).environments ?? []) {
        if (typeof env.name === 'string') names.add(env.name);
      }
    } catch {
      // An unreadable metadata.json is reported as a changed file; the root/ rule still applies.
    }
  }
  for (const path of tree.keys()) {
    const parts = path.split('/');
    if (parts.length >= 3 && parts[1] === 'root') names.add(parts[0]!);
  }
  if (names.size === 0) {
    // A tree without metadata and roots (a fragment): every `<folder>/<folder>/<file>` is an environment's.
    for (const path of tree.keys()) if (path.split('/').length >= 3) names.add(path.split('/')[0]!);
  }
  return names;
}

/** Parses every `<env>/<folder>/<file>.yaml` of a dist tree (several documents per file allowed). */
export function parseDist(tree: DistTree): ParsedDist {
  const objects: DistObject[] = [];
  const otherFiles = new Map<string, string>();
  const unreadable: { path: string; problem: string }[] = [];
  const environments = environmentFolders(tree);
  for (const [path, content] of tree) {
    const parts = path.split('/');
    if (parts.length < 3 || !environments.has(parts[0]!) || !/\.ya?ml$/.test(path)) {
      otherFiles.set(path, content);
      continue;
    }
    const [environment, folder] = parts as [string, string];
    for (const document of parseAllDocuments(content)) {
      if (document.errors.length > 0) {
        unreadable.push({ path, problem: document.errors[0]!.message.split('\n')[0]! });
        continue;
      }
      const value = document.toJS() as unknown;
      if (value === null || value === undefined) continue;
      if (!isKubeObject(value)) {
        unreadable.push({ path, problem: 'not a Kubernetes object (apiVersion, kind and metadata.name are required)' });
        continue;
      }
      objects.push({ environment, folder, file: parts.slice(2).join('/'), identity: identityOf(value), object: value });
    }
  }
  return { objects, otherFiles, unreadable };
}
