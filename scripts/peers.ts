/**
 * `npm run peers [DIR]`: two peers of our gate over DIR (default dist/) and the rendered chart objects.
 * kubeconform (built from tools/go/kubeconform, `-strict`, our pinned schemas) against the gate's
 * schema rules — every file one accepts and the other refuses is listed; and Checkov's Kubernetes
 * checks (PyPI, pinned), always with the rendered charts — every finding is fixed or waived with a reason in
 * tools/peers/checkov-waivers.ts; an open finding or a stale waiver fails (exit 1). Exit 2 with one
 * message when Go or Python is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { compare } from '../charts/lib/render.ts';
import { REPO_ROOT, schemasDir } from '../gate/schemas-location.ts';
const KUBERNETES_DEFINITIONS = join('kubernetes', 'v1.28.0', '_definitions.json');
import { renderedObjects } from '../tools/cluster/rendered.ts';
import { GO_TOOLS, GoToolError, ensureGoBinary } from '../tools/go-binaries.ts';
import { CheckovError, applyWaivers, describeUnused, ensureCheckov, runCheckov } from '../tools/peers/checkov.ts';
import { SCHEMALESS_KINDS } from '../charts/environments/catalogue.ts';
import { CHECKOV_WAIVERS } from '../tools/peers/checkov-waivers.ts';
import { writeCoreSchemas } from '../tools/peers/kubeconform-schemas.ts';
import { validateDirectory } from './validate.ts';

const dir = resolve(process.argv[2] ?? join(REPO_ROOT, 'dist'));
const started = performance.now();
function stop(message: string): never {
  console.error(`peers: ${message}`);
  process.exit(2);
}
if (!existsSync(dir)) stop(`${dir} does not exist`);

let kubeconform: string;
let checkov: string;
try {
  kubeconform = ensureGoBinary(GO_TOOLS.kubeconform!, process.env, console.log);
  checkov = ensureCheckov(console.log);
} catch (error) {
  if (error instanceof GoToolError || error instanceof CheckovError) stop(error.message);
  throw error;
}

// The files of the environments (talos/, omni/, releases/ are not Kubernetes objects of a cluster).
const environments = ENVIRONMENTS.map((e) => e.name).filter((e) => existsSync(join(dir, e)));
const work = mkdtempSync(join(tmpdir(), 'peers-'));
const problems: string[] = [];
try {
  // Rendered chart objects, written out so Checkov reads them as files (issue #17: Checkov runs over dist/ and the rendered objects).
  const rendered = await renderedObjects(dir);
  let renderedCount = 0;

  // kubeconform, strict, on our schemas: core kinds converted into its layout, CRD kinds as pinned.
  const schemas = schemasDir();
  const coreDir = join(REPO_ROOT, '.cache', 'kubeconform-schemas', 'v1.28.0-standalone-strict');
  if (!existsSync(coreDir)) writeCoreSchemas(join(schemas, KUBERNETES_DEFINITIONS), coreDir);
  const run = spawnSync(
    kubeconform,
    [
      '-strict',
      '-summary',
      '-output',
      'json',
      '-schema-location',
      `${coreDir}/{{.ResourceKind}}{{.KindSuffix}}.json`,
      '-schema-location',
      `${join(schemas, 'jsonschema')}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
      ...environments.map((e) => join(dir, e)),
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const output = JSON.parse(run.stdout || '{}') as { resources?: { filename: string; kind: string; name: string; status: string; msg: string }[]; summary?: Record<string, number> };
  const refusedByKubeconform = new Map<string, string>();
  const missingSchema: string[] = [];
  // Expected differences: kinds the catalogue declares schemaless (SCHEMALESS_KINDS, each with its
  // reason; the gate reports them as skipped). kubeconform has no schema for them either; that
  // refusal is expected, and one that no longer happens (a schema got pinned) is stale and fails.
  const schemaless = new Map(SCHEMALESS_KINDS.map((k) => [`${k.apiVersion}|${k.kind}`, k] as const));
  const expected: string[] = [];
  for (const resource of output.resources ?? []) {
    const file = relative(dir, resource.filename);
    const declared = schemaless.get(`${(resource as { version?: string }).version ?? ''}|${resource.kind}`);
    const noSchema = resource.status === 'statusSkipped' || /could not find schema/.test(resource.msg ?? '');
    if (declared && noSchema) {
      expected.push(`${file} (${declared.apiVersion} ${declared.kind}): ${declared.reason}`);
      continue;
    }
    if (declared) problems.push(`kubeconform now has a schema for ${declared.apiVersion} ${declared.kind} (${file}): remove its SCHEMALESS_KINDS entry (charts/environments/catalogue.ts, decision 0701)`);
    if (resource.status === 'statusInvalid' || resource.status === 'statusError') refusedByKubeconform.set(file, `${resource.kind} ${resource.name}: ${resource.msg}`);
    if (noSchema) missingSchema.push(`${file} (${resource.kind})`);
  }

  // The gate's schema findings on the same files.
  const gate = validateDirectory(dir);
  const refusedByGate = new Map<string, string>();
  for (const issue of gate.report.errors) if (issue.rule.startsWith('schema')) refusedByGate.set(issue.file, `${issue.object} ${issue.field}: ${issue.message}`);
  const files = [...new Set([...refusedByKubeconform.keys(), ...refusedByGate.keys()])].sort(compare);
  const disagreements = files.filter((f) => refusedByKubeconform.has(f) !== refusedByGate.has(f));
  console.log(`kubeconform: ${JSON.stringify(output.summary ?? {})}; refused ${refusedByKubeconform.size} file(s), the gate's schema rules ${refusedByGate.size}`);
  for (const file of disagreements) {
    console.log(refusedByKubeconform.has(file) ? `  only kubeconform refuses ${file}: ${refusedByKubeconform.get(file)}` : `  only the gate refuses ${file}: ${refusedByGate.get(file)}`);
  }
  for (const line of expected) console.log(`  expected: kubeconform has no schema, declared schemaless: ${line}`);
  if (missingSchema.length > 0) console.log(`  kubeconform has no schema for ${missingSchema.length} object(s): ${missingSchema.slice(0, 5).join(', ')}${missingSchema.length > 5 ? ', …' : ''}`);
  for (const file of files.filter((f) => refusedByKubeconform.has(f))) problems.push(`kubeconform refuses ${file}: ${refusedByKubeconform.get(file)}`);

  // Checkov over the same environments.
  const scanDir = join(work, 'scan');
  mkdirSync(scanDir, { recursive: true });
  for (const environment of environments) spawnSync('cp', ['-r', join(dir, environment), scanDir], { stdio: 'ignore' });
  if (rendered) {
    for (const environment of environments) {
      const objects = rendered.all(environment);
      for (const { source, object } of objects) {
        const path = join(scanDir, environment, 'rendered', `${source.replace(/[^a-zA-Z0-9.-]+/g, '_')}.yaml`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, `---\n${stringify(object)}`, { flag: 'a' });
        renderedCount++;
      }
    }
  }
  const findings = runCheckov(checkov, scanDir);
  let result: ReturnType<typeof applyWaivers>;
  try {
    result = applyWaivers(findings, CHECKOV_WAIVERS);
  } catch (error) {
    if (!(error instanceof CheckovError)) throw error;
    problems.push(error.message);
    result = { open: [], waived: [], unused: [] };
  }
  console.log(
    `checkov: ${findings.length} finding(s) over ${environments.join(', ')}${renderedCount ? ` and ${renderedCount} rendered objects` : ''}; ${result.waived.length} waived (tools/peers/checkov-waivers.ts), ${result.open.length} open, ${result.unused.length} stale waiver(s)`,
  );
  for (const finding of result.open) problems.push(`checkov ${finding.check} (${finding.name}) ${finding.resource} in ${finding.file}: fix it, or waive it with a reason in tools/peers/checkov-waivers.ts`);
  for (const unused of result.unused) problems.push(`${describeUnused(unused)}: remove it from tools/peers/checkov-waivers.ts`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (problems.length > 0) {
  console.error(`\npeers: ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log('peers: kubeconform and Checkov agree with the gate (every Checkov finding fixed or waived)');
