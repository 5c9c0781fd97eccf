/**
 * Rule `references`: inside one environment, every name an object points at resolves — to an
 * object in the tree, to something an upstream chart declares it creates (catalogue `provides`),
 * or to something the environment data declares provided (host, bootstrap). Unknown is an error.
 */
import { forEachStringField } from './walk.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import { podSpecs } from './schema-rule.ts';
import { externalSecretTarget, groupOf } from '../charts/lib/kinds.ts';
import { ROOT, inventories, isNamespaced, lookup, providedKey, type EnvironmentInventory, type NamespaceSource } from './inventory.ts';
import type { Rule, RuleContext } from './types.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const CERT_MANAGER_GROUP = 'cert-manager.io';
const ESO_GROUP = 'external-secrets.io';

/** Core kinds and the group they live in. */
const GROUP_OF_KIND: Record<string, string> = {
  Secret: '',
  ConfigMap: '',
  ServiceAccount: '',
  Service: '',
  PersistentVolumeClaim: '',
  StorageClass: 'storage.k8s.io',
  GatewayClass: GATEWAY_GROUP,
  ClusterIssuer: CERT_MANAGER_GROUP,
};

/** Where a kind of object can come from, for messages. */
function whereFrom(kind: string): string {
  switch (kind) {
    case 'Secret':
      return 'an ExternalSecret target, a Certificate secretName, a chart-provided Secret (catalogue `provides.secrets`) or a declared external Secret (environment `provided.secrets`)';
    case 'StorageClass':
      return 'a StorageClass object, a class the host provides (environment `hostProvided.storageClasses`) or one a chart creates (catalogue `provides.storageClasses`)';
    default:
      return `a ${kind} object in the tree, one an upstream chart creates (catalogue \`provides\`) or one declared in the environment data (\`provided\`)`;
  }
}

/** Every Secret the environment will have, with what makes it. */
function secretsOf(inventory: EnvironmentInventory): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const manifest of inventory.manifests) {
    if (manifest.folder === ROOT) continue;
    const object = manifest.object as any;
    const group = groupOf(object.apiVersion);
    const namespace = object.metadata.namespace;
    if (group === ESO_GROUP && object.kind === 'ExternalSecret') {
      secrets.set(`${namespace}/${externalSecretTarget(object)}`, `ExternalSecret ${namespace}/${object.metadata.name}`);
    } else if (group === CERT_MANAGER_GROUP && object.kind === 'Certificate' && object.spec?.secretName) {
      secrets.set(`${namespace}/${object.spec.secretName}`, `Certificate ${namespace}/${object.metadata.name}`);
    } else if (group === '' && object.kind === 'Secret') {
      secrets.set(`${namespace}/${object.metadata.name}`, `Secret ${namespace}/${object.metadata.name}`);
    }
  }
  return secrets;
}

const secretCache = new WeakMap<EnvironmentInventory, Map<string, string>>();
function hasSecret(inventory: EnvironmentInventory, namespace: string, name: string): boolean {
  let secrets = secretCache.get(inventory);
  if (!secrets) {
    secrets = secretsOf(inventory);
    secretCache.set(inventory, secrets);
  }
  return secrets.has(`${namespace}/${name}`) || inventory.provided.has(providedKey('Secret', namespace, name));
}

/** Whether a `kind` named `name` (in `namespace` for namespaced kinds) will exist. */
function exists(inventory: EnvironmentInventory, kind: string, namespace: string | undefined, name: string): boolean {
  if (kind === 'Secret') return hasSecret(inventory, namespace!, name);
  if (kind === 'ServiceAccount' && name === 'default') return true;
  if (kind === 'ConfigMap' && name === 'kube-root-ca.crt') return true;
  const group = GROUP_OF_KIND[kind] ?? '';
  return lookup(inventory, group, kind, namespace, name).length > 0 || inventory.provided.has(providedKey(kind, namespace, name));
}

interface Checker {
  readonly context: RuleContext;
  readonly inventory: EnvironmentInventory;
  readonly manifest: Manifest;
}

function need(checker: Checker, field: string, kind: string, namespace: string | undefined, name: unknown, why = ''): void {
  if (typeof name !== 'string' || name.length === 0) return;
  if (exists(checker.inventory, kind, namespace, name)) return;
  const where = namespace ? `${namespace}/${name}` : name;
  checker.context.report(checker.manifest, field, `${kind} ${where}${why} does not exist in ${checker.inventory.name}; it must be ${whereFrom(kind)}`);
}

function checkPodSpec(checker: Checker, base: string, spec: any): void {
  if (!spec) return;
  const namespace = checker.manifest.object.metadata.namespace;
  if (spec.serviceAccountName) need(checker, `${base}/serviceAccountName`, 'ServiceAccount', namespace, spec.serviceAccountName);
  else if (spec.serviceAccount) need(checker, `${base}/serviceAccount`, 'ServiceAccount', namespace, spec.serviceAccount);
  (spec.imagePullSecrets ?? []).forEach((ref: any, i: number) => {
    need(checker, `${base}/imagePullSecrets/${i}/name`, 'Secret', namespace, ref?.name);
  });
  (spec.volumes ?? []).forEach((volume: any, i: number) => {
    const at = `${base}/volumes/${i}`;
    if (volume.configMap && !volume.configMap.optional) need(checker, `${at}/configMap/name`, 'ConfigMap', namespace, volume.configMap.name);
    if (volume.secret && !volume.secret.optional) need(checker, `${at}/secret/secretName`, 'Secret', namespace, volume.secret.secretName);
    if (volume.persistentVolumeClaim) need(checker, `${at}/persistentVolumeClaim/claimName`, 'PersistentVolumeClaim', namespace, volume.persistentVolumeClaim.claimName);
    (volume.projected?.sources ?? []).forEach((source: any, j: number) => {
      if (source.configMap && !source.configMap.optional) need(checker, `${at}/projected/sources/${j}/configMap/name`, 'ConfigMap', namespace, source.configMap.name);
      if (source.secret && !source.secret.optional) need(checker, `${at}/projected/sources/${j}/secret/name`, 'Secret', namespace, source.secret.name);
    });
  });
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[list] ?? []).forEach((container: any, i: number) => {
      const at = `${base}/${list}/${i}`;
      (container.env ?? []).forEach((variable: any, j: number) => {
        const from = variable.valueFrom;
        if (from?.configMapKeyRef && !from.configMapKeyRef.optional) need(checker, `${at}/env/${j}/valueFrom/configMapKeyRef/name`, 'ConfigMap', namespace, from.configMapKeyRef.name);
        if (from?.secretKeyRef && !from.secretKeyRef.optional) need(checker, `${at}/env/${j}/valueFrom/secretKeyRef/name`, 'Secret', namespace, from.secretKeyRef.name);
      });
      (container.envFrom ?? []).forEach((source: any, j: number) => {
        if (source.configMapRef && !source.configMapRef.optional) need(checker, `${at}/envFrom/${j}/configMapRef/name`, 'ConfigMap', namespace, source.configMapRef.name);
        if (source.secretRef && !source.secretRef.optional) need(checker, `${at}/envFrom/${j}/secretRef/name`, 'Secret', namespace, source.secretRef.name);
      });
    });
  }
}

/** Visits every `storageClassName` string in a value. */
/** Labels the namespace will carry (Namespace object, or the Application creating it). */
function namespaceLabels(inventory: EnvironmentInventory, namespace: string): Record<string, string> | undefined {
  for (const source of inventory.namespaces.get(namespace) ?? []) {
    if (source.kind === 'object') return source.manifest.object.metadata.labels ?? {};
    if (source.kind === 'application') return source.labels;
  }
  return undefined;
}

function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector?.matchExpressions ?? []) {
    const has = expression.key in labels;
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        if (!has || !expression.values?.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && expression.values?.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function hostnamesIntersect(listener: string, route: string): boolean {
  const matches = (pattern: string, host: string) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : pattern === host);
  return matches(listener, route) || matches(route, listener) || listener === route;
}

/** A ReferenceGrant in `toNamespace` lets `fromKind` objects of `fromNamespace` point at `toKind`. */
function referenceGranted(inventory: EnvironmentInventory, fromGroup: string, fromKind: string, fromNamespace: string, toGroup: string, toKind: string, toNamespace: string, toName: string): boolean {
  return inventory.manifests.some((manifest) => {
    const object = manifest.object as any;
    if (object.kind !== 'ReferenceGrant' || groupOf(object.apiVersion) !== GATEWAY_GROUP || object.metadata.namespace !== toNamespace) return false;
    const from = (object.spec?.from ?? []).some((f: any) => f.group === fromGroup && f.kind === fromKind && f.namespace === fromNamespace);
    const to = (object.spec?.to ?? []).some((t: any) => (t.group ?? '') === toGroup && t.kind === toKind && (t.name === undefined || t.name === toName));
    return from && to;
  });
}

/**
 * A Gateway parentRef (of an HTTPRoute, or of an ACME solver's route): the Gateway exists and has
 * the listener named by sectionName/port. Returns the matching listeners, or undefined once reported.
 */
function resolveParentRef(checker: Checker, at: string, ref: any, defaultNamespace: string, owner: string): { gatewayNamespace: string; candidates: any[] } | undefined {
  const { inventory, context, manifest } = checker;
  const group = ref.group ?? GATEWAY_GROUP;
  const kind = ref.kind ?? 'Gateway';
  if (group !== GATEWAY_GROUP || kind !== 'Gateway') {
    context.skip(`references: ${owner} parentRefs of kind ${group}/${kind} are not checked`);
    return undefined;
  }
  const gatewayNamespace: string = ref.namespace ?? defaultNamespace;
  const gateway = lookup(inventory, GATEWAY_GROUP, 'Gateway', gatewayNamespace, ref.name)[0];
  if (!gateway) {
    const gateways = inventory.manifests.filter((m) => m.object.kind === 'Gateway' && groupOf(m.object.apiVersion) === GATEWAY_GROUP).map((m) => `${m.object.metadata.namespace}/${m.object.metadata.name}`);
    context.report(manifest, `${at}/name`, `Gateway ${gatewayNamespace}/${ref.name} does not exist in ${inventory.name} (Gateways here: ${gateways.join(', ') || 'none'})`);
    return undefined;
  }
  const listeners: any[] = (gateway.object as any).spec?.listeners ?? [];
  let candidates = listeners;
  if (ref.sectionName !== undefined) {
    candidates = listeners.filter((l) => l.name === ref.sectionName);
    if (candidates.length === 0) {
      context.report(
        manifest,
        `${at}/sectionName`,
        `Gateway ${gatewayNamespace}/${ref.name} has no listener "${ref.sectionName}" (listeners: ${listeners.map((l) => l.name).join(', ') || 'none'}); add the listener or fix sectionName`,
      );
      return undefined;
    }
  }
  if (ref.port !== undefined) {
    candidates = candidates.filter((l) => l.port === ref.port);
    if (candidates.length === 0) {
      context.report(manifest, `${at}/port`, `Gateway ${gatewayNamespace}/${ref.name} has no listener on port ${ref.port}${ref.sectionName ? ` named "${ref.sectionName}"` : ''}`);
      return undefined;
    }
  }
  return { gatewayNamespace, candidates };
}

function checkHttpRoute(checker: Checker): void {
  const { inventory, context, manifest } = checker;
  const route = manifest.object as any;
  const namespace: string = route.metadata.namespace;
  const hostnames: string[] = route.spec?.hostnames ?? [];
  (route.spec?.parentRefs ?? []).forEach((ref: any, i: number) => {
    const at = `/spec/parentRefs/${i}`;
    const resolved = resolveParentRef(checker, at, ref, namespace, 'HTTPRoute');
    if (!resolved) return;
    const { gatewayNamespace, candidates } = resolved;
    const problems: string[] = [];
    const accepting = candidates.filter((listener) => {
      const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
      if (from === 'Same' && namespace !== gatewayNamespace) {
        problems.push(`listener "${listener.name}" accepts routes from its own namespace ${gatewayNamespace} only`);
        return false;
      }
      if (from === 'Selector') {
        const labels = namespaceLabels(inventory, namespace);
        if (!labels || !selectorMatches(listener.allowedRoutes.namespaces.selector, labels)) {
          problems.push(
            `listener "${listener.name}" selects route namespaces by labels ${JSON.stringify(listener.allowedRoutes.namespaces.selector)} and namespace ${namespace} ${labels ? 'does not match' : 'has no known labels'}`,
          );
          return false;
        }
      }
      const kinds: any[] | undefined = listener.allowedRoutes?.kinds;
      if (kinds && !kinds.some((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && k.kind === 'HTTPRoute')) {
        problems.push(`listener "${listener.name}" does not allow HTTPRoute`);
        return false;
      }
      if (!kinds && listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS') {
        problems.push(`listener "${listener.name}" speaks ${listener.protocol}, not HTTP(S)`);
        return false;
      }
      if (listener.hostname && hostnames.length > 0 && !hostnames.some((h) => hostnamesIntersect(listener.hostname, h))) {
        problems.push(`listener "${listener.name}" serves ${listener.hostname}, none of the route's hostnames (${hostnames.join(', ')})`);
        return false;
      }
      return true;
    });
    if (accepting.length === 0) {
      context.report(manifest, at, `Gateway ${gatewayNamespace}/${ref.name} would not accept this route: ${problems.join('; ')}`);
    }
  });
  checkBackendRefs(checker, 'HTTPRoute');
}

/**
 * A route's backendRefs: the Service exists (ours, chart-made, or declared), a ReferenceGrant allows
 * another namespace, and the port is one of the Service's: our own Services' ports, or the ports the
 * catalogue declares for a chart-made Service (`provides.services`, proven by `npm run render`).
 */
function checkBackendRefs(checker: Checker, routeKind: string): void {
  const { inventory, context, manifest } = checker;
  const route = manifest.object as any;
  const namespace: string = route.metadata.namespace;
  (route.spec?.rules ?? []).forEach((rule: any, i: number) => {
    (rule.backendRefs ?? []).forEach((ref: any, j: number) => {
      const at = `/spec/rules/${i}/backendRefs/${j}`;
      const group = ref.group ?? '';
      const kind = ref.kind ?? 'Service';
      if (group !== '' || kind !== 'Service') {
        context.skip(`references: ${routeKind} backendRefs of kind ${group}/${kind} are not checked`);
        return;
      }
      const backendNamespace: string = ref.namespace ?? namespace;
      if (backendNamespace !== namespace && !referenceGranted(inventory, GATEWAY_GROUP, routeKind, namespace, '', 'Service', backendNamespace, ref.name)) {
        context.report(manifest, `${at}/namespace`, `Service ${backendNamespace}/${ref.name} is in another namespace and no ReferenceGrant in ${backendNamespace} allows ${routeKind}s from ${namespace}`);
      }
      const services = lookup(inventory, '', 'Service', backendNamespace, ref.name);
      if (services.length === 0) {
        const provided = inventory.provided.get(providedKey('Service', backendNamespace, ref.name));
        if (!provided) {
          need(checker, `${at}/name`, 'Service', backendNamespace, ref.name);
          return;
        }
        if (typeof ref.port !== 'number') return;
        if (!provided.ports) {
          context.skip(`references: ports of declared Services (environment \`provided.services\`) are not known; ${routeKind} backendRef ports to them are not checked`);
          return;
        }
        if (!provided.ports.includes(ref.port)) {
          context.report(
            manifest,
            `${at}/port`,
            `Service ${backendNamespace}/${ref.name} has no port ${ref.port} (ports: ${provided.ports.join(', ') || 'none'}; ${provided.reason}, as its provides.services in the catalogue declare, checked against the rendered chart by npm run render)`,
          );
        }
        return;
      }
      const ports: any[] = (services[0]!.object as any).spec?.ports ?? [];
      if (typeof ref.port === 'number' && !ports.some((p) => p.port === ref.port)) {
        context.report(manifest, `${at}/port`, `Service ${backendNamespace}/${ref.name} has no port ${ref.port} (ports: ${ports.map((p) => p.port).join(', ') || 'none'})`);
      }
    });
  });
}

function checkGateway(checker: Checker): void {
  const { context, manifest, inventory } = checker;
  const gateway = manifest.object as any;
  const namespace: string = gateway.metadata.namespace;
  need(checker, '/spec/gatewayClassName', 'GatewayClass', undefined, gateway.spec?.gatewayClassName);
  (gateway.spec?.listeners ?? []).forEach((listener: any, i: number) => {
    (listener.tls?.certificateRefs ?? []).forEach((ref: any, j: number) => {
      const at = `/spec/listeners/${i}/tls/certificateRefs/${j}`;
      const group = ref.group ?? '';
      const kind = ref.kind ?? 'Secret';
      if (group !== '' || kind !== 'Secret') {
        context.skip(`references: Gateway certificateRefs of kind ${group}/${kind} are not checked`);
        return;
      }
      const secretNamespace: string = ref.namespace ?? namespace;
      if (secretNamespace !== namespace && !referenceGranted(inventory, GATEWAY_GROUP, 'Gateway', namespace, '', 'Secret', secretNamespace, ref.name)) {
        context.report(manifest, `${at}/namespace`, `Secret ${secretNamespace}/${ref.name} is in another namespace and no ReferenceGrant in ${secretNamespace} allows Gateways from ${namespace}`);
      }
      need(checker, `${at}/name`, 'Secret', secretNamespace, ref.name, ` (listener "${listener.name}" certificate)`);
    });
  });
}

function checkIssuer(checker: Checker, field: string, kind: string, name: unknown): void {
  const { manifest, inventory, context } = checker;
  if (typeof name !== 'string') return;
  if (kind === 'ClusterIssuer') need(checker, field, 'ClusterIssuer', undefined, name);
  else if (kind === 'Issuer') {
    const namespace = manifest.object.metadata.namespace;
    if (lookup(inventory, CERT_MANAGER_GROUP, 'Issuer', namespace, name).length === 0) {
      const clusterIssuer = lookup(inventory, CERT_MANAGER_GROUP, 'ClusterIssuer', undefined, name).length > 0;
      context.report(
        manifest,
        field,
        `Issuer ${namespace}/${name} does not exist in ${inventory.name}${clusterIssuer ? `; a ClusterIssuer ${name} exists: set issuerRef.kind to ClusterIssuer (or use the cluster-issuer annotation)` : ''}`,
      );
    }
  } else context.skip(`references: issuers of kind ${kind} are not checked`);
}

function checkStoreRef(checker: Checker, field: string, ref: any): void {
  const { manifest, inventory, context } = checker;
  if (!ref?.name) return;
  const kind = ref.kind ?? 'SecretStore';
  const namespace = kind === 'ClusterSecretStore' ? undefined : manifest.object.metadata.namespace;
  const store = lookup(inventory, ESO_GROUP, kind, namespace, ref.name)[0];
  const referent = (store?.object as any)?.spec?.provider?.vault?.auth?.kubernetes?.serviceAccountRef;
  if (kind === 'ClusterSecretStore' && referent?.name && referent.namespace === undefined) {
    need(checker, `${field}/name`, 'ServiceAccount', manifest.object.metadata.namespace, referent.name, ` (ClusterSecretStore ${ref.name} authenticates as this namespace's service account)`);
  }
  if (!store) {
    const stores = inventory.manifests.filter((m) => m.object.kind === kind && groupOf(m.object.apiVersion) === ESO_GROUP).map((m) => m.object.metadata.name);
    context.report(manifest, `${field}/name`, `${kind} ${namespace ? `${namespace}/` : ''}${ref.name} does not exist in ${inventory.name} (${kind}s here: ${stores.join(', ') || 'none'})`);
  }
}

function checkStore(checker: Checker): void {
  const object = checker.manifest.object as any;
  const clusterWide = object.kind === 'ClusterSecretStore';
  const auth = object.spec?.provider?.vault?.auth?.kubernetes;
  if (auth?.serviceAccountRef?.name) {
    const namespace = auth.serviceAccountRef.namespace ?? (clusterWide ? undefined : object.metadata.namespace);
    // No namespace on a ClusterSecretStore: referent authentication, the service account of each
    // ExternalSecret's namespace (checked with the ExternalSecrets).
    if (namespace !== undefined) need(checker, '/spec/provider/vault/auth/kubernetes/serviceAccountRef/name', 'ServiceAccount', namespace, auth.serviceAccountRef.name);
  }
  const ca = object.spec?.provider?.vault?.caProvider;
  if (ca?.name) {
    const namespace = ca.namespace ?? (clusterWide ? undefined : object.metadata.namespace);
    if (namespace !== undefined) need(checker, '/spec/provider/vault/caProvider/name', ca.type === 'ConfigMap' ? 'ConfigMap' : 'Secret', namespace, ca.name);
  }
}

/** `*` and `?` globs, as Argo CD matches project destinations and source repositories. */
function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(value);
}

function allowedByList(patterns: readonly string[], value: string): boolean {
  const deny = patterns.filter((p) => p.startsWith('!')).some((p) => glob(p.slice(1), value));
  return !deny && patterns.filter((p) => !p.startsWith('!')).some((p) => glob(p, value));
}

/** The project Argo CD creates itself (argo-cd server/project: `default`, all sources and destinations). */
const ARGOCD_DEFAULT_PROJECT = 'default';

function checkApplication(context: RuleContext, manifest: Manifest, projects: Map<string, Manifest>): void {
  const application = manifest.object as any;
  const name = application.spec?.project;
  if (typeof name !== 'string') return;
  // Argo CD creates `default` when it starts: the hand-applied root belongs to it (roots.ts BOOTSTRAP_PROJECT).
  if (name === ARGOCD_DEFAULT_PROJECT) return;
  const project = projects.get(name);
  if (!project) {
    context.report(manifest, '/spec/project', `AppProject ${name} does not exist (projects in the roots: ${[...projects.keys()].sort().join(', ') || 'none'})`);
    return;
  }
  const spec = (project.object as any).spec ?? {};
  const destination = application.spec?.destination ?? {};
  const namespace = destination.namespace ?? '';
  const destinations: any[] = spec.destinations ?? [];
  const permitted = destinations.some(
    (d) =>
      ((d.server !== undefined && destination.server !== undefined && glob(d.server, destination.server)) || (d.name !== undefined && destination.name !== undefined && glob(d.name, destination.name))) &&
      glob(d.namespace ?? '', namespace),
  );
  if (!permitted) {
    context.report(
      manifest,
      '/spec/destination',
      `AppProject ${name} does not allow destination ${destination.server ?? destination.name} namespace ${JSON.stringify(namespace)} (allowed: ${destinations.map((d) => `${d.server ?? d.name} ${JSON.stringify(d.namespace ?? '')}`).join(', ') || 'none'})`,
    );
  }
  const sources: [string, any][] = application.spec?.source ? [['/spec/source', application.spec.source]] : (application.spec?.sources ?? []).map((s: any, i: number) => [`/spec/sources/${i}`, s]);
  for (const [at, source] of sources) {
    if (!allowedByList(spec.sourceRepos ?? [], String(source.repoURL ?? ''))) {
      context.report(manifest, `${at}/repoURL`, `AppProject ${name} does not allow source repository ${source.repoURL} (sourceRepos: ${(spec.sourceRepos ?? []).join(', ') || 'none'})`);
    }
  }
}

function describeNamespaceSources(sources: NamespaceSource[] | undefined): string {
  return (sources ?? []).map((s) => (s.kind === 'object' ? `Namespace in ${s.manifest.folder}/` : s.kind === 'application' ? `Application ${s.application.name}` : s.reason)).join(', ');
}

export const referenceRules: Rule[] = [
  {
    name: 'references',
    check(context: RuleContext) {
      const envs = inventories(context.manifests, context.facts);
      const projects = new Map<string, Manifest>();
      for (const manifest of context.manifests) {
        if (manifest.folder === ROOT && manifest.object.kind === 'AppProject' && groupOf(manifest.object.apiVersion) === 'argoproj.io') projects.set(manifest.object.metadata.name, manifest);
      }
      for (const manifest of context.manifests) {
        const inventory = envs.get(manifest.environment)!;
        const checker: Checker = { context, inventory, manifest };
        const object = manifest.object as any;
        const group = groupOf(object.apiVersion);
        const namespace: string | undefined = object.metadata.namespace;

        // Namespaces
        if (manifest.folder === ROOT) {
          if (namespace !== context.facts.argocdNamespace && isNamespaced(inventory, object.apiVersion, object.kind)) {
            context.report(manifest, '/metadata/namespace', `objects of a root are applied to Argo CD's namespace ${context.facts.argocdNamespace} on the host, not ${JSON.stringify(namespace)}`);
          }
        } else if (isNamespaced(inventory, object.apiVersion, object.kind)) {
          if (namespace === undefined) {
            context.report(manifest, '/metadata/namespace', `${object.kind} is namespaced but has no namespace; set it explicitly (the folder's Application names no default namespace)`);
          } else if (!inventory.namespaces.has(namespace)) {
            context.report(
              manifest,
              '/metadata/namespace',
              `namespace ${namespace} does not exist in ${inventory.name}: no Namespace object, no Application with CreateNamespace=true for it, and not declared provided (environment \`hostProvided.namespaces\`)`,
            );
          }
        }

        // Storage classes (also in chart values of root Applications)
        const inValues = manifest.folder === ROOT;
        forEachStringField(inValues ? object.spec?.source?.helm?.valuesObject : object, 'storageClassName', (name, pointer) => {
          if (name !== '') need(checker, `${inValues ? '/spec/source/helm/valuesObject' : ''}${pointer()}`, 'StorageClass', undefined, name);
        });

        for (const [base, spec] of podSpecs(object)) checkPodSpec(checker, base, spec);

        // cert-manager annotations on any object
        const annotations = object.metadata.annotations ?? {};
        if (annotations['cert-manager.io/cluster-issuer']) checkIssuer(checker, '/metadata/annotations/cert-manager.io~1cluster-issuer', 'ClusterIssuer', annotations['cert-manager.io/cluster-issuer']);
        if (annotations['cert-manager.io/issuer']) {
          checkIssuer(checker, '/metadata/annotations/cert-manager.io~1issuer', annotations['cert-manager.io/issuer-kind'] ?? 'Issuer', annotations['cert-manager.io/issuer']);
        }

        if (group === CERT_MANAGER_GROUP && object.kind === 'Certificate') {
          const ref = object.spec?.issuerRef;
          if (ref && (ref.group ?? CERT_MANAGER_GROUP) === CERT_MANAGER_GROUP) checkIssuer(checker, '/spec/issuerRef/name', ref.kind ?? 'Issuer', ref.name);
          else if (ref) context.skip(`references: Certificate issuers of group ${ref.group} are not checked`);
        }
        if (group === CERT_MANAGER_GROUP && (object.kind === 'ClusterIssuer' || object.kind === 'Issuer')) {
          // The solver's HTTPRoute is made by cert-manager at issue time, in the Certificate's
          // namespace: its Gateway and listener must exist (a namespace-less ref names the Issuer's).
          (object.spec?.acme?.solvers ?? []).forEach((solver: any, i: number) => {
            (solver.http01?.gatewayHTTPRoute?.parentRefs ?? []).forEach((ref: any, j: number) => {
              resolveParentRef(checker, `/spec/acme/solvers/${i}/http01/gatewayHTTPRoute/parentRefs/${j}`, ref, object.metadata.namespace ?? '', `${object.kind} solver`);
            });
          });
        }
        if (group === GATEWAY_GROUP && object.kind === 'HTTPRoute') checkHttpRoute(checker);
        if (group === GATEWAY_GROUP && object.kind === 'TCPRoute') checkBackendRefs(checker, 'TCPRoute');
        if (group === GATEWAY_GROUP && object.kind === 'Gateway') checkGateway(checker);
        if (group === ESO_GROUP && object.kind === 'ExternalSecret') checkStoreRef(checker, '/spec/secretStoreRef', object.spec?.secretStoreRef);
        if (group === ESO_GROUP && (object.kind === 'ClusterSecretStore' || object.kind === 'SecretStore')) checkStore(checker);
        if (group === 'argoproj.io' && object.kind === 'Application') {
          checkApplication(context, manifest, projects);
          // The namespace an upstream chart installs into must exist when it is not created by the Application.
          const destinationNamespace = object.spec?.destination?.namespace;
          const creates = (object.spec?.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true');
          if (destinationNamespace && !creates && destinationNamespace !== context.facts.argocdNamespace && !inventory.namespaces.has(destinationNamespace)) {
            context.report(
              manifest,
              '/spec/destination/namespace',
              `namespace ${destinationNamespace} does not exist in ${inventory.name} (${describeNamespaceSources(inventory.namespaces.get(destinationNamespace)) || 'nothing creates it'}); add CreateNamespace=true with managedNamespaceMetadata, or a Namespace object`,
            );
          }
        }
      }
    },
  },
];
