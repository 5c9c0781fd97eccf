/**
 * Child of the kill test: writes tree A or B into argv[2] with the real writer each time it reads a
 * line ("A" or "B") on stdin, and answers "done" — until the parent kills it at a random instant.
 */
import { createInterface } from 'node:readline';
import { writeTreeAtomically } from '../../charts/lib/writer.ts';
import { killTree } from './trees.ts';

const outdir = process.argv[2]!;
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const which = line.trim() as 'A' | 'B';
  try {
    writeTreeAtomically(outdir, killTree(which));
    process.stdout.write('done\n');
  } catch (error) {
    process.stdout.write(`error ${(error as Error).message}\n`);
  }
}
