/**
 * A loopback HTTP server laid out as raw.githubusercontent.com (`/<repo>/<commit>/<path>`) serving
 * the upstream files of schemas.lock.json, built from the local copies: the schema download is
 * tested against it, never the internet.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UpstreamSource } from '../../gate/schema-sources.ts';
import { readLock, SchemaFiles } from '../../gate/schemas-location.ts';

export const lock = readLock();
const local = new SchemaFiles();

/**
 * What the upstream URL of a pinned file serves. Byte copies are the local copy; for the files the
 * lock cuts out of a larger upstream file, a larger file of the same shape is built around the local
 * copy (the recipes themselves were checked against the real upstream files at the pinned commits).
 */
function upstreamBody(source: UpstreamSource, files: string[]): string {
  const how = source.extract ?? '';
  const texts = files.map((file) => local.text(file));
  if (how.startsWith('document:')) return texts.map((text) => `---\n${text}`).join('');
  if (how.startsWith('go-raw-string:'))
    return `package resources\n\nvar CRDs = map[string]string{\n${files.map((file, i) => `\t"${(lock.files[file]!.from as UpstreamSource).extract!.split(':')[1]}": \`${texts[i]!.replaceAll('`', '` + "`" + `')}\`,\n`).join('')}}\n`;
  if (how.startsWith('cert-manager-crd:')) {
    return texts[0]!
      .replace(/^(\s*)# Generated labels\n\s*app\.kubernetes\.io\/version: "[^"]*"$/m, '$1# Generated labels {{- include "labels" . | nindent 4 }}')
      .replaceAll("app: 'cert-manager'", `app: '{{ template "cert-manager.name" . }}'`)
      .replaceAll("name: 'cert-manager'", `name: '{{ template "cert-manager.name" . }}'`)
      .replaceAll("instance: 'cert-manager'", `instance: '{{ .Release.Name }}'`)
      .replace(/^# START crd$/m, '# START crd {{- if or .Values.crds.enabled .Values.installCRDs }}')
      .replace(/^# END crd$/m, '# END crd {{- end }}');
  }
  return texts[0]!;
}

export interface Upstream {
  readonly url: string;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const requests: string[] = [];
  const bodies = new Map<string, { source: UpstreamSource; files: string[] }>();
  for (const [file, entry] of Object.entries(lock.files)) {
    if ('derive' in entry.from) continue;
    const url = `/${entry.from.repo}/${entry.from.commit}/${entry.from.path}`;
    bodies.set(url, { source: entry.from, files: [...(bodies.get(url)?.files ?? []), file] });
  }
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = bodies.get(request.url ?? '');
    if (!body) response.writeHead(404).end();
    else response.writeHead(200).end(upstreamBody(body.source, body.files));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
