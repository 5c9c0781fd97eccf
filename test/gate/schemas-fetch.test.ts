/**
 * The download path of the schemas (ARCHITECTURE.md, "Where schemas come from"), against a local
 * HTTP server on 127.0.0.1 serving ../shared/schemas — never the internet.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { schemasDir } from '../../gate/schemas-location.ts';
import { runGate } from '../../gate/gate.ts';
import { LOCK_FILE, fetchSchemas, lockOf, type SchemaLock } from '../../scripts/schemas-fetch.ts';
import { baseTree, baselineWithWaivers } from './fixture.ts';

const SOURCE = schemasDir();
let server: Server;
let baseUrl = '';
const served: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)).replace(/^\/+/, '');
    served.push(path);
    const file = join(SOURCE, path);
    if (path.startsWith('..') || !existsSync(file) || path === '') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const lock = (): SchemaLock => JSON.parse(readFileSync(LOCK_FILE, 'utf8'));

describe('npm run schemas:fetch', () => {
  it('the committed lock pins exactly the shared schemas', () => {
    expect(lock()).toEqual(lockOf(SOURCE));
  });

  it('downloads every pinned file, and the gate runs on the cache', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
    const result = await fetchSchemas({ baseUrl, out, lock: lock() });
    expect(result.files).toBe(Object.keys(lock().files).length);
    expect(lockOf(out)).toEqual(lock());
    expect(baselineWithWaivers(out).errors).toEqual([]);
    expect(runGate(baseTree(), { facts: gateFacts(ENVIRONMENTS), schemasDir: join(out, 'missing') }).errors[0]?.message).toMatch(/^schema file .* is missing; the gate reads the Kubernetes 1\.28 and CRD schemas from SCHEMAS_DIR/);
  });

  it('refuses a file whose hash differs from the pin and leaves the cache as it was', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
    const tampered = lock();
    const file = 'kubernetes/v1.28.0/_definitions.json';
    const pinned = { ...tampered, files: { ...tampered.files, [file]: { sha256: '0'.repeat(64), bytes: 1 } } };
    await expect(fetchSchemas({ baseUrl, out, lock: pinned })).rejects.toThrow(`${file}: sha256 `);
    expect(existsSync(out)).toBe(false);
  });

  it('fails on a mirror that lacks a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
    await expect(fetchSchemas({ baseUrl: `${baseUrl}/nowhere`, out, lock: lock() })).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/nowhere\/index\.json: HTTP 404/);
  });
});
