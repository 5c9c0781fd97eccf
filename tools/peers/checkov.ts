/**
 * Checkov's Kubernetes checks as a peer of our policy rules: installed from PyPI at the pins of
 * tools/python/checkov/requirements.txt into a virtualenv in .cache/ (rebuilt when the pins change),
 * run over a folder, its findings matched against the reviewed waivers (tools/peers/checkov-waivers.ts).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../gate/schemas-location.ts';

export const CHECKOV_REQUIREMENTS = join(REPO_ROOT, 'tools', 'python', 'checkov', 'requirements.txt');
export const CHECKOV_VENV = join(REPO_ROOT, '.cache', 'venv-checkov');

export class CheckovError extends Error {}

export interface CheckovFinding {
  readonly check: string;
  readonly name: string;
  /** `Kind.namespace.name` as Checkov names a Kubernetes resource. */
  readonly resource: string;
  readonly file: string;
}

export interface CheckovWaiver {
  readonly check: string;
  /** Matched against `Kind.namespace.name`. */
  readonly resource: RegExp;
  readonly reason: string;
}

/** The checkov executable, installing the pinned requirements first when the venv is missing or stale. */
export function ensureCheckov(log: (line: string) => void = () => {}): string {
  const bin = join(CHECKOV_VENV, 'bin', 'checkov');
  const stamp = join(CHECKOV_VENV, 'requirements.sha256');
  const want = createHash('sha256').update(readFileSync(CHECKOV_REQUIREMENTS)).digest('hex');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return bin;
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.error || python.status !== 0) throw new CheckovError('Checkov is installed from PyPI into .cache/venv-checkov and needs python3 (3.9 or newer) on PATH; install Python 3');
  log(`installing Checkov from ${CHECKOV_REQUIREMENTS} into ${CHECKOV_VENV} …`);
  rmSync(CHECKOV_VENV, { recursive: true, force: true });
  const steps: string[][] = [
    ['python3', '-m', 'venv', CHECKOV_VENV],
    [join(CHECKOV_VENV, 'bin', 'pip'), 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', CHECKOV_REQUIREMENTS],
  ];
  for (const [cmd, ...args] of steps) {
    const run = spawnSync(cmd!, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new CheckovError(`${cmd} ${args.join(' ')} failed:\n${(run.stderr || run.stdout).trim().split('\n').slice(-10).join('\n')}`);
  }
  writeFileSync(stamp, want);
  return bin;
}

/** Runs Checkov's Kubernetes framework over `dir`; every failed check. */
export function runCheckov(bin: string, dir: string): CheckovFinding[] {
  const run = spawnSync(bin, ['--directory', dir, '--framework', 'kubernetes', '--output', 'json', '--quiet', '--compact', '--skip-download'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // No telemetry, no platform calls: Checkov runs offline on the files.
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'ERROR' },
  });
  if (run.error) throw new CheckovError(`checkov could not run: ${run.error.message}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new CheckovError(`checkov did not print JSON (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-5).join(' ')}`);
  }
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as { results?: { failed_checks?: any[] } }[];
  return reports
    .flatMap((report) => report.results?.failed_checks ?? [])
    .map((f) => ({ check: String(f.check_id), name: String(f.check_name), resource: String(f.resource), file: String(f.file_path).replace(/^\//, '') }));
}

export interface WaiverResult {
  readonly open: CheckovFinding[];
  readonly waived: { finding: CheckovFinding; waiver: CheckovWaiver }[];
  /** Waivers no finding matched: stale, to be removed. */
  readonly unused: CheckovWaiver[];
}

export function applyWaivers(findings: readonly CheckovFinding[], waivers: readonly CheckovWaiver[]): WaiverResult {
  const used = new Set<CheckovWaiver>();
  const open: CheckovFinding[] = [];
  const waived: { finding: CheckovFinding; waiver: CheckovWaiver }[] = [];
  for (const finding of findings) {
    const waiver = waivers.find((w) => w.check === finding.check && w.resource.test(finding.resource));
    if (waiver) {
      used.add(waiver);
      waived.push({ finding, waiver });
    } else open.push(finding);
  }
  return { open, waived, unused: waivers.filter((w) => !used.has(w)) };
}
