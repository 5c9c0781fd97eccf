import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
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
 * Reads a folder in dist layout: `<env>/<folder>/<file>.yaml`, one or more objects per file. A
 * top-level folder is an environment when it is named like one of `environmentNames` or holds a
 * `root/` folder; other folders (e.g. `talos/`) and top-level files (README.md, metadata.json) are skipped.
 */
export function loadTree(dir: string, environmentNames: readonly string[]): LoadedTree {
  const manifests: Manifest[] = [];
  const skippedFolders: string[] = [];
  const problems: GateIssue[] = [];
  const environments: string[] = [];
  for (const environment of readdirSync(dir).sort()) {
    const envDir = join(dir, environment);
    if (!statSync(envDir).isDirectory()) continue;
    if (!environmentNames.includes(environment) && !existsSync(join(envDir, 'root'))) {
      skippedFolders.push(`${environment}/ (not an environment: no root/ folder)`);
      continue;
    }
    environments.push(environment);
    for (const folder of readdirSync(envDir).sort()) {
      const folderDir = join(envDir, folder);
      if (!statSync(folderDir).isDirectory()) continue;
      for (const file of readdirSync(folderDir).sort()) {
        if (!/\.ya?ml$/.test(file)) continue;
        const text = readFileSync(join(folderDir, file), 'utf8');
        const documents = parseAllDocuments(text);
        const list = Array.isArray(documents) ? documents : [documents];
        for (const [index, document] of list.entries()) {
          if (document.errors.length > 0) {
            problems.push(problem(environment, folder, file, `not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`));
            continue;
          }
          const object = document.toJS() as KubeObject | null;
          if (object === null || object === undefined) continue;
          if (typeof object !== 'object' || Array.isArray(object) || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string' || typeof object.metadata !== 'object' || object.metadata === null) {
            problems.push(problem(environment, folder, file, `document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata are required)`));
            continue;
          }
          manifests.push({ environment, folder, file, source: `${environment}/${folder}/${file}`, object });
        }
      }
    }
  }
  return { manifests, skippedFolders, problems, environments };
}
