/**
 * `npm run secrets:scan`: secretlint (gate/secret-scan.ts) over dist/, the rendered charts of the
 * render step (`.cache/rendered/`, when present) and every file tracked in the repository. Exit 1
 * naming file and field of each finding not waived in charts/app/secret-waivers.ts. For CI.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { applySecretWaivers, scanForSecrets } from '../gate/secret-scan.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { SECRET_WAIVERS, SECRET_WAIVERS_FILE } from '../charts/app/secret-waivers.ts';
import { trackedFiles } from '../tools/git.ts';

/** Text files only: binary content and huge generated files are not where a typed secret hides. */
const MAX_BYTES = 2 * 1024 * 1024;

function addFile(files: Map<string, string>, path: string): void {
  const size = statSync(path).size;
  if (size > MAX_BYTES) return;
  const buffer = readFileSync(path);
  if (buffer.includes(0)) return;
  files.set(relative(REPO_ROOT, path), buffer.toString('utf8'));
}

const files = new Map<string, string>();
const tracked = trackedFiles(REPO_ROOT);
for (const path of tracked) if (existsSync(join(REPO_ROOT, path))) addFile(files, join(REPO_ROOT, path));
const rendered = join(REPO_ROOT, '.cache', 'rendered');
if (existsSync(rendered)) {
  for (const name of readdirSync(rendered, { recursive: true, encoding: 'utf8' })) {
    const path = join(rendered, name);
    if (statSync(path).isFile()) addFile(files, path);
  }
}
const started = performance.now();
// The rendered charts are third-party: there the credential-named-key heuristic (written for our own
// manifests) only meets CRD descriptions and env var names; the maintained preset's token and key
// formats apply to them as to everything else.
const findings = (await scanForSecrets(files, { cacheFile: join(REPO_ROOT, '.cache', 'secret-scan.json') })).filter(
  (finding) => !(finding.file.startsWith('.cache/rendered/') && finding.rule === '@secretlint/secretlint-rule-pattern'),
);
// Waivers name dist/ files; a waiver unused here (e.g. dist/ absent) is not this scan's concern.
const { errors, waived } = applySecretWaivers(findings, SECRET_WAIVERS, SECRET_WAIVERS_FILE);
const problems = errors.filter((e) => !e.includes('matches no finding'));
console.log(
  `secrets:scan: ${files.size} files (${tracked.length} tracked${existsSync(rendered) ? ', .cache/rendered/' : ''}) in ${Math.round(performance.now() - started)} ms; ${waived.length} waived, ${problems.length} finding(s)`,
);
for (const problem of problems) console.error(`  ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
