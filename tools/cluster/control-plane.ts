/**
 * A throw-away control plane on loopback: one etcd (plain HTTP on 127.0.0.1, fsync off: the data
 * is thrown away) and one kube-apiserver per cluster, each under its own etcd prefix, so the host
 * and every vcluster are separate API servers as in production. Ports are free ports picked at
 * start; data lives in a temporary folder removed at stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiServer, type Tls } from './http.ts';
import { createPki, type Pki } from './pki.ts';

export interface ClusterSpec {
  /** `prod`, `staging`, … */
  readonly name: string;
  /** Extra kube-apiserver flags (`service-node-port-range` from the Talos cluster patch). */
  readonly extraArgs?: Readonly<Record<string, string>>;
}

export interface RunningCluster {
  readonly name: string;
  readonly url: string;
  /** Admin (system:masters) configuration. */
  readonly kubeConfig: KubeConfig;
  /** Configuration acting as another user (impersonation by the admin, as `kubectl --as`). */
  readonly as: (user: string) => KubeConfig;
  /** The keep-alive client of this API server (tools/cluster/http.ts). */
  readonly api: ApiServer;
  readonly log: string;
}

export interface ControlPlane {
  readonly clusters: ReadonlyMap<string, RunningCluster>;
  readonly dir: string;
  /** CPU seconds (user + system) each process has used so far: `etcd`, `kube-apiserver <cluster>` (Linux /proc; empty elsewhere). */
  cpuSeconds(): Record<string, number>;
  stop(): Promise<void>;
}

export class ControlPlaneError extends Error {}

export interface ControlPlaneOptions {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly serviceCidr: string;
  /** Seconds to wait for each API server's /readyz. */
  readonly readyTimeout?: number;
  readonly log?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function start(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function get(url: string, tls: Tls): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new ControlPlaneError(`${what} exited with code ${child.exitCode}:\n${tail(logFile)}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ControlPlaneError(`${what} was not ready after ${timeoutSeconds} s:\n${tail(logFile)}`);
}

function kubeConfigFor(name: string, url: string, pki: Pki, impersonate?: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name, server: url, caFile: pki.caCert, skipTLSVerify: false }],
    users: [{ name: 'admin', certFile: pki.adminCert, keyFile: pki.adminKey, ...(impersonate ? { impersonateUser: impersonate } : {}) }],
    contexts: [{ name, cluster: name, user: 'admin' }],
    currentContext: name,
  });
  return config;
}

/** Starts etcd and one kube-apiserver per cluster (in parallel) and waits until every one is ready. */
export async function startControlPlane(clusters: readonly ClusterSpec[], options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'cluster-test-'));
  const children: ChildProcess[] = [];
  const names = new Map<ChildProcess, string>();
  const cpuSeconds = () => {
    const out: Record<string, number> = {};
    for (const [child, name] of names) {
      try {
        // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (100 per second on Linux).
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        out[name] = (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        // not Linux, or the process is gone
      }
    }
    return out;
  };
  const running = new Map<string, RunningCluster>();
  const stop = async () => {
    for (const cluster of running.values()) cluster.api.close();
    for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((r) => child.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pki = createPki(dir);
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const etcdLog = join(dir, 'etcd.log');
    const etcd = start(
      options.etcd,
      [
        '--name=cluster-test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=cluster-test=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
    );
    children.push(etcd);
    names.set(etcd, 'etcd');
    await waitFor(
      'etcd',
      async () => {
        try {
          return (await fetch(`${etcdUrl}/health`)).ok;
        } catch {
          return false;
        }
      },
      etcd,
      etcdLog,
      30,
    );

    const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
    await Promise.all(
      clusters.map(async (cluster) => {
        const port = await freePort();
        const url = `https://127.0.0.1:${port}`;
        const logFile = join(dir, `kube-apiserver-${cluster.name}.log`);
        mkdirSync(join(dir, cluster.name));
        const flags: Record<string, string> = {
          'etcd-servers': etcdUrl,
          'etcd-prefix': `/registry-${cluster.name}`,
          'bind-address': '127.0.0.1',
          'advertise-address': '127.0.0.1',
          'secure-port': String(port),
          'cert-dir': join(dir, cluster.name),
          'tls-cert-file': pki.serverCert,
          'tls-private-key-file': pki.serverKey,
          'client-ca-file': pki.caCert,
          'authorization-mode': 'RBAC',
          'service-account-issuer': 'https://kubernetes.default.svc.cluster.local',
          'service-account-key-file': pki.serviceAccountPublicKey,
          'service-account-signing-key-file': pki.serviceAccountPrivateKey,
          'service-cluster-ip-range': options.serviceCidr,
          // Talos runs its API server with privileged pods allowed (Mayastor, Merbridge need them).
          'allow-privileged': 'true',
          // No kubelet or node exists: the `kubernetes` Endpoints would point at loopback, which Endpoints refuse.
          'endpoint-reconciler-type': 'none',
          profiling: 'false',
          'enable-priority-and-fairness': 'false',
          'watch-cache': 'false',
          ...cluster.extraArgs,
        };
        const child = start(
          options.kubeApiserver,
          Object.entries(flags).map(([k, v]) => `--${k}=${v}`),
          logFile,
        );
        children.push(child);
        names.set(child, `kube-apiserver ${cluster.name}`);
        await waitFor(`kube-apiserver of ${cluster.name}`, async () => (await get(`${url}/readyz`, tls)) === 200, child, logFile, options.readyTimeout ?? 120);
        log(`kube-apiserver of ${cluster.name} ready on ${url}`);
        running.set(cluster.name, {
          name: cluster.name,
          url,
          kubeConfig: kubeConfigFor(cluster.name, url, pki),
          as: (user) => kubeConfigFor(cluster.name, url, pki, user),
          api: new ApiServer(url, tls),
          log: logFile,
        });
      }),
    );
    return { clusters: running, dir, stop, cpuSeconds };
  } catch (error) {
    await stop();
    throw error;
  }
}
