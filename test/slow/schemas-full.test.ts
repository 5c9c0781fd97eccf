/**
 * `npm run test:slow`: the whole schema lock, end to end. The lock equals what `--write-lock`
 * records from ../shared (every recipe re-derived), and the complete download from a loopback
 * upstream gives a cache on which the gate passes the committed tree.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { GATE_WAIVERS } from '../../charts/app/gate-waivers.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { runGate } from '../../gate/gate.ts';
import { fetchSchemas } from '../../gate/schema-download.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { lockOf } from '../../scripts/schemas-fetch.ts';
import { baseTree } from '../gate/fixture.ts';
import { lock, startUpstream, type Upstream } from '../gate/upstream-server.ts';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());

describe('the whole schema lock', () => {
  it('is what --write-lock records from ../shared', () => {
    expect(lockOf(join(REPO_ROOT, '..', 'shared'))).toEqual(lock);
  });

  it('downloads completely, and the gate passes the committed tree on the download alone', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
    const result = await fetchSchemas({ lock, upstream: upstream.url, out });
    expect(result.files).toBe(Object.keys(lock.files).length);
    expect(runGate(baseTree(), { facts: gateFacts(ENVIRONMENTS), waivers: GATE_WAIVERS, schemasDir: out }).errors).toEqual([]);
  });
});
