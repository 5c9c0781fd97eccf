import { relative, sep } from 'node:path';
import { REPO_ROOT } from '../../gate/schemas-location.ts';

/**
 * An exception no check anticipated, located: the environment and construct path being built (or the
 * pipeline step), the error, and the first frame in our own source.
 */
export class InternalError extends Error {
  constructor(
    readonly where: string,
    readonly original: unknown,
  ) {
    super(`${where}: unexpected ${describeError(original)}`);
    this.name = 'InternalError';
  }
}

/** `TypeError: x is undefined (at charts/platform/storage/pools.ts:42)`: one line, no stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `exception ${JSON.stringify(error) ?? String(error)}`;
  const frame = ownFrame(error.stack ?? '');
  return `${error.name}: ${error.message.split('\n')[0]}${frame ? ` (at ${frame})` : ''}`;
}

function ownFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match) continue;
    const file = match[1]!;
    if (file.includes(`${sep}node_modules${sep}`) || !file.startsWith(REPO_ROOT)) continue;
    return `${relative(REPO_ROOT, file)}:${match[2]}`;
  }
  return undefined;
}

/**
 * Where in a chart an exception happened: the construct created last (a constructor that throws has
 * already registered itself, so it or its last child is the deepest node), below the service folder.
 */
export function lastConstructPath(chart: { readonly node: { findAll(): { node: { path: string } }[] } }, service: string): string {
  const nodes = chart.node.findAll();
  const below = nodes.at(-1)!.node.path.split('/').slice(1);
  return [service, ...below].join('/');
}
