/**
 * `npm run bench`: how long synth + gate of every environment takes.
 *  - in-process: the full pipeline (build, gate, render; no disk write) several times in one process;
 *  - whole process: `node --import tsx charts/main.ts` into a temporary folder, as `npm run synth` runs;
 *  - scaling: the in-process pipeline with 0, 100 and 500 generated sandbox users.
 * Prints medians, and objects per second. `--runs N` changes the repetitions (default 7).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../charts/app/synth.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import type { Environment } from '../charts/environments/types.ts';
import { withSandboxUsers } from '../tools/bench-users.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { cliArgs } from '../tools/args.ts';

const TODAY = '2026-11-24';
const RUNS = Number(cliArgs(process.argv.slice(2), { values: ['runs'] }, 'npm run bench -- [--runs 7]').values.runs ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function inProcess(environments: readonly Environment[], runs: number): { ms: number; gateMs: number; objects: number } {
  const times: number[] = [];
  const gates: number[] = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = synthesize({ environments, today: TODAY });
    times.push(performance.now() - started);
    if (!result.ok) throw new Error(result.problems);
    gates.push(result.gate.durationMs);
    objects = result.build.manifests.length;
  }
  return { ms: median(times), gateMs: median(gates), objects };
}

function wholeProcess(runs: number): number {
  const times: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'charts/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK8S_OUTDIR: join(dir, 'dist'), PLATFORM_TODAY: TODAY },
      encoding: 'utf8',
    });
    times.push(performance.now() - started);
    if (run.status !== 0) throw new Error(run.stderr);
  }
  rmSync(dir, { recursive: true, force: true });
  return median(times);
}

const first = performance.now();
const cold = synthesize({ environments: ENVIRONMENTS, today: TODAY });
const coldMs = performance.now() - first;
const coldGateMs = cold.ok ? cold.gate.durationMs : NaN;
const warm = inProcess(ENVIRONMENTS, RUNS);
const processMs = wholeProcess(Math.max(3, Math.ceil(RUNS / 2)));
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(`synth of ${ENVIRONMENTS.length} environments, ${warm.objects} objects (median of ${RUNS} runs)`);
console.log(`  in process, first run (cold)   ${fmt(coldMs)}  (gate ${fmt(coldGateMs)}: schemas read, rules, CEL)`);
console.log(`  in process, warm               ${fmt(warm.ms)}  (gate ${fmt(warm.gateMs)}, ${Math.round(warm.objects / (warm.ms / 1000))} objects/s)`);
console.log(`  whole process (npm run synth)  ${fmt(processMs)}  (${Math.round(warm.objects / (processMs / 1000))} objects/s)`);
const validateStarted = performance.now();
const validateRun = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', 'dist'], { cwd: REPO_ROOT, encoding: 'utf8' });
console.log(`  npm run validate dist/         ${fmt(performance.now() - validateStarted)}  (${validateRun.stdout.split('\n')[0]?.replace(/^validated /, '')})`);
console.log('sandbox scaling (in process, warm; users generated on every environment that has sandboxUsers):');
const scaling = [0, 100, 500].map((count) => ({ count, ...inProcess(withSandboxUsers(ENVIRONMENTS, count), Math.max(3, Math.ceil(RUNS / 2))) }));
for (const { count, ms, gateMs, objects } of scaling) {
  console.log(`  ${String(count).padStart(3)} sandbox users  ${fmt(ms).padStart(7)}  (gate ${fmt(gateMs)})  ${objects} objects`);
}
const base = scaling[0]!;
const top = scaling.at(-1)!;
const perUserObjects = (top.objects - base.objects) / top.count;
const perUserMs = (top.ms - base.ms) / top.count;
console.log(`  per sandbox: ${perUserObjects.toFixed(1)} objects, ${perUserMs.toFixed(2)} ms`);
if (perUserObjects === 0) {
  console.log('  note: generated users produce no objects yet: no enabled service builds per-user sandboxes from Environment.sandboxUsers (the vcluster service does)');
}
