/**
 * Test-infrastructure binaries (helm, etcd, kube-apiserver, kubeconform, …) built from pinned Go
 * modules, never downloaded prebuilt. Each tool is a tiny Go module of ours in `tools/go/<tool>/`
 * whose `go.mod`/`go.sum` pin the upstream module; the binary lands in `.cache/bin/<tool>-<key>`,
 * the key being a hash of that folder, so a pin change rebuilds and an unchanged pin never does.
 *
 * An environment variable named after the tool (`HELM`, `ETCD`, `KUBE_APISERVER`, `KUBECONFORM`…)
 * points at an existing binary instead; its version is the caller's to check.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';

export const GO_TOOLS_DIR = join(REPO_ROOT, 'tools', 'go');
export const BIN_CACHE_DIR = join(REPO_ROOT, '.cache', 'bin');

export interface GoTool {
  /** Folder under tools/go/ holding the module (go.mod, go.sum, and a main package or a tools.go). */
  readonly name: string;
  /** Package to build, e.g. `helm.sh/helm/v3/cmd/helm`; `.` for a main package of our own. */
  readonly pkg: string;
  /** Extra `-ldflags` (e.g. version stamps the upstream Makefile sets). */
  readonly ldflags?: string;
}

export class GoToolError extends Error {}

/** Environment variable that overrides a tool: `kube-apiserver` → `KUBE_APISERVER`. */
export function overrideVariable(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Hash of every file of the tool's module folder: the cache key of its binary. */
export function toolKey(tool: GoTool): string {
  const dir = join(GO_TOOLS_DIR, tool.name);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) {
    const path = join(dir, file);
    if (!statSync(path).isFile()) continue;
    hash.update(file).update('\0').update(readFileSync(path)).update('\0');
  }
  hash
    .update(tool.pkg)
    .update('\0')
    .update(tool.ldflags ?? '');
  return hash.digest('hex').slice(0, 12);
}

/** Path of the cached binary (it may not exist yet). */
export function binaryPath(tool: GoTool): string {
  return join(BIN_CACHE_DIR, `${tool.name}-${toolKey(tool)}`);
}

/**
 * The tool's binary: the override variable's path, else the cached build, else a fresh build
 * (`go build` in its module folder, GOFLAGS=-mod=mod off: go.sum must already pin everything).
 */
export function ensureGoBinary(tool: GoTool, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): string {
  const override = env[overrideVariable(tool.name)];
  if (override) {
    if (!existsSync(override)) throw new GoToolError(`${overrideVariable(tool.name)}=${override} does not exist; unset it to build ${tool.name} from tools/go/${tool.name}`);
    return override;
  }
  const out = binaryPath(tool);
  if (existsSync(out)) return out;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new GoToolError(`${tool.name} is built from its pinned Go module (tools/go/${tool.name}) and needs Go (1.22 or newer) on PATH; install Go, or set ${overrideVariable(tool.name)} to an existing binary`);
  }
  mkdirSync(BIN_CACHE_DIR, { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  log(`building ${tool.name} from tools/go/${tool.name} (${tool.pkg}) into ${out} …`);
  const started = performance.now();
  const args = ['build', '-trimpath', '-o', partial];
  if (tool.ldflags) args.push(`-ldflags=${tool.ldflags}`);
  args.push(tool.pkg);
  const build = spawnSync('go', args, {
    cwd: join(GO_TOOLS_DIR, tool.name),
    encoding: 'utf8',
    // Go's own build cache (GOCACHE, per user) is shared by every clone on the machine; the GitHub
    // workflows point it into .cache/ so their cache of .cache/ keeps it.
    env: { ...env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) {
    throw new GoToolError(`building ${tool.name} failed (go ${args.join(' ')} in tools/go/${tool.name}):\n${(build.stderr || build.stdout).trim().split('\n').slice(-20).join('\n')}`);
  }
  renameSync(partial, out);
  log(`built ${tool.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * Every Go-built tool of the test infrastructure, by name (= folder under tools/go/). `npm run
 * tools:build` builds them all (CI does it once, cached in .cache/bin).
 */
export const GO_TOOLS: Readonly<Record<string, GoTool>> = {
  // helm 3.16 as Argo CD v2.14 runs it (tools/render/). The -X stamps are those of helm's Makefile
  // (v3.16.4): the version `helm version` prints, and the Kubernetes version of its client-go (1.31),
  // which is the default --kube-version and decides the built-in API versions it always offers.
  helm: {
    name: 'helm',
    pkg: 'helm.sh/helm/v3/cmd/helm',
    ldflags:
      '-X helm.sh/helm/v3/internal/version.version=v3.16.4 -X helm.sh/helm/v3/internal/version.gitTreeState=clean ' +
      '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=31 ' +
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=31',
  },
  // helm's output read as Argo CD reads it (apimachinery's YAML reader + sigs.k8s.io/yaml): the
  // JavaScript YAML parser rejects some YAML that Go accepts (e.g. OpenEBS's CRD descriptions).
  kubeyaml: { name: 'kubeyaml', pkg: '.' },
  // Version stamps as kubernetes' hack/lib/version.sh sets them (discovery reports them; clients check the minor).
  'kube-apiserver': {
    name: 'kube-apiserver',
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    ldflags: '-s -w -X k8s.io/component-base/version.gitVersion=v1.28.15 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=28 -X k8s.io/component-base/version.gitTreeState=clean',
  },
  // The etcd binary's main package is the root of go.etcd.io/etcd/server/v3 (3.5.x).
  etcd: { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', ldflags: '-s -w' },
  kubeconform: { name: 'kubeconform', pkg: 'github.com/yannh/kubeconform/cmd/kubeconform', ldflags: '-s -w' },
};
