import type { ClusterNode, Environment, SandboxSize } from '../environments/types.ts';
import { formatProblem } from '../lib/config-errors.ts';
import type { Manifest } from '../lib/manifest.ts';
import { VCLUSTER_SIZES } from '../platform/vcluster/vcluster.ts';
import { dropExpiredSandboxes } from './sandboxes.ts';

/**
 * Capacity of the host (docs/decisions/0904-capacity-check.md): every vcluster's quota (staging,
 * sandbox, each personal sandbox) plus the requests of the platform's own pods must fit in what the
 * schedulable nodes (workers without a NoSchedule taint) declare in charts/environments/platform.ts.
 * Quotas are what a vcluster may claim, so their sum is what the host must be able to grant.
 */
export interface Demand {
  cpu: number;
  memory: number;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity as a number (cores or bytes); NaN when malformed. */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|m|k|M|G|T|)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const [, amount, unit] = match;
  return Number(amount) * (BINARY[unit!] ?? DECIMAL[unit!]!);
}

const GI = 2 ** 30;
const cores = (n: number) => `${Math.round(n * 100) / 100}`;
const gib = (n: number) => `${Math.round((n / GI) * 10) / 10}Gi`;

/** Nodes pods of the platform and of the vclusters may land on. */
export function schedulableNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  return nodes.filter((node) => node.role === 'worker' && !(node.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
}

/** The vclusters a host runs and their sizes, expired sandboxes left out (as synth does). */
export function hostedQuotas(host: Environment, today: string): { name: string; size: SandboxSize }[] {
  const hosted = host.services.vcluster?.hosted ?? [];
  const list: { name: string; size: SandboxSize }[] = [];
  for (const entry of hosted) {
    const environment = dropExpiredSandboxes(entry.environment, today).environment;
    list.push({ name: environment.name, size: entry.size ?? 'medium' });
    for (const user of environment.sandboxUsers ?? []) list.push({ name: `sandbox-${user.github}`, size: user.size ?? 'small' });
  }
  return list;
}

/** Requests of the pods our own manifests run in one environment (charts' pods are not in dist/). */
export function platformRequests(manifests: readonly Manifest[], nodeCount: number): Demand {
  const demand: Demand = { cpu: 0, memory: 0 };
  for (const { object } of manifests) {
    const kind = object.kind;
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(kind)) continue;
    const spec = (object as { spec?: { replicas?: number; template?: { spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] } } } }).spec;
    const copies = kind === 'DaemonSet' ? nodeCount : (spec?.replicas ?? 1);
    for (const container of spec?.template?.spec?.containers ?? []) {
      demand.cpu += copies * (quantity(container.resources?.requests?.cpu) || 0);
      demand.memory += copies * (quantity(container.resources?.requests?.memory) || 0);
    }
  }
  return demand;
}

function vclusterDemand(list: readonly { size: SandboxSize }[]): Demand {
  const demand: Demand = { cpu: 0, memory: 0 };
  for (const { size } of list) {
    const quota = VCLUSTER_SIZES[size]?.quota;
    if (!quota) continue; // an unknown size is reported by the vcluster construct
    demand.cpu += quantity(quota['requests.cpu']);
    demand.memory += quantity(quota['requests.memory']);
  }
  return demand;
}

/**
 * How many more small sandboxes fit beside the current load: the documented upper bound
 * (docs/capacity.md), printed in the error when it is exceeded.
 */
export function smallSandboxesThatFit(free: Demand): number {
  const small = VCLUSTER_SIZES.small.quota;
  return Math.max(0, Math.floor(Math.min(free.cpu / quantity(small['requests.cpu']), free.memory / quantity(small['requests.memory']))));
}

/**
 * Problems of each host environment (one message per exceeded resource). `manifests` adds the
 * platform's own requests; without them (before the build) only the quotas are counted, which stops
 * a runaway sandbox list before it costs a long build.
 */
export function capacityProblems(environments: readonly Environment[], today: string, manifests?: readonly Manifest[]): string[] {
  const messages: string[] = [];
  for (const host of environments) {
    if (host.cluster.kind !== 'talos' || !host.services.vcluster) continue;
    const nodes = schedulableNodes(host.cluster.nodes);
    const missing = nodes.filter((node) => !node.capacity);
    if (missing.length > 0) {
      messages.push(
        formatProblem(host.name, 'environment', {
          field: `cluster.nodes[${host.cluster.nodes.indexOf(missing[0]!)}].capacity`,
          value: undefined,
          problem: `the capacity check needs the allocatable cpu and memory of every schedulable node (${missing.map((n) => n.name).join(', ')} ha${missing.length === 1 ? 's' : 've'} none)`,
          fix: "add capacity: { cpu: '16', memory: '64Gi' } with the node's real allocatable values (kubectl describe node) in charts/environments/platform.ts",
        }),
      );
      continue;
    }
    const supply: Demand = { cpu: 0, memory: 0 };
    for (const node of nodes) {
      supply.cpu += quantity(node.capacity!.cpu);
      supply.memory += quantity(node.capacity!.memory);
    }
    const quotas = hostedQuotas(host, today);
    const vclusters = vclusterDemand(quotas);
    const platform = manifests
      ? platformRequests(
          manifests.filter((m) => m.environment === host.name),
          nodes.length,
        )
      : { cpu: 0, memory: 0 };
    const total: Demand = { cpu: vclusters.cpu + platform.cpu, memory: vclusters.memory + platform.memory };
    const sandboxes = quotas.filter((q) => q.name.startsWith('sandbox-')).length;
    const environments = vclusterDemand(quotas.filter((q) => !q.name.startsWith('sandbox-')));
    const free: Demand = { cpu: supply.cpu - platform.cpu - environments.cpu, memory: supply.memory - platform.memory - environments.memory };
    const bound = smallSandboxesThatFit(free);
    const where = `${nodes.length} schedulable node(s): ${nodes.map((n) => n.name).join(', ')}`;
    const fix = `at most ${bound} small personal sandboxes fit beside the platform and the hosted environments (docs/capacity.md); remove or shrink sandboxes in charts/environments/sandbox-users.ts, or add nodes (capacity) in charts/environments/platform.ts`;
    for (const [resource, asked, has, show] of [
      ['requests.cpu', total.cpu, supply.cpu, cores],
      ['requests.memory', total.memory, supply.memory, gib],
    ] as const) {
      if (asked <= has) continue;
      messages.push(
        formatProblem(host.name, 'vcluster', {
          field: resource,
          value: show(asked),
          problem: `the quotas of ${quotas.length} vclusters (${show(resource === 'requests.cpu' ? vclusters.cpu : vclusters.memory)}, ${sandboxes} personal sandboxes) plus the platform's pods (${show(resource === 'requests.cpu' ? platform.cpu : platform.memory)}) exceed the ${show(has)} of ${where}`,
          fix,
        }),
      );
    }
  }
  return messages;
}
