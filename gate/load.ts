import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { KubeObject, Manifest } from '../charts/lib/manifest.ts';
import type { GateIssue } from './types.ts';

export interface LoadedTree {
  readonly manifests: Manifest[];
  /** Top-level folders that are not environments (e.g. `talos/`), skipped with the reason. */
  readonly skippedFolders: string[];
  /** Files that are not valid YAML or hold something other than Kubernetes objects. */
  readonly problems: GateIssue[];
  readonly environments: string[];
}

function problem(environment: string, folder: string, file: string, message: string): GateIssue {
  return { rule: 'parse', environment, folder, file: `${environment}/${folder}/${file}`, source: `${environment}/${folder}/${file}`, object: '(file)', field: '', message };
}

/**
 * Files Argo CD's directory source applies (argo-cd v2.14 reposerver/repository/repository.go,
 * `findManifests`: `.yaml`, `.yml`, `.json`; `.jsonnet` is evaluated). Matched in any case: checking
 * a file Argo CD might skip costs nothing, skipping one it applies would hide it from the gate.
 */
const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const JSONNET_FILE = /\.jsonnet$/i;

/**
 * Size limits of the API server (Kubernetes 1.28): a request body is at most 3 MiB
 * (k8s.io/apiserver pkg/server/config.go `MaxRequestBodyBytes`), an object at most what etcd stores
 * (1.5 MiB, etcd's default `--max-request-bytes`), and a ConfigMap's or Secret's data at most 1 MiB
 * (pkg/apis/core/validation `MaxSecretSize`, also applied to ConfigMaps).
 */
export const API_LIMITS = { requestBytes: 3 * 1024 * 1024, objectBytes: 1.5 * 1024 * 1024, dataBytes: 1024 * 1024 } as const;

/** YAML aliases one document may expand (the yaml library's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** Bytes of a ConfigMap's or Secret's data as the API server counts them (keys plus values). */
export function dataBytes(object: KubeObject): number {
  if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') return 0;
  let total = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = (object as Record<string, unknown>)[field];
    if (!data || typeof data !== 'object') continue;
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      total += key.length + (typeof value === 'string' ? (field === 'binaryData' || (field === 'data' && object.kind === 'Secret') ? Math.floor((value.length * 3) / 4) : Buffer.byteLength(value)) : 0);
    }
  }
  return total;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MiB`;

/**
 * Reads a folder in dist layout: `<env>/<folder>/<file>.yaml`, one or more objects per file. A
 * top-level folder is an environment when it is named like one of `environmentNames` or holds a
 * `root/` folder; other folders (e.g. `talos/`) and top-level files (README.md, metadata.json) are
 * skipped. Every file Argo CD would apply is read (`.yaml`, `.yml`, `.json`, any case); symbolic
 * links are refused (Argo CD refuses links out of the repository, and dist/ never has any); files
 * and objects beyond the API server's limits and YAML alias bombs are reported, never thrown.
 */
export function loadTree(dir: string, environmentNames: readonly string[]): LoadedTree {
  const manifests: Manifest[] = [];
  const skippedFolders: string[] = [];
  const problems: GateIssue[] = [];
  const environments: string[] = [];
  for (const environment of readdirSync(dir).sort()) {
    const envDir = join(dir, environment);
    const envStat = lstatSync(envDir);
    if (envStat.isSymbolicLink()) {
      problems.push(problem(environment, '', '', `${environment} is a symbolic link; dist/ holds only real folders and files (Argo CD refuses links that leave the repository); replace it with the folder itself`));
      continue;
    }
    if (!envStat.isDirectory()) continue;
    if (!environmentNames.includes(environment) && !existsSync(join(envDir, 'root'))) {
      skippedFolders.push(`${environment}/ (not an environment: no root/ folder)`);
      continue;
    }
    environments.push(environment);
    for (const folder of readdirSync(envDir).sort()) {
      const folderDir = join(envDir, folder);
      const folderStat = lstatSync(folderDir);
      if (folderStat.isSymbolicLink()) {
        problems.push(
          problem(environment, folder, '', `${environment}/${folder} is a symbolic link; dist/ holds only real folders and files (Argo CD refuses links that leave the repository); replace it with the folder itself`),
        );
        continue;
      }
      if (!folderStat.isDirectory()) {
        if (MANIFEST_FILE.test(folder)) problems.push(problem(environment, '', folder, `${environment}/${folder} sits beside the service folders, where no Application reads it; move it into a service folder`));
        continue;
      }
      for (const entry of readdirSync(folderDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const file = entry.name;
        const path = join(folderDir, file);
        if (entry.isSymbolicLink()) {
          problems.push(
            problem(
              environment,
              folder,
              file,
              'is a symbolic link; dist/ holds only real files (Argo CD refuses links that leave the repository, and a link can change what is applied without a diff); replace it with the file itself',
            ),
          );
          continue;
        }
        if (entry.isDirectory()) {
          problems.push(problem(environment, folder, file, `is a folder inside a service folder; the Application of ${environment}/${folder} would apply its files too (recurse) or ignore them; keep one level`));
          continue;
        }
        if (JSONNET_FILE.test(file)) {
          problems.push(problem(environment, folder, file, 'is Jsonnet, which Argo CD evaluates and the gate cannot check; synthesize YAML instead'));
          continue;
        }
        if (!MANIFEST_FILE.test(file)) continue;
        const size = statSync(path).size;
        if (size > API_LIMITS.requestBytes) {
          problems.push(problem(environment, folder, file, `is ${mib(size)}, over the API server's request limit of ${mib(API_LIMITS.requestBytes)}; split it or move the content out of git`));
          continue;
        }
        const text = readFileSync(path, 'utf8');
        const json = /\.json$/i.test(file);
        let documents: Document[];
        try {
          const parsed = json ? [parseDocument(text)] : parseAllDocuments(text);
          documents = (Array.isArray(parsed) ? parsed : [parsed]) as Document[];
        } catch (error) {
          problems.push(problem(environment, folder, file, `not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`));
          continue;
        }
        for (const [index, document] of documents.entries()) {
          if (document.errors.length > 0) {
            problems.push(problem(environment, folder, file, `not valid ${json ? 'JSON' : 'YAML'}: ${document.errors[0]!.message.split('\n')[0]}`));
            continue;
          }
          let object: KubeObject | null;
          try {
            object = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as KubeObject | null;
          } catch (error) {
            const message = (error as Error).message;
            problems.push(
              problem(
                environment,
                folder,
                file,
                /alias/i.test(message)
                  ? `document ${index + 1} expands YAML aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb: a few lines that become gigabytes); write the values out without anchors`
                  : `document ${index + 1} cannot be read: ${message.split('\n')[0]}`,
              ),
            );
            continue;
          }
          if (object === null || object === undefined) continue;
          const items = json && Array.isArray(object) ? [] : [object];
          for (const item of items) {
            if (typeof item !== 'object' || Array.isArray(item) || typeof item.kind !== 'string' || typeof item.apiVersion !== 'string' || typeof item.metadata !== 'object' || item.metadata === null) {
              problems.push(problem(environment, folder, file, `document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata are required)`));
              continue;
            }
            const objectSize = Buffer.byteLength(JSON.stringify(item));
            if (objectSize > API_LIMITS.objectBytes) {
              problems.push(
                problem(
                  environment,
                  folder,
                  file,
                  `document ${index + 1} (${item.kind} ${item.metadata.name}) is ${mib(objectSize)}, over what etcd stores per object (${mib(API_LIMITS.objectBytes)}); move the content out of the object`,
                ),
              );
              continue;
            }
            const data = dataBytes(item);
            if (data > API_LIMITS.dataBytes) {
              problems.push(
                problem(
                  environment,
                  folder,
                  file,
                  `document ${index + 1} (${item.kind} ${item.metadata.name}) has ${mib(data)} of data, over the API server's ${mib(API_LIMITS.dataBytes)} for a ${item.kind}; keep large content out of ${item.kind}s (a volume, an image, an object store)`,
                ),
              );
              continue;
            }
            manifests.push({ environment, folder, file, source: `${environment}/${folder}/${file}`, object: item });
          }
          if (json && Array.isArray(object)) problems.push(problem(environment, folder, file, 'is a JSON array; Argo CD applies one object per JSON file (or a List kind); write one object per file'));
        }
      }
    }
  }
  return { manifests, skippedFolders, problems, environments };
}
