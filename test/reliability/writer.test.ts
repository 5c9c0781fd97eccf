/**
 * The writer under crashes, faults and concurrency (issue 18): dist/ is always the old or the new
 * complete tree, a half-done swap is finished by the next run, orphans are removed, a live lock
 * refuses with the holder's pid. The kill test SIGKILLs a writing process at random instants.
 */
import { readTree } from '../helpers.ts';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { lockTree, recoverTree, writeTreeAtomically, WriteError, type WriteStep } from '../../charts/lib/writer.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { killTree } from './trees.ts';
import { WRITER_CASE_COUNT } from './counts.ts';

const OLD = new Map([
  ['prod/a/x.yaml', 'old'],
  ['README.md', 'old tree'],
]);
const NEW = new Map([
  ['prod/a/x.yaml', 'new'],
  ['prod/b/y.yaml', 'new'],
  ['README.md', 'new tree'],
]);

function setup(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'writer-faults-'));
  const out = join(root, 'dist');
  writeTreeAtomically(out, OLD, { fsync: false });
  return { root, out };
}

const failAt = (step: WriteStep, code: string) => (at: WriteStep) => {
  if (at === step) throw Object.assign(new Error(`${code}: injected`), { code, path: '/x/.dist.new-1/prod/a/x.yaml' });
};

const WRITER_CASES: { name: string; step: WriteStep; code: string; message: string }[] = [
  {
    name: 'disk full while staging',
    step: 'staged-file',
    code: 'ENOSPC',
    message: 'cannot write dist/: ENOSPC (../../x/.dist.new-1/prod/a/x.yaml): no space left on the device; free some space and run synth again; dist/ was left as it was',
  },
  {
    name: 'quota exceeded while staging',
    step: 'staged-file',
    code: 'EDQUOT',
    message: 'cannot write dist/: EDQUOT (../../x/.dist.new-1/prod/a/x.yaml): disk quota exceeded; free some space and run synth again; dist/ was left as it was',
  },
  {
    name: 'read-only file system',
    step: 'staged',
    code: 'EROFS',
    message: 'cannot write dist/: EROFS (../../x/.dist.new-1/prod/a/x.yaml): the file system is read-only; run synth where the repository is writable; dist/ was left as it was',
  },
  {
    name: 'too many open files',
    step: 'staged-file',
    code: 'EMFILE',
    message: 'cannot write dist/: EMFILE (../../x/.dist.new-1/prod/a/x.yaml): too many open files; raise the limit (ulimit -n) and run synth again; dist/ was left as it was',
  },
  {
    name: 'journal not writable',
    step: 'journal',
    code: 'EACCES',
    message: 'cannot write dist/: EACCES (../../x/.dist.new-1/prod/a/x.yaml): permission denied; make the repository writable by you (e.g. chmod -R u+w on it); dist/ was left as it was',
  },
  {
    name: 'rename refused after the old tree moved',
    step: 'moved-old',
    code: 'EPERM',
    message: 'cannot replace dist/: EPERM (../../x/.dist.new-1/prod/a/x.yaml): operation not permitted; make the repository writable by you (e.g. chmod -R u+w on it); dist/ was left as it was',
  },
];

describe('writer: faults leave the old tree, with one clear message', () => {
  it('counts its cases for the corpus total', () => {
    // the fault table plus the seven named cases below (read-only, live lock, dead lock, killed while locking, three recoveries)
    expect(WRITER_CASES.length + 7).toBe(WRITER_CASE_COUNT);
  });

  it.each(WRITER_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { root, out } = setup();
    let error: unknown;
    try {
      writeTreeAtomically(out, NEW, { fsync: false, onStep: failAt(c.step, c.code) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message.replace(relative(root, '/x'), '../../x').replace(/\.\.\/(\.\.\/)*x/, '../../x')).toBe(c.message);
    expect(readTree(out)).toEqual(OLD);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('a read-only folder in dist/ is refused before anything changes (no swap, no orphan)', () => {
    const { root, out } = setup();
    chmodSync(join(out, 'prod', 'a'), 0o555);
    try {
      expect(() => writeTreeAtomically(out, NEW, { fsync: false })).toThrow(
        `cannot replace dist/: dist/prod/a/ is not writable (mode 555), so the old tree could not be removed; run chmod -R u+w ${relative(process.cwd(), out)}; dist/ was left as it was`,
      );
      expect(readTree(out)).toEqual(OLD);
      expect(readdirSync(root)).toEqual(['dist']);
    } finally {
      chmodSync(join(out, 'prod', 'a'), 0o755);
    }
  });

  it('another synth holding the lock: refused with its pid', () => {
    const { root, out } = setup();
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(root, '.dist.lock'), `${holder.pid}\n`);
      expect(() => writeTreeAtomically(out, NEW, { fsync: false })).toThrow(
        `another synth is running (pid ${holder.pid}) and holds ${relative(process.cwd(), join(root, '.dist.lock'))}; wait for it to finish (if pid ${holder.pid} is not a synth, delete that file)`,
      );
      expect(readTree(out)).toEqual(OLD);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock left by a dead synth is taken over', () => {
    const { root, out } = setup();
    const dead = spawnSync('true').pid!;
    writeFileSync(join(root, '.dist.lock'), `${dead}\n`);
    writeTreeAtomically(out, NEW, { fsync: false });
    expect(readTree(out)).toEqual(NEW);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('a run killed while taking the lock: an empty lock is stale, its pid file is removed', () => {
    const { root, out } = setup();
    const dead = spawnSync('true').pid!;
    // killed between writing its pid file and linking it, by an older writer that created the lock empty
    writeFileSync(join(root, `.dist.lock-${dead}`), `${dead}\n`);
    writeFileSync(join(root, '.dist.lock'), '');
    writeTreeAtomically(out, NEW, { fsync: false });
    expect(readTree(out)).toEqual(NEW);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('a crash between the two renames: the next run finishes the swap', () => {
    const { root, out } = setup();
    // what the writer leaves when killed right after `dist → .dist.old-7`
    mkdirSync(join(root, '.dist.new-7', 'prod', 'a'), { recursive: true });
    writeFileSync(join(root, '.dist.new-7', 'prod', 'a', 'x.yaml'), 'new');
    writeFileSync(join(root, '.dist.new-7', 'README.md'), 'new tree');
    renameSync(out, join(root, '.dist.old-7'));
    writeFileSync(join(root, '.dist.swap'), JSON.stringify({ staging: '.dist.new-7', previous: '.dist.old-7' }));
    const release = lockTree(out);
    const done = recoverTree(out);
    release();
    expect(done).toEqual(['finished an interrupted swap (.dist.new-7 → dist)', 'removed orphan .dist.old-7']);
    expect(readTree(out)).toEqual(
      new Map([
        ['prod/a/x.yaml', 'new'],
        ['README.md', 'new tree'],
      ]),
    );
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('a crash after the journal, before the swap: the old tree stays, the staged one is dropped', () => {
    const { root, out } = setup();
    mkdirSync(join(root, '.dist.new-8'));
    writeFileSync(join(root, '.dist.new-8', 'README.md'), 'new tree');
    writeFileSync(join(root, '.dist.swap'), JSON.stringify({ staging: '.dist.new-8', previous: '.dist.old-8' }));
    expect(writeTreeAtomically(out, NEW, { fsync: false })).toEqual(['removed orphan .dist.new-8']);
    expect(readTree(out)).toEqual(NEW);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  it('a torn journal and orphans of old runs are removed', () => {
    const { root, out } = setup();
    writeFileSync(join(root, '.dist.swap'), '{"staging": ".dist.ne');
    mkdirSync(join(root, '.dist.new-123'));
    mkdirSync(join(root, '.dist.old-456'));
    const done = writeTreeAtomically(out, NEW, { fsync: false });
    expect(done.sort()).toEqual(['removed orphan .dist.new-123', 'removed orphan .dist.old-456']);
    expect(readdirSync(root)).toEqual(['dist']);
    expect(readTree(out)).toEqual(NEW);
  });
});

/** Whether two trees hold the same paths with the same contents. */
const sameTree = (tree: Map<string, string>, other: Map<string, string>) => tree.size === other.size && [...tree].every(([p, c]) => other.get(p) === c);

/** Starts a writer child; resolves once it is ready. */
function child(out: string) {
  const process_ = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/reliability/write-child.ts'), out], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: process_.stdout! });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => (waiters.length ? waiters.shift()!(line) : queue.push(line)));
  const next = () => new Promise<string>((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve)));
  return { process: process_, next, send: (line: string) => process_.stdin!.write(`${line}\n`) };
}

describe('writer: killed at random instants (≥ 50 kills), always the old or the new complete tree', () => {
  it('SIGKILL during writes, then recovery', async () => {
    const root = mkdtempSync(join(tmpdir(), 'writer-kill-'));
    const out = join(root, 'dist');
    const A = killTree('A');
    const B = killTree('B');
    writeTreeAtomically(out, A);
    // How long one write takes here: kills are spread over it.
    const probe = child(out);
    expect(await probe.next()).toBe('ready');
    let started = performance.now();
    probe.send('B');
    expect(await probe.next()).toBe('done');
    const writeMs = performance.now() - started;
    probe.send('A');
    expect(await probe.next()).toBe('done');
    probe.process.kill('SIGKILL');

    const outcomes = { old: 0, new: 0, recovered: 0 };
    const kills = Number(process.env.KILLS ?? 60);
    let current: 'A' | 'B' = 'A';
    for (let kill = 0; kill < kills; kill++) {
      const writer = child(out);
      expect(await writer.next()).toBe('ready');
      const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
      started = performance.now();
      writer.send(target);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * writeMs * 1.2));
      writer.process.kill('SIGKILL');
      await new Promise((resolve) => writer.process.once('exit', resolve));
      // the next run: take the (stale) lock and recover
      const release = lockTree(out);
      const done = recoverTree(out);
      release();
      if (done.some((line) => line.startsWith('finished'))) outcomes.recovered++;
      const tree = readTree(out);
      const isOld = sameTree(tree, current === 'A' ? A : B);
      const isNew = sameTree(tree, target === 'A' ? A : B);
      expect(isOld || isNew, `kill ${kill}: dist/ is neither tree A nor tree B (${tree.size} files)`).toBe(true);
      expect(readdirSync(root)).toEqual(['dist']);
      if (isNew) {
        outcomes.new++;
        current = target;
      } else outcomes.old++;
    }
    console.log(`kill test: ${kills} kills over a ${Math.round(writeMs)} ms write: ${outcomes.old} left the old tree, ${outcomes.new} the new one (${outcomes.recovered} finished by recovery)`);
    // the kills really landed during writes, on both sides of the swap
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
  }, 1_800_000); // ≈ 2 s per kill on an idle machine (a tsx child starts each time), far more under load

  it('two synths at once: one writes, the other is refused with the pid, the tree is complete', async () => {
    const root = mkdtempSync(join(tmpdir(), 'writer-concurrent-'));
    const out = join(root, 'dist');
    writeTreeAtomically(out, killTree('A'));
    const [first, second] = [child(out), child(out)];
    expect(await first.next()).toBe('ready');
    expect(await second.next()).toBe('ready');
    const results: string[] = [];
    for (let round = 0; round < 5; round++) {
      first.send('B');
      second.send('A');
      results.push(await first.next(), await second.next());
    }
    first.process.kill('SIGKILL');
    second.process.kill('SIGKILL');
    for (const result of results) expect(result).toMatch(/^(done|error another synth is running \(pid \d+\) and holds .*\.dist\.lock; wait for it to finish \(if pid \d+ is not a synth, delete that file\))$/);
    const tree = readTree(out);
    expect([killTree('A'), killTree('B')].some((t) => t.size === tree.size && [...tree].every(([p, c]) => t.get(p) === c))).toBe(true);
    expect(existsSync(join(root, '.dist.lock'))).toBe(false);
  });
});
