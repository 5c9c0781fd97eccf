import { externalSecretTarget } from '../../lib/kinds.ts';
import type { KubeObject } from '../../lib/manifest.ts';
import { hasCondition, notReadyStatus, readyStatus, type ControllerDeclaration, type ControllerRule, type Need, type Reaction } from '../../lib/controller-model.ts';

/**
 * What External Secrets Operator (v0.10) does, as data for `npm run converge`: a store is Ready once
 * what it authenticates with exists (for Vault: Vault initialised, unsealed and configured by the
 * runbook); an ExternalSecret writes its target Secret (keys from its template, else its `data`)
 * once its store is Ready and every remote key exists, and reports SecretSyncedError until then; a
 * PushSecret writes its source Secret into its stores (below).
 */
type Json = Record<string, any>;
const GROUP = 'external-secrets.io';
const runs = { chart: 'external-secrets' } as const;

function storeReaction(object: KubeObject, namespace: string | undefined): Reaction {
  const provider: Json = (object as Json).spec?.provider ?? {};
  const needs: Need[] = [];
  if (provider.vault) {
    needs.push({ ref: { group: 'runbook', kind: 'Step', name: 'vault-configuration' }, what: 'Vault initialised, unsealed and its Kubernetes auth configured (runbook)' });
    const ca = provider.vault.caProvider;
    if (ca)
      needs.push({
        ref: { group: '', kind: ca.type === 'ConfigMap' ? 'ConfigMap' : 'Secret', namespace: ca.namespace ?? namespace, name: ca.name },
        what: `${ca.type ?? 'Secret'} ${ca.namespace ?? namespace}/${ca.name} (Vault's CA)`,
      });
  }
  if (provider.kubernetes) {
    const ca = provider.kubernetes.server?.caProvider;
    if (ca)
      needs.push({
        ref: { group: '', kind: ca.type === 'ConfigMap' ? 'ConfigMap' : 'Secret', namespace: ca.namespace ?? namespace, name: ca.name },
        what: `${ca.type ?? 'Secret'} ${ca.namespace ?? namespace}/${ca.name} (API server CA)`,
      });
    const account = provider.kubernetes.auth?.serviceAccount?.name;
    if (account) needs.push({ ref: { group: '', kind: 'ServiceAccount', namespace, name: account }, what: `ServiceAccount ${namespace}/${account}` });
  }
  return { needs, makes: [], status: readyStatus('Ready', 'Valid', 'store validated'), waitingStatus: notReadyStatus('Ready', 'InvalidProviderConfig', 'unable to validate store') };
}

const externalSecret: ControllerRule = {
  controller: 'external-secrets',
  runs,
  watches: { group: GROUP, kind: 'ExternalSecret' },
  react: (object, view) => {
    const spec: Json = (object as Json).spec ?? {};
    const namespace = object.metadata.namespace!;
    const storeKind: string = spec.secretStoreRef?.kind ?? 'SecretStore';
    const storeRef = { group: GROUP, kind: storeKind, name: spec.secretStoreRef?.name, ...(storeKind === 'SecretStore' ? { namespace } : {}) };
    const needs: Need[] = [{ ref: storeRef, ready: (store) => hasCondition(store), what: `ready ${storeKind} ${storeKind === 'SecretStore' ? `${namespace}/` : ''}${storeRef.name}` }];
    const store = view.get(storeRef) as Json | undefined;
    const provider: Json = store?.spec?.provider ?? {};
    for (const item of spec.data ?? []) {
      const { key, property } = item.remoteRef ?? {};
      if (provider.vault) {
        const path = `${provider.vault.path}/${key}`;
        needs.push({ ref: { group: 'vault', kind: 'Secret', name: `${path}#${property ?? ''}` }, ready: () => view.vaultHolds(path, property ?? ''), what: `Vault ${path} property ${property}` });
      } else if (provider.kubernetes) {
        const remoteNamespace = provider.kubernetes.remoteNamespace ?? 'default';
        needs.push({
          ref: { group: '', kind: 'Secret', namespace: remoteNamespace, name: key },
          ready: (secret) => property === undefined || property in ((secret as Json).data ?? {}),
          what: `Secret ${remoteNamespace}/${key} key ${property}`,
        });
      }
    }
    const target: Json = spec.target ?? {};
    const template: Json | undefined = target.template;
    const keys: string[] = template?.data ? Object.keys(template.data) : (spec.data ?? []).map((item: Json) => item.secretKey);
    // Literal template values (no `{{`) are what the Secret holds, e.g. an Argo CD cluster's `server`.
    const data = Object.fromEntries(keys.sort().map((key) => [key, typeof template?.data?.[key] === 'string' && !template.data[key].includes('{{') ? template.data[key] : '(from the store)']));
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: externalSecretTarget({ metadata: object.metadata, spec }), namespace, ...(template?.metadata?.labels ? { labels: template.metadata.labels } : {}) },
      type: template?.type ?? 'Opaque',
      data,
    };
    return {
      needs,
      makes: [secret],
      status: readyStatus('Ready', 'SecretSynced', 'Secret was synced'),
      waitingStatus: notReadyStatus('Ready', 'SecretSyncedError', 'could not get secret data from provider'),
    };
  },
};

/**
 * PushSecret (v1alpha1; external-secrets docs/api/pushsecret.md, pkg/controllers/pushsecret): it
 * reads its source Secret (`selector.secret.name`, in its own namespace) and writes every
 * `data[].match` to each store of `secretStoreRefs`, then reports Ready (Synced). With the Kubernetes
 * provider (pkg/provider/kubernetes, `PushSecret`) the write is key `remoteRef.property` of Secret
 * `remoteRef.remoteKey` in the store's `remoteNamespace`, through the store's `server.url` (created,
 * Opaque, when absent): the Secret appears in that cluster, which is a vcluster here. It waits for a
 * ready store, the source Secret with each key, and the remote namespace.
 */
const pushSecret: ControllerRule = {
  controller: 'external-secrets',
  runs,
  watches: { group: GROUP, kind: 'PushSecret' },
  react: (object, view) => {
    const spec: Json = (object as Json).spec ?? {};
    const namespace = object.metadata.namespace!;
    const sourceName: string = spec.selector?.secret?.name;
    const matches: Json[] = (spec.data ?? []).map((item: Json) => item.match ?? {});
    const needs: Need[] = [
      {
        ref: { group: '', kind: 'Secret', namespace, name: sourceName },
        ready: (secret) => matches.every((match) => match.secretKey in ((secret as Json).data ?? {})),
        what: `Secret ${namespace}/${sourceName} with key${matches.length > 1 ? 's' : ''} ${matches.map((match) => match.secretKey).join(', ')} (the PushSecret's source)`,
      },
    ];
    const makesIn: { server: string; objects: KubeObject[] }[] = [];
    for (const storeRef of spec.secretStoreRefs ?? []) {
      const storeKind: string = storeRef.kind ?? 'SecretStore';
      const ref = { group: GROUP, kind: storeKind, name: storeRef.name, ...(storeKind === 'SecretStore' ? { namespace } : {}) };
      needs.push({ ref, ready: (store) => hasCondition(store), what: `ready ${storeKind} ${storeKind === 'SecretStore' ? `${namespace}/` : ''}${storeRef.name}` });
      const kubernetes: Json | undefined = (view.get(ref) as Json | undefined)?.spec?.provider?.kubernetes;
      const server: string | undefined = kubernetes?.server?.url;
      if (!kubernetes || !server) continue;
      const remoteNamespace: string = kubernetes.remoteNamespace ?? 'default';
      needs.push({ ref: { group: '', kind: 'Namespace', name: remoteNamespace, cluster: { server } }, what: `the namespace ${remoteNamespace} in ${server}` });
      const secrets = new Map<string, Record<string, string>>();
      for (const match of matches) {
        const name: string = match.remoteRef?.remoteKey;
        secrets.set(name, { ...secrets.get(name), [match.remoteRef?.property ?? match.secretKey]: `(from Secret ${namespace}/${sourceName})` });
      }
      makesIn.push({
        server,
        objects: [...secrets].map(([name, data]) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: remoteNamespace }, type: 'Opaque', data })),
      });
    }
    return {
      needs,
      makes: [],
      makesIn,
      status: readyStatus('Ready', 'Synced', 'PushSecret synced successfully'),
      waitingStatus: notReadyStatus('Ready', 'Errored', 'could not push secret'),
    };
  },
};

export const EXTERNAL_SECRETS_CONTROLLER: ControllerDeclaration = {
  service: 'external-secrets',
  rules: [
    { controller: 'external-secrets', runs, watches: { group: GROUP, kind: 'ClusterSecretStore' }, react: (object) => storeReaction(object, undefined) },
    { controller: 'external-secrets', runs, watches: { group: GROUP, kind: 'SecretStore' }, react: (object) => storeReaction(object, object.metadata.namespace) },
    externalSecret,
    pushSecret,
  ],
};
