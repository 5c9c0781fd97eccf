import type { KubeObject } from '../../charts/lib/manifest.ts';
import { groupOf } from '../../charts/lib/kinds.ts';
import type { ControllerDeclaration } from '../../charts/lib/controller-model.ts';
import { IGNORE_DIFFERENCES_REASON_ANNOTATION } from '../../charts/lib/argocd-application.ts';
import type { Simulation } from './simulate.ts';

/**
 * "Synced but broken": what the controllers decide and Argo CD does not surface, checked on the end
 * state of the simulation. Contour marks an HTTPProxy or HTTPRoute invalid when its backend Service
 * or port does not exist; a Gateway listener without its certificate Secret serves nothing; an
 * ExternalSecret whose key Vault is not declared to hold never syncs.
 */
type Json = Record<string, any>;

export interface Finding {
  readonly environment: string;
  readonly message: string;
}

function servicePorts(simulationCluster: { get: (ref: any) => { object: KubeObject } | undefined }, namespace: string, name: string): number[] | undefined {
  const service = simulationCluster.get({ group: '', kind: 'Service', namespace, name })?.object as Json | undefined;
  if (!service) return undefined;
  return (service.spec?.ports ?? []).map((p: Json) => p.port);
}

export function brokenFindings(simulation: Simulation, declarations: readonly ControllerDeclaration[]): Finding[] {
  const findings: Finding[] = [];
  const vault = new Map<string, Set<string>>();
  for (const declaration of declarations) for (const [path, keys] of Object.entries(declaration.vaultContents ?? {})) vault.set(path, new Set(keys));
  for (const cluster of simulation.clusters.values()) {
    const env = cluster.environment;
    const backend = (what: string, namespace: string, name: string, port: number | undefined) => {
      const ports = servicePorts(cluster, namespace, name);
      if (ports === undefined) findings.push({ environment: env, message: `${what} forwards to Service ${namespace}/${name}, which never exists` });
      else if (port !== undefined && ports.length > 0 && !ports.includes(port))
        findings.push({ environment: env, message: `${what} forwards to port ${port} of Service ${namespace}/${name}, which has only port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}: Contour marks it invalid` });
    };
    for (const live of cluster.list('projectcontour.io', 'HTTPProxy')) {
      const proxy = live.object as Json;
      const ns = live.object.metadata.namespace!;
      const what = `HTTPProxy ${ns}/${live.object.metadata.name}`;
      for (const service of proxy.spec?.tcpproxy?.services ?? []) backend(`${what} (tcpproxy)`, ns, service.name, service.port);
      for (const route of proxy.spec?.routes ?? []) for (const service of route.services ?? []) backend(what, ns, service.name, service.port);
    }
    for (const live of cluster.list('gateway.networking.k8s.io', 'HTTPRoute')) {
      const route = live.object as Json;
      const ns = live.object.metadata.namespace!;
      for (const rule of route.spec?.rules ?? []) {
        for (const ref of rule.backendRefs ?? []) {
          if ((ref.kind ?? 'Service') !== 'Service') continue;
          backend(`HTTPRoute ${ns}/${live.object.metadata.name}`, ref.namespace ?? ns, ref.name, ref.port);
        }
      }
    }
    for (const live of cluster.list('gateway.networking.k8s.io', 'Gateway')) {
      const ns = live.object.metadata.namespace!;
      for (const listener of (live.object as Json).spec?.listeners ?? []) {
        for (const ref of listener.tls?.certificateRefs ?? []) {
          const secretNamespace = ref.namespace ?? ns;
          if (!cluster.get({ group: '', kind: 'Secret', namespace: secretNamespace, name: ref.name })) {
            findings.push({ environment: env, message: `Gateway ${ns}/${live.object.metadata.name} listener ${listener.name}: certificate Secret ${secretNamespace}/${ref.name} never appears` });
          }
        }
      }
    }
  }
  // A field a controller rewrites stays OutOfSync forever unless the Application ignores it, with a reason.
  for (const { cluster, key, app, pointer, controller } of simulation.rewritten.values()) {
    const live = cluster.objects.get(key);
    const application = simulation.host.get({ group: 'argoproj.io', kind: 'Application', namespace: 'argocd', name: app })?.object as Json | undefined;
    if (!live || !application) continue;
    const object = live.object;
    const covered = (application.spec?.ignoreDifferences ?? []).some(
      (entry: Json) =>
        (entry.group ?? '') === groupOf(object.apiVersion) &&
        entry.kind === object.kind &&
        (entry.name === undefined || entry.name === object.metadata.name) &&
        (entry.jsonPointers ?? []).some((p: string) => pointer === p || pointer.startsWith(`${p}/`)),
    );
    const what = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name} ${pointer}`;
    if (!covered) findings.push({ environment: cluster.environment, message: `${app} stays OutOfSync forever: ${controller} rewrites ${what}; add an ignoreDifferences entry (with its reason) to ${app}` });
    else if (!application.metadata?.annotations?.[IGNORE_DIFFERENCES_REASON_ANNOTATION])
      findings.push({ environment: cluster.environment, message: `${app} ignores ${what} without a reason (annotation ${IGNORE_DIFFERENCES_REASON_ANNOTATION})` });
  }
  // Static: every Vault key an ExternalSecret reads must be one the runbook writes.
  for (const cluster of simulation.clusters.values()) {
    for (const live of cluster.list('external-secrets.io', 'ExternalSecret')) {
      const spec = (live.object as Json).spec ?? {};
      const store = cluster.get({
        group: 'external-secrets.io',
        kind: spec.secretStoreRef?.kind ?? 'SecretStore',
        name: spec.secretStoreRef?.name,
        ...(spec.secretStoreRef?.kind === 'ClusterSecretStore' ? {} : { namespace: live.object.metadata.namespace }),
      })?.object as Json | undefined;
      const mount = store?.spec?.provider?.vault?.path;
      if (!mount) continue;
      for (const item of spec.data ?? []) {
        const path = `${mount}/${item.remoteRef?.key}`;
        const property = item.remoteRef?.property ?? '';
        if (!vault.get(path)?.has(property))
          findings.push({
            environment: cluster.environment,
            message: `ExternalSecret ${live.object.metadata.namespace}/${live.object.metadata.name} reads ${path} property ${property}, which Vault is not declared to hold (charts/platform/vault/controller.ts VAULT_CONTENTS)`,
          });
      }
    }
  }
  return findings;
}
