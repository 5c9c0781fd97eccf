/**
 * `npm run bench [-- --runs N]`: how long synth takes, against what it cannot beat.
 *  - whole process: `npm run synth`'s command into a temporary folder, side by side with the floor
 *    (plain node + yaml writing as many objects, scripts/bench-floor.mjs), and their ratio;
 *  - in process: the first synth (cold: schemas read, first-use compilation) and warm synths;
 *  - `npm run validate dist/`, and render / converge when those commands exist;
 *  - sandbox scaling: in-process synth with 0, 100, 500 and 1,000 generated sandbox users, the
 *    per-sandbox slope and how linear it is.
 * Medians of N runs (default 7). Wall-clock figures: run it on a quiet machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesize } from '../charts/app/synth.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { BENCH_TODAY, inProcess, median, sandboxScaling } from '../tools/bench.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

/** Median wall time of a command (after one untimed run that fills caches). */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(command, args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
    if (i > 0) times.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${run.stderr}`);
  }
  return median(times);
}

const synthCommand = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.synth.split(' ') as string[];
const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;

const first = performance.now();
const cold = synthesize({ environments: ENVIRONMENTS, today: BENCH_TODAY });
const coldMs = performance.now() - first;
if (!cold.ok) throw new Error(cold.problems);
const warm = inProcess(ENVIRONMENTS, RUNS);

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const synthMs = timed(process.execPath, synthCommand.slice(1), { ...process.env, CDK8S_OUTDIR: join(dir, 'dist'), PLATFORM_TODAY: BENCH_TODAY });
const floorMs = timed(process.execPath, ['scripts/bench-floor.mjs', String(warm.objects), join(dir, 'floor')]);
rmSync(dir, { recursive: true, force: true });

console.log(`synth of ${ENVIRONMENTS.length} environments, ${warm.objects} objects (medians of ${RUNS} runs)`);
console.log(`  npm run synth, whole process   ${fmt(synthMs)}`);
console.log(`  floor: node + yaml, ${warm.objects} files  ${fmt(floorMs)}`);
console.log(`  ratio synth / floor            ${(synthMs / floorMs).toFixed(2)}×`);
console.log(`  in process, first run (cold)   ${fmt(coldMs)}  (gate ${fmt(cold.gate.durationMs)})`);
console.log(`  in process, warm               ${fmt(warm.ms)}  (gate ${fmt(warm.gateMs)})`);
// Each command as package.json writes it, run by node directly (as synth above): npm's own start-up
// (≈ 0.2 s here) is not the command's.
for (const [name, args] of [
  ['validate', ['dist']],
  ['render', []],
  ['converge', []],
] as const) {
  const command = scripts[name]?.split(' ');
  if (command?.[0] !== 'node') continue;
  const ms = timed(process.execPath, [...command.slice(1), ...args]);
  console.log(`  npm run ${name} (warm)`.padEnd(33) + fmt(ms));
}

console.log('sandbox scaling (in process, warm):');
const scaling = sandboxScaling(ENVIRONMENTS, [0, 100, 500, 1000], RUNS);
for (const { users, ms, gateMs, objects } of scaling.figures) {
  console.log(`  ${String(users).padStart(4)} sandbox users  ${fmt(ms).padStart(8)}  (gate ${fmt(gateMs)})  ${objects} objects`);
}
console.log(`  per sandbox: ${scaling.objectsPerSandbox.toFixed(1)} objects, ${scaling.msPerSandbox.toFixed(2)} ms (slope); last step / first step ${scaling.curvature.toFixed(2)} (1 = linear)`);
console.log(`  +500 sandboxes: +${fmt(scaling.figures[2]!.ms - scaling.figures[0]!.ms)}`);
