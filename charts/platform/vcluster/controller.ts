import type { ControllerDeclaration } from '../../lib/controller-model.ts';
import { ENVIRONMENTS } from '../../environments/index.ts';
import type { Environment } from '../../environments/types.ts';
import { environmentVCluster } from '../../lib/vcluster.ts';
import { hostedSecretVaultPath } from './vcluster.ts';

/**
 * vcluster (0.21) as data for `npm run converge`: the chart runs a StatefulSet `<release>` (its
 * data on the default StorageClass, until rendered charts plug in); once it runs, the vcluster
 * serves its API at `exportKubeConfig.server`, writes the kubeconfig Secret
 * `exportKubeConfig.secret.name` and its Service `<release>`; its syncer copies every Service of the
 * virtual cluster to the host namespace as `<name>-x-<namespace>-x-<release>`.
 */
type Json = Record<string, any>;
const SERVER_ANNOTATION = 'converge.cedille.club/vcluster-server';
const SECRET_ANNOTATION = 'converge.cedille.club/vcluster-kubeconfig';

/**
 * What Vault holds for the Secrets a host pushes into its vclusters (`hosted[].secrets`): a human
 * writes each one on the workloads mount (docs/runbooks/vault-bootstrap.md, "Secrets of hosted
 * environments"), `<mount>/<vcluster namespace>/external-secrets/<namespace>/<name>`, one property per key.
 */
export function hostedSecretsVaultContents(environments: readonly Environment[]): Record<string, readonly string[]> {
  const contents: Record<string, readonly string[]> = {};
  for (const host of environments) {
    for (const hosted of host.services.vcluster?.hosted ?? []) {
      const namespace = environmentVCluster(hosted.environment.name).namespace;
      for (const secret of hosted.secrets ?? []) contents[`${host.platform.vault.stores.workloads.mount}/${hostedSecretVaultPath(namespace, secret)}`] = [...secret.keys].sort();
    }
  }
  return contents;
}

export const VCLUSTER_CONTROLLER: ControllerDeclaration = {
  service: 'vcluster',
  vaultContents: hostedSecretsVaultContents(ENVIRONMENTS),
  charts: [
    {
      chart: 'vcluster',
      objects: (release, namespace, values: Json) => [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `vc-${release}`, namespace } },
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: {
            name: release,
            namespace,
            labels: { app: 'vcluster', release },
            annotations: { [SERVER_ANNOTATION]: values.exportKubeConfig?.server ?? `https://${release}.${namespace}.svc:443`, [SECRET_ANNOTATION]: values.exportKubeConfig?.secret?.name ?? `vc-${release}` },
          },
          spec: {
            replicas: 1,
            volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
            template: { spec: { serviceAccountName: `vc-${release}`, containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:(chart appVersion)' }] } },
          },
        },
      ],
    },
  ],
  rules: [
    {
      controller: 'vcluster',
      runs: { always: true },
      watches: { group: 'apps', kind: 'StatefulSet' },
      owns: (object) => object.metadata.labels?.app === 'vcluster',
      react: (object) => {
        const namespace = object.metadata.namespace!;
        const release = object.metadata.name;
        return {
          needs: [{ ref: { group: 'apps', kind: 'StatefulSet', namespace, name: release }, ready: (sts) => (sts as Json).status?.readyReplicas > 0, what: `the vcluster ${namespace}/${release} running` }],
          makes: [
            {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: object.metadata.annotations![SECRET_ANNOTATION]!, namespace },
              data: { 'certificate-authority': '(ca)', 'client-certificate': '(cert)', 'client-key': '(key)', config: '(kubeconfig)' },
            },
            { apiVersion: 'v1', kind: 'Service', metadata: { name: release, namespace }, spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
          ],
          servesCluster: object.metadata.annotations![SERVER_ANNOTATION]!,
        };
      },
    },
    {
      controller: 'vcluster-syncer',
      runs: { always: true },
      watches: { group: '', kind: 'Service' },
      owns: (_object, view) => view.vcluster !== undefined,
      react: (object, view) => ({
        needs: [],
        makes: [],
        makesInHost: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `${object.metadata.name}-x-${object.metadata.namespace}-x-${view.vcluster!.name}`, namespace: view.vcluster!.namespace },
            spec: (object as Json).spec,
          },
        ],
      }),
    },
  ],
};
