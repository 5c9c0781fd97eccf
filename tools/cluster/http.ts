/**
 * A small client for the test API servers: one keep-alive TLS agent per API server (one handshake
 * per connection instead of one per request, which client-node 1.4's request layer makes), the body
 * sent exactly as written (client-node's `patch` serializes known kinds through its models, which
 * dropped `x-kubernetes-int-or-string` and `$ref` from CRD schemas and would drop unknown fields),
 * discovery cached per API server and refreshed when a group is asked for that it did not serve.
 */
import { Agent, request } from 'node:https';
import type { KubeObject } from '../../charts/lib/manifest.ts';

/** The field manager of Argo CD's server-side apply (argo-cd common/common.go `ArgoCDSSAManager`, v2.14.21). */
export const ARGO_CD_FIELD_MANAGER = 'argocd-controller';

export interface Tls {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A refused request: the HTTP status and the API server's own message. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(body));
  }
}

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Discovery of one API server, shared by every identity that talks to it. */
class Discovery {
  private readonly groups = new Map<string, Promise<ApiResource[] | undefined>>();

  constructor(private readonly server: ApiServer) {}

  private fetch(apiVersion: string): Promise<ApiResource[] | undefined> {
    return this.server.request<{ resources: ApiResource[] }>('GET', apiVersionPath(apiVersion)).then(
      (list) => list.resources.filter((r) => !r.name.includes('/')),
      (error) => {
        if (error instanceof ApiError && error.code === 404) return undefined;
        throw error;
      },
    );
  }

  /** The resource serving a kind, or why there is none (the API server's answer for its group version). */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | { missing: string }> {
    let cached = this.groups.get(apiVersion);
    let fresh = false;
    if (!cached || !(await cached)?.some((r) => r.kind === kind)) {
      // A kind not (yet) served may have arrived with a CRD since: ask again.
      cached = this.fetch(apiVersion);
      this.groups.set(apiVersion, cached);
      fresh = true;
    }
    const resources = await cached;
    const found = resources?.find((r) => r.kind === kind);
    if (found) return found;
    if (fresh) this.groups.delete(apiVersion);
    return {
      missing: resources
        ? `no matches for kind "${kind}" in version "${apiVersion}" (the API server serves ${apiVersion} without it): ensure CRDs are installed first`
        : `no matches for kind "${kind}" in version "${apiVersion}" (GET ${apiVersionPath(apiVersion)}: 404 page not found): ensure CRDs are installed first`,
    };
  }
}

function apiVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** One API server: its URL, TLS material, a keep-alive agent, and its discovery. */
export class ApiServer {
  private readonly agent: Agent;
  readonly discovery: Discovery;

  constructor(
    readonly url: string,
    private readonly tls: Tls,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, ca: tls.ca, cert: tls.cert, key: tls.key });
    this.discovery = new Discovery(this);
  }

  request<T>(method: string, path: string, options: { body?: string; contentType?: string; impersonate?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    if (options.impersonate) headers['Impersonate-User'] = options.impersonate;
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { method, headers, agent: this.agent, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // a plain-text body (e.g. `404 page not found`) is the message itself
          }
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(body as T);
          else reject(new ApiError(res.statusCode ?? 0, typeof body === 'string' ? body.trim() : body));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /** A client acting as `user` (impersonation by the admin, as `kubectl --as`), or as the admin. */
  as(user?: string): ObjectClient {
    return new ObjectClient(this, user);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Object operations as one identity. */
export class ObjectClient {
  constructor(
    readonly server: ApiServer,
    private readonly user?: string,
  ) {}

  /** Whether the kind is namespaced, or undefined when the API server does not serve it. */
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    const found = await this.server.discovery.resource(apiVersion, kind);
    return 'missing' in found ? undefined : found.namespaced;
  }

  /** Why the API server does not serve this kind (kubectl's message for a kind without its CRD), or undefined when it does. */
  async missingKind(apiVersion: string, kind: string): Promise<string | undefined> {
    const found = await this.server.discovery.resource(apiVersion, kind);
    return 'missing' in found ? found.missing : undefined;
  }

  private async path(object: KubeObject, withName: boolean): Promise<string> {
    const found = await this.server.discovery.resource(object.apiVersion, object.kind);
    if ('missing' in found) throw new ApiError(404, { message: found.missing });
    const namespace = found.namespaced ? `/namespaces/${encodeURIComponent(object.metadata.namespace ?? 'default')}` : '';
    return `${apiVersionPath(object.apiVersion)}${namespace}/${found.name}${withName ? `/${encodeURIComponent(object.metadata.name)}` : ''}`;
  }

  /** The live object as the API server returns it, or undefined. */
  async live(object: KubeObject): Promise<KubeObject | undefined> {
    return this.server.request<KubeObject>('GET', await this.path(object, true), this.identity()).catch(() => undefined);
  }

  /**
   * Server-side apply of the object exactly as written, with Argo CD's field manager, force, and
   * strict field validation (what kubectl, hence Argo CD's `validate=true`, asks for: an unknown or
   * duplicate field is refused, not pruned).
   */
  async apply(object: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const query = `?fieldManager=${ARGO_CD_FIELD_MANAGER}&force=true&fieldValidation=Strict${dryRun ? '&dryRun=All' : ''}`;
    return this.server.request<KubeObject>('PATCH', `${await this.path(object, true)}${query}`, {
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
      ...this.identity(),
    });
  }

  /** Deletes with background propagation (Argo CD's prune). */
  async delete(object: KubeObject): Promise<void> {
    await this.server.request('DELETE', await this.path(object, true), { body: JSON.stringify({ propagationPolicy: 'Background' }), ...this.identity() });
  }

  private identity(): { impersonate?: string } {
    return this.user ? { impersonate: this.user } : {};
  }
}
