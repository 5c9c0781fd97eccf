/**
 * The measures behind `npm run bench`, shared with the scaling test: in-process synth (build, gate,
 * render to text; nothing written) and how it grows with generated sandbox users.
 */
import { synthesize } from '../charts/app/synth.ts';
import type { Environment } from '../charts/environments/types.ts';
import { addDays } from '../charts/lib/dates.ts';
import { withSandboxUsers } from './bench-users.ts';

export const BENCH_TODAY = '2026-11-24';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface InProcessFigure {
  readonly ms: number;
  readonly gateMs: number;
  readonly objects: number;
}

/** Median of `runs` in-process synths of `environments` (after whatever ran before in this process). */
export function inProcess(environments: readonly Environment[], runs: number): InProcessFigure {
  const times: number[] = [];
  const gates: number[] = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = synthesize({ environments, today: BENCH_TODAY });
    times.push(performance.now() - started);
    if (!result.ok) throw new Error(result.problems);
    gates.push(result.gate.durationMs);
    objects = result.build.manifests.length;
  }
  return { ms: median(times), gateMs: median(gates), objects };
}

export interface ScalingFigure extends InProcessFigure {
  readonly users: number;
}

export interface Scaling {
  readonly figures: readonly ScalingFigure[];
  /** Least-squares slope over all figures: milliseconds and objects per sandbox. */
  readonly msPerSandbox: number;
  readonly objectsPerSandbox: number;
  /** Per-sandbox cost of the last step over that of the first: ≈ 1 when linear, grows when not. */
  readonly curvature: number;
}

/** In-process synth at each count of generated sandbox users (warm: one untimed run first). */
export function sandboxScaling(environments: readonly Environment[], counts: readonly number[], runs: number): Scaling {
  const figures = counts.map((users) => {
    const envs = withSandboxUsers(environments, users, addDays(BENCH_TODAY, 30));
    synthesize({ environments: envs, today: BENCH_TODAY });
    return { users, ...inProcess(envs, runs) };
  });
  const slope = (y: (f: ScalingFigure) => number) => {
    const n = figures.length;
    const mx = figures.reduce((s, f) => s + f.users, 0) / n;
    const my = figures.reduce((s, f) => s + y(f), 0) / n;
    const num = figures.reduce((s, f) => s + (f.users - mx) * (y(f) - my), 0);
    const den = figures.reduce((s, f) => s + (f.users - mx) ** 2, 0);
    return num / den;
  };
  const step = (a: ScalingFigure, b: ScalingFigure) => (b.ms - a.ms) / (b.users - a.users);
  const first = step(figures[0]!, figures[1]!);
  const last = step(figures.at(-2)!, figures.at(-1)!);
  return { figures, msPerSandbox: slope((f) => f.ms), objectsPerSandbox: slope((f) => f.objects), curvature: last / first };
}
