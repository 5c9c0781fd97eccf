/**
 * `npm run render:diff -- BEFORE AFTER`: markdown of what changes between two render output trees
 * (`<env>/<application>/objects.json`, the render cache of the base branch and of the upgrade
 * branch), for the upgrade PR's comment (tools/rendered-diff.ts). Exit 2 when a tree is missing.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { diffRendered, formatRenderedDiff, readRenderedTree } from '../tools/rendered-diff.ts';

const [before, after] = process.argv.slice(2).map((dir) => resolve(dir));
if (!before || !after || !existsSync(before) || !existsSync(after)) {
  console.error('render:diff: usage: npm run render:diff -- BEFORE_DIR AFTER_DIR (render output trees <env>/<application>/objects.json, both must exist)');
  process.exit(2);
}
process.stdout.write(formatRenderedDiff(diffRendered(readRenderedTree(before), readRenderedTree(after))));
