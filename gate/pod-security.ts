/**
 * Rule `pod-security`: every pod template against the Pod Security level its namespace enforces
 * (label `pod-security.kubernetes.io/enforce` of the Namespace object, or of the Application's
 * managedNamespaceMetadata). Modelled on the Pod Security Standards as the admission plugin checks
 * them, kubernetes v1.28 staging/src/k8s.io/pod-security-admission/policy/check_*.go (the version 1.28
 * rules; Windows host process and AppArmor/SELinux options, which our pods never set, are covered
 * only by the checks below).
 */
import type { Manifest } from '../charts/lib/manifest.ts';
import { inventories, type EnvironmentInventory } from './inventory.ts';
import { podSpecs } from './schema-rule.ts';
import type { Rule } from './types.ts';

type Level = 'privileged' | 'baseline' | 'restricted';

/** check_capabilities_baseline.go */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
/** check_sysctls.go (1.27+ list) */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/** check_restrictedVolumes.go */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** The enforced level of a namespace, when the tree says. */
export function enforcedLevel(inventory: EnvironmentInventory, namespace: string): Level | undefined {
  for (const source of inventory.namespaces.get(namespace) ?? []) {
    const labels = source.kind === 'object' ? source.manifest.object.metadata.labels : source.kind === 'application' ? source.labels : undefined;
    const level = labels?.['pod-security.kubernetes.io/enforce'];
    if (level === 'privileged' || level === 'baseline' || level === 'restricted') return level;
  }
  return undefined;
}

/** Violations of a pod spec at `level`, as [pointer, problem]. */
export function podSecurityViolations(spec: any, level: Level, base: string): [string, string][] {
  if (level === 'privileged' || !spec) return [];
  const out: [string, string][] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[field] === true) out.push([`${base}/${field}`, `${field}: true is forbidden`]);
  (spec.volumes ?? []).forEach((volume: any, i: number) => {
    if (volume.hostPath) out.push([`${base}/volumes/${i}/hostPath`, `hostPath volume "${volume.name}" is forbidden`]);
    else if (level === 'restricted') {
      const type = Object.keys(volume).find((k) => k !== 'name');
      if (type && !RESTRICTED_VOLUMES.has(type)) out.push([`${base}/volumes/${i}`, `volume type ${type} is forbidden`]);
    }
  });
  (spec.securityContext?.sysctls ?? []).forEach((sysctl: any, i: number) => {
    if (!SAFE_SYSCTLS.has(sysctl.name)) out.push([`${base}/securityContext/sysctls/${i}`, `sysctl ${sysctl.name} is forbidden`]);
  });
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') out.push([`${base}/securityContext/seccompProfile/type`, 'seccomp profile Unconfined is forbidden']);
  const podNonRoot = spec.securityContext?.runAsNonRoot === true;
  if (level === 'restricted' && spec.securityContext?.runAsUser === 0) out.push([`${base}/securityContext/runAsUser`, 'runAsUser 0 is forbidden']);
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[list] ?? []).forEach((container: any, i: number) => {
      const at = `${base}/${list}/${i}`;
      const sc = container.securityContext ?? {};
      const name = `container "${container.name}"`;
      if (sc.privileged === true) out.push([`${at}/securityContext/privileged`, `${name}: privileged is forbidden`]);
      (container.ports ?? []).forEach((port: any, j: number) => {
        if (port.hostPort) out.push([`${at}/ports/${j}/hostPort`, `${name}: hostPort ${port.hostPort} is forbidden`]);
      });
      if (sc.procMount && sc.procMount !== 'Default') out.push([`${at}/securityContext/procMount`, `${name}: procMount ${sc.procMount} is forbidden`]);
      if (sc.seccompProfile?.type === 'Unconfined') out.push([`${at}/securityContext/seccompProfile/type`, `${name}: seccomp profile Unconfined is forbidden`]);
      const added: string[] = sc.capabilities?.add ?? [];
      added.forEach((cap, j) => {
        const allowed = level === 'restricted' ? cap === 'NET_BIND_SERVICE' : BASELINE_CAPABILITIES.has(cap);
        if (!allowed) out.push([`${at}/securityContext/capabilities/add/${j}`, `${name}: capability ${cap} is forbidden`]);
      });
      if (level !== 'restricted') return;
      if (sc.allowPrivilegeEscalation !== false) out.push([`${at}/securityContext/allowPrivilegeEscalation`, `${name}: allowPrivilegeEscalation must be false`]);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push([`${at}/securityContext/capabilities/drop`, `${name}: capabilities must drop ALL`]);
      if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && !podNonRoot)) out.push([`${at}/securityContext/runAsNonRoot`, `${name}: runAsNonRoot must be true (here or in the pod's securityContext)`]);
      if (sc.runAsUser === 0) out.push([`${at}/securityContext/runAsUser`, `${name}: runAsUser 0 is forbidden`]);
      const seccomp = sc.seccompProfile?.type ?? podSeccomp;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        out.push([`${at}/securityContext/seccompProfile/type`, `${name}: seccompProfile must be RuntimeDefault or Localhost (here or in the pod's securityContext)`]);
    });
  }
  return out;
}

export const podSecurityRule: Rule = {
  name: 'pod-security',
  check(context) {
    for (const inventory of inventories(context.manifests, context.facts).values()) {
      for (const manifest of inventory.manifests as Manifest[]) {
        const specs = podSpecs(manifest.object);
        if (specs.length === 0) continue;
        const namespace = manifest.object.metadata.namespace;
        if (!namespace) continue;
        const level = enforcedLevel(inventory, namespace);
        if (!level) {
          context.skip(`pod-security: namespace without an enforce label in the tree (${inventory.name}/${namespace})`);
          continue;
        }
        context.count('pod-security: pod templates checked');
        for (const [base, spec] of specs) {
          for (const [pointer, problem] of podSecurityViolations(spec, level, base)) {
            context.report(
              manifest,
              pointer,
              `${problem} in namespace ${namespace}, which enforces Pod Security "${level}"; set the chart's securityContext values, or give the namespace the level it needs (with a decision record)`,
            );
          }
        }
      }
    }
  },
};
