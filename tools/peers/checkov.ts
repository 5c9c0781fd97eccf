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

/** Where a scanned object comes from: our own synthesized dist/ files, or a rendered third-party chart. */
export type CheckovOrigin = 'ours' | 'charts';

export interface CheckovFinding {
  readonly check: string;
  readonly name: string;
  /** `Kind.namespace.name` as Checkov names a Kubernetes resource. */
  readonly resource: string;
  readonly file: string;
  readonly origin: CheckovOrigin;
}

/**
 * One reviewed waiver: ONE check id (never a wildcard), the origin it covers, the resources it covers
 * (each pattern matched against `Kind.namespace.name`, or `'all'` for every resource of that origin)
 * and the reason. Each pattern must match at least one finding, else the waiver is stale and fails.
 */
export interface CheckovWaiver {
  readonly check: string;
  readonly from: CheckovOrigin | 'both';
  readonly resources: 'all' | readonly RegExp[];
  readonly reason: string;
}

const CHECK_ID = /^CKV2?_K8S_\d+$/;
const MIN_REASON = 30;

/** A rendered chart object's file sits under `<environment>/rendered/` in the scanned folder (scripts/peers.ts). */
export function originOf(file: string): CheckovOrigin {
  return /^[^/]+\/rendered\//.test(file.replace(/^\//, '')) ? 'charts' : 'ours';
}

/** The waiver file's own mistakes: a check that is not one exact id, an empty pattern list, a missing reason. */
export function waiverErrors(waivers: readonly CheckovWaiver[]): string[] {
  const errors: string[] = [];
  waivers.forEach((w, i) => {
    const at = `waiver #${i + 1} (${w.check})`;
    if (!CHECK_ID.test(w.check)) errors.push(`${at}: check must be one exact Checkov Kubernetes check id (CKV_K8S_n or CKV2_K8S_n), not a pattern`);
    if (!['ours', 'charts', 'both'].includes(w.from)) errors.push(`${at}: from must be 'ours', 'charts' or 'both'`);
    if (w.resources !== 'all' && (!Array.isArray(w.resources) || w.resources.length === 0)) errors.push(`${at}: resources must be 'all' or a non-empty list of patterns`);
    if (typeof w.reason !== 'string' || w.reason.trim().length < MIN_REASON) errors.push(`${at}: a reason of at least ${MIN_REASON} characters says why this platform accepts the finding`);
  });
  return errors;
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
    .map((f) => {
      const file = String(f.file_path).replace(/^\//, '');
      return { check: String(f.check_id), name: String(f.check_name), resource: String(f.resource), file, origin: originOf(file) };
    });
}

export interface WaiverResult {
  readonly open: CheckovFinding[];
  readonly waived: { finding: CheckovFinding; waiver: CheckovWaiver }[];
  /** Waivers (or single patterns of a waiver) no finding matched: stale, to be removed. */
  readonly unused: { waiver: CheckovWaiver; pattern?: RegExp }[];
}

function covers(waiver: CheckovWaiver, finding: CheckovFinding): RegExp | 'all' | undefined {
  if (waiver.check !== finding.check) return undefined;
  if (waiver.from !== 'both' && waiver.from !== finding.origin) return undefined;
  if (waiver.resources === 'all') return 'all';
  return waiver.resources.find((pattern) => new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(finding.resource));
}

/** Splits findings into waived and open; throws CheckovError when the waiver file itself is malformed. */
export function applyWaivers(findings: readonly CheckovFinding[], waivers: readonly CheckovWaiver[]): WaiverResult {
  const errors = waiverErrors(waivers);
  if (errors.length > 0) throw new CheckovError(`tools/peers/checkov-waivers.ts is malformed:\n  ${errors.join('\n  ')}`);
  const used = new Set<CheckovWaiver>();
  const usedPatterns = new Set<RegExp>();
  const open: CheckovFinding[] = [];
  const waived: { finding: CheckovFinding; waiver: CheckovWaiver }[] = [];
  for (const finding of findings) {
    let match: { waiver: CheckovWaiver; by: RegExp | 'all' } | undefined;
    for (const waiver of waivers) {
      const by = covers(waiver, finding);
      if (by) {
        match = { waiver, by };
        break;
      }
    }
    if (match) {
      used.add(match.waiver);
      if (match.by !== 'all') usedPatterns.add(match.by);
      waived.push({ finding, waiver: match.waiver });
    } else open.push(finding);
  }
  const unused: { waiver: CheckovWaiver; pattern?: RegExp }[] = [];
  for (const waiver of waivers) {
    if (!used.has(waiver)) unused.push({ waiver });
    else if (waiver.resources !== 'all') for (const pattern of waiver.resources) if (!usedPatterns.has(pattern)) unused.push({ waiver, pattern });
  }
  return { open, waived, unused };
}

/** One line naming a stale waiver (or pattern) for the report. */
export function describeUnused({ waiver, pattern }: { waiver: CheckovWaiver; pattern?: RegExp }): string {
  return pattern
    ? `checkov waiver ${waiver.check} (${waiver.from}): pattern ${pattern} matches nothing`
    : `checkov waiver ${waiver.check} (${waiver.from}, ${waiver.resources === 'all' ? 'all resources' : waiver.resources.join(' ')}) matches nothing`;
}
