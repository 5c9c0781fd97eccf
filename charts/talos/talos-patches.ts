import { isIPv4, isIPv6 } from 'node:net';
import type { ClusterNode, Environment, NodeInterface } from '../environments/types.ts';
import { ConfigError, ConfigErrors } from '../lib/config-errors.ts';
import { generatedHeader, type DistFile } from '../lib/dist-file.ts';
import { DNS_SUBDOMAIN } from '../lib/names.ts';
import type { ClusterRequirementsProvider, NodeRequirements, NodeRequirementsProvider } from '../lib/node-requirements.ts';
import { yamlText } from '../lib/yaml-text.ts';
import type { TalosInterface, TalosKubeletMount, TalosMachinePatch } from './machine-patch.ts';

/** Folder of the patches under dist/. */
export const TALOS_FOLDER = 'talos';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const SYSCTL = /^[a-z0-9_]+(\.[A-Za-z0-9_*-]+)+$/;
const KERNEL_MODULE = /^[a-z0-9_-]+$/;
const LINK_NAME = /^[A-Za-z0-9._-]{1,15}$/;

/** `10.0.0.0/8`, `0.0.0.0/0`, `fd00::/8`: an address, a prefix length, and no host bits set (IPv4). */
export function cidrProblem(text: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return 'it is not a CIDR (address/prefix)';
  const [, address, prefixText] = match as unknown as [string, string, string];
  const prefix = Number(prefixText);
  if (isIPv4(address)) {
    if (prefix > 32) return 'an IPv4 prefix is 0 to 32';
    const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const hostBits = 2 ** (32 - prefix);
    if (value % hostBits !== 0) return `host bits are set (the network of /${prefix} is ${networkOf(value, prefix)})`;
    return undefined;
  }
  if (isIPv6(address)) return prefix > 128 ? 'an IPv6 prefix is 0 to 128' : undefined;
  return 'it is not a CIDR (address/prefix)';
}

function networkOf(value: number, prefix: number): string {
  const network = value - (value % 2 ** (32 - prefix));
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  return LABEL_NAME.test(name) && (prefix === undefined || DNS_SUBDOMAIN.test(prefix));
}

function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

/** Labels a kubelet may set on its own Node under the NodeRestriction admission plugin (always on in Talos). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);

/** NodeRestriction: labels under kubernetes.io / k8s.io are refused unless allow-listed (or kubelet./node. prefixed). */
function kubeletMaySet(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  if (prefix === 'node-restriction.kubernetes.io' || prefix.endsWith('.node-restriction.kubernetes.io')) return false;
  const restricted = ['kubernetes.io', 'k8s.io'].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
  if (!restricted) return true;
  return KUBELET_LABELS.has(key) || ['kubelet.kubernetes.io', 'node.kubernetes.io'].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

const isAbsolutePath = (path: string) => path.startsWith('/') && !path.split('/').includes('..');

/** The requirements of every provider, per node name. */
function requirementsByNode(environment: Environment, providers: readonly NodeRequirementsProvider[]): Map<string, NodeRequirements[]> {
  const byNode = new Map<string, NodeRequirements[]>();
  for (const provider of providers) {
    for (const [node, requirements] of provider(environment)) byNode.set(node, [...(byNode.get(node) ?? []), ...requirements]);
  }
  return byNode;
}

function routesOf(node: ClusterNode, errors: ConfigErrors): TalosInterface[] {
  const links = new Set<string>();
  return (node.interfaces ?? []).map((link: NodeInterface, i) => {
    const at = `interfaces[${i}]`;
    errors.check(LINK_NAME.test(link.interface), {
      field: `${at}.interface`,
      value: link.interface,
      problem: 'it is not a Linux link name (1 to 15 letters, digits, dots, dashes, underscores)',
      fix: 'use the name `talosctl get links` shows, e.g. "enp3s0"',
    });
    errors.check(!links.has(link.interface), { field: `${at}.interface`, value: link.interface, problem: 'this interface is listed twice', fix: 'merge its routes into one entry' });
    links.add(link.interface);
    link.routes.forEach((route, r) => {
      const field = `${at}.routes[${r}]`;
      const problem = cidrProblem(route.network);
      if (problem) errors.add({ field: `${field}.network`, value: route.network, problem, fix: 'write the destination network like "10.10.0.0/16" (or "0.0.0.0/0" for the default route)' });
      // The gateway's family is judged against a valid network only (one problem per mistake).
      const family = isIPv4(route.network.split('/')[0] ?? '') ? 4 : 6;
      const gatewayOk = family === 4 ? isIPv4(route.gateway) : isIPv6(route.gateway);
      errors.check(problem !== undefined || gatewayOk, {
        field: `${field}.gateway`,
        value: route.gateway,
        problem: `it is not an IPv${family} address like the route's network`,
        fix: 'write the next hop\'s address, e.g. "10.0.0.1"',
      });
      if (route.metric !== undefined) {
        errors.check(Number.isInteger(route.metric) && route.metric >= 0 && route.metric <= 4294967295, {
          field: `${field}.metric`,
          value: route.metric,
          problem: 'metrics are integers from 0 to 4294967295',
          fix: "use e.g. 1024 (Talos' default)",
        });
      }
    });
    return {
      interface: link.interface,
      dhcp: link.dhcp,
      routes: link.routes.map((route) => ({ network: route.network, gateway: route.gateway, ...(route.metric !== undefined ? { metric: route.metric } : {}) })),
    };
  });
}

/** Merges maps of several requirements; the same key with two values is an error naming both reasons. */
function mergeMap(
  requirements: readonly NodeRequirements[],
  pick: (r: NodeRequirements) => Readonly<Record<string, string>> | undefined,
  field: string,
  validKey: (key: string) => boolean,
  validValue: (value: string) => boolean,
  what: string,
  errors: ConfigErrors,
): Record<string, string> {
  const merged: Record<string, string> = {};
  const reasons: Record<string, string> = {};
  for (const requirement of requirements) {
    for (const [key, value] of Object.entries(pick(requirement) ?? {})) {
      const at = `${field}["${key}"]`;
      if (!validKey(key)) {
        errors.add({ field: at, value, problem: `"${key}" is not a valid ${what} name (needed for: ${requirement.reason})`, fix: `fix the ${what} name in the service's node requirements` });
        continue;
      }
      if (typeof value !== 'string' || !validValue(value)) {
        errors.add({ field: at, value, problem: `it is not a valid ${what} value (needed for: ${requirement.reason})`, fix: `fix the ${what} value in the service's node requirements` });
        continue;
      }
      if (merged[key] !== undefined && merged[key] !== value) {
        errors.add({
          field: at,
          value,
          problem: `${reasons[key]} needs ${JSON.stringify(merged[key])} and ${requirement.reason} needs ${JSON.stringify(value)}`,
          fix: "agree on one value in the two services' node requirements",
        });
        continue;
      }
      merged[key] = value;
      reasons[key] = requirement.reason;
    }
  }
  return merged;
}

/** The machine-config patch of one node, validated; problems go to `errors`. */
export function nodePatch(node: ClusterNode, requirements: readonly NodeRequirements[], errors: ConfigErrors): TalosMachinePatch {
  const interfaces = routesOf(node, errors);
  const sysctls = mergeMap(
    requirements,
    (r) => r.sysctls,
    'sysctls',
    (k) => SYSCTL.test(k),
    (v) => v.length > 0,
    'sysctl',
    errors,
  );
  const nodeLabels = mergeMap(requirements, (r) => r.nodeLabels, 'nodeLabels', isLabelKey, isLabelValue, 'label', errors);
  for (const [key, value] of Object.entries(nodeLabels)) {
    errors.check(kubeletMaySet(key), {
      field: `nodeLabels["${key}"]`,
      value,
      problem: "Talos sets node labels with the kubelet's identity and NodeRestriction refuses this kubernetes.io/k8s.io key",
      fix: 'use a label under your own domain (e.g. openebs.io/engine), or label the node with kubectl as an admin',
    });
  }
  const nodeTaints: Record<string, string> = {};
  for (const [i, taint] of (node.taints ?? []).entries()) {
    if (
      errors.check(isLabelKey(taint.key) && isLabelValue(taint.value), {
        field: `taints[${i}]`,
        value: `${taint.key}=${taint.value}:${taint.effect}`,
        problem: 'taint keys and values follow the label syntax',
        fix: 'fix the taint in charts/environments/platform.ts',
      })
    )
      nodeTaints[taint.key] = `${taint.value}:${taint.effect}`;
  }
  const modules = new Set<string>();
  const mounts = new Map<string, { mount: TalosKubeletMount; reason: string }>();
  for (const requirement of requirements) {
    for (const name of requirement.kernelModules ?? []) {
      if (
        errors.check(KERNEL_MODULE.test(name), {
          field: 'kernelModules',
          value: name,
          problem: `it is not a kernel module name (needed for: ${requirement.reason})`,
          fix: 'use the module name modprobe takes, e.g. "nvme_tcp"',
        })
      ) {
        modules.add(name);
      }
    }
    for (const [i, mount] of (requirement.kubeletExtraMounts ?? []).entries()) {
      const field = `kubeletExtraMounts[${i}]`;
      const ok =
        errors.check(isAbsolutePath(mount.source) && isAbsolutePath(mount.destination), {
          field,
          value: `${mount.source} → ${mount.destination}`,
          problem: `kubelet mounts bind absolute host paths without ".." (needed for: ${requirement.reason})`,
          fix: 'write both paths from /',
        }) &&
        errors.check(mount.options.length > 0 && mount.options.every((o) => /^[a-z0-9=_-]+$/.test(o)), {
          field: `${field}.options`,
          value: mount.options,
          problem: 'mount options are a non-empty list of words like "rbind", "rshared", "rw"',
          fix: 'list the bind options, e.g. ["bind", "rshared", "rw"]',
        });
      if (!ok) continue;
      const talosMount: TalosKubeletMount = { destination: mount.destination, type: 'bind', source: mount.source, options: [...mount.options] };
      const existing = mounts.get(mount.destination);
      if (existing && JSON.stringify(existing.mount) !== JSON.stringify(talosMount)) {
        errors.add({
          field: `${field}.destination`,
          value: mount.destination,
          problem: `${existing.reason} mounts it differently (${existing.mount.source}, ${existing.mount.options.join(',')})`,
          fix: "agree on one mount in the two services' node requirements",
        });
        continue;
      }
      mounts.set(mount.destination, { mount: talosMount, reason: requirement.reason });
    }
  }
  const machine: Record<string, unknown> = {};
  if (interfaces.length > 0) machine.network = { interfaces };
  if (Object.keys(sysctls).length > 0) machine.sysctls = sysctls;
  if (Object.keys(nodeLabels).length > 0) machine.nodeLabels = nodeLabels;
  if (Object.keys(nodeTaints).length > 0) machine.nodeTaints = nodeTaints;
  if (modules.size > 0) machine.kernel = { modules: [...modules].sort().map((name) => ({ name })) };
  if (mounts.size > 0) machine.kubelet = { extraMounts: [...mounts.keys()].sort().map((d) => mounts.get(d)!.mount) };
  return { machine } as TalosMachinePatch;
}

/**
 * One Talos machine-config patch per node of every Talos environment, `talos/<node>.yaml`: the node's
 * static routes and taints (environment data) and what the services need from it
 * (`NodeRequirementsProvider`s). Every problem of every node is reported at once; test/talos checks
 * the patches against TALOS_PATCH_SCHEMA. How to apply: docs/talos.md.
 */
export function talosPatchFiles(environments: readonly Environment[], providers: readonly NodeRequirementsProvider[]): DistFile[] {
  const files: DistFile[] = [];
  const problems: string[] = [];
  for (const environment of environments.filter((e) => e.cluster.kind === 'talos')) {
    const byNode = requirementsByNode(environment, providers);
    const known = new Set(environment.cluster.nodes.map((n) => n.name));
    for (const name of [...byNode.keys()].sort()) {
      if (!known.has(name)) {
        problems.push(
          ...new ConfigErrors(environment.name, TALOS_FOLDER)
            .add({
              field: 'node',
              value: name,
              problem: `a service requires it (${byNode
                .get(name)!
                .map((r) => r.reason)
                .join('; ')}) but it is not a node of ${environment.name}`,
              fix: 'fix the node name in the service, or add the node to charts/environments/platform.ts',
            })
            .list(),
        );
      }
    }
    for (const node of environment.cluster.nodes) {
      const errors = new ConfigErrors(environment.name, `${TALOS_FOLDER}/${node.name}`);
      const requirements = byNode.get(node.name) ?? [];
      // Data problems are reported by nodePatch; the patch's shape is the generator's, held by its
      // type and checked against TALOS_PATCH_SCHEMA by test/talos (off synth's hot path: Ajv's
      // compile alone cost more than writing the patches).
      const patch = nodePatch(node, requirements, errors);
      const messages = errors.list();
      if (messages.length > 0) {
        problems.push(...messages);
        continue;
      }
      files.push({ path: `${TALOS_FOLDER}/${node.name}.yaml`, content: render(environment, node, requirements, patch) });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return files;
}

function render(environment: Environment, node: ClusterNode, requirements: readonly NodeRequirements[], patch: TalosMachinePatch): string {
  const why = [...new Set(requirements.map((r) => r.reason))].sort();
  const lines = [
    generatedHeader(`Talos machine-config patch of node ${node.name} (${environment.name}, ${node.role})`).trimEnd(),
    '# Apply it through Omni as a config patch of this machine (docs/talos.md).',
    `# Routes: ${(node.interfaces ?? []).length > 0 ? 'from charts/environments/platform.ts' : 'none declared for this node'}.`,
    ...(why.length > 0 ? ['# Required by:', ...why.map((reason) => `#   - ${reason}`)] : ['# No service requires anything from this node today.']),
  ];
  return `${lines.join('\n')}\n${yamlText(patch)}`;
}

/** File of the cluster-wide patch (one per Talos environment; today prod only). */
export const CLUSTER_PATCH_FILE = `${TALOS_FOLDER}/cluster.yaml`;

/**
 * The cluster-wide Talos patch, `talos/cluster.yaml`: API server flags the services need. Two
 * services asking for different values of one flag stop synth.
 */
export function talosClusterPatchFiles(environments: readonly Environment[], providers: readonly ClusterRequirementsProvider[]): DistFile[] {
  const files: DistFile[] = [];
  const problems: string[] = [];
  for (const environment of environments.filter((e) => e.cluster.kind === 'talos')) {
    const requirements = providers.flatMap((provider) => provider(environment));
    if (requirements.length === 0) continue;
    const errors = new ConfigErrors(environment.name, `${TALOS_FOLDER}/cluster`);
    const extraArgs: Record<string, string> = {};
    const askedBy: Record<string, string> = {};
    for (const requirement of requirements) {
      for (const [flag, value] of Object.entries(requirement.apiServerExtraArgs ?? {})) {
        if (flag in extraArgs && extraArgs[flag] !== value) {
          errors.add({
            field: `apiServer.extraArgs.${flag}`,
            value,
            problem: `${askedBy[flag]} already asks for ${JSON.stringify(extraArgs[flag])}`,
            fix: 'make the services agree on one value',
          });
          continue;
        }
        extraArgs[flag] = value;
        askedBy[flag] = requirement.reason.split(':')[0]!;
      }
    }
    const messages = errors.list();
    if (messages.length > 0) {
      problems.push(...messages);
      continue;
    }
    const why = [...new Set(requirements.map((r) => r.reason))].sort();
    const header = [
      generatedHeader(`Talos cluster-wide patch of ${environment.platform.omni.clusterName} (${environment.name})`).trimEnd(),
      '# Apply it through Omni as a config patch of the cluster (docs/talos.md).',
      '# Required by:',
      ...why.map((reason) => `#   - ${reason}`),
    ];
    const patch = { cluster: { apiServer: { extraArgs } } };
    files.push({ path: CLUSTER_PATCH_FILE, content: `${header.join('\n')}\n${yamlText(patch)}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return files;
}
