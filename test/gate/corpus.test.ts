/**
 * The corpus: one defect per case, injected into a copy of the valid tree (committed dist/ plus the
 * demo service), each rejected with exactly the expected findings (file, field, message).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { baseTree, findObject, gate, objectAt } from './fixture.ts';

type Expected = readonly [file: string, field: string, message: RegExp | string];

interface Case {
  readonly name: string;
  /** Changes the tree in place. */
  readonly inject: (tree: Manifest[]) => void;
  /** Exactly these findings (a function when they depend on the tree). */
  readonly expected: readonly Expected[] | ((tree: Manifest[]) => readonly Expected[]);
  /** Further findings of the same defect elsewhere in the real tree (e.g. every route of every service). */
  readonly alsoAllow?: RegExp;
  /** The rule reads every environment (Argo CD projects live on the host for all of them). @default false */
  readonly crossEnvironment?: boolean;
}

const DEPLOYMENT = 'demo/deployment-demo.yaml';
const ROUTE = 'demo/httproute-demo.yaml';
const container = (tree: Manifest[]) => objectAt(tree, DEPLOYMENT).spec.template.spec.containers[0];
const add = (tree: Manifest[], path: string, object: any) => {
  const [folder, file] = path.split('/') as [string, string];
  tree.push({ environment: 'prod', folder, file, source: `prod/${path}`, object: object as KubeObject });
};
const remove = (tree: Manifest[], path: string) => {
  const index = tree.findIndex((m) => m.environment === 'prod' && `${m.folder}/${m.file}` === path);
  tree.splice(index, 1);
};
const labels = (service = 'demo') => ({
  'app.kubernetes.io/managed-by': 'cdk8s',
  'app.kubernetes.io/part-of': 'plateforme-cedille',
  'platform.cedille.club/environment': 'prod',
  'platform.cedille.club/service': service,
});
const p = (path: string) => `prod/${path}`;
const GATEWAY = (t: Manifest[]) => findObject(t, 'Gateway', 'platform');
const application = (t: Manifest[], predicate: (source: any) => boolean) => {
  const found = t.find((m) => m.environment === 'prod' && m.folder === 'root' && m.object.kind === 'Application' && predicate((m.object as any).spec.source));
  if (!found) throw new Error('no such Application');
  return { object: found.object as any, file: `prod/root/${found.file}` };
};
const GATEWAY_API = (t: Manifest[]) => application(t, (s) => s.path === 'config/crd/standard');
const ESO_CHART = (t: Manifest[]) => application(t, (s) => s.chart === 'external-secrets');

const CASES: Case[] = [
  // ── strict schemas ──────────────────────────────────────────────────────────
  {
    name: 'unknown field in a core kind',
    inject: (t) => (objectAt(t, DEPLOYMENT).spec.replica = 2),
    expected: [[p(DEPLOYMENT), '/spec/replica', 'unknown field "replica" (did you mean "replicas"?)']],
  },
  {
    name: 'wrong type',
    inject: (t) => (objectAt(t, DEPLOYMENT).spec.replicas = '2'),
    expected: [[p(DEPLOYMENT), '/spec/replicas', 'must be integer, got string "2"']],
  },
  {
    name: 'missing required field',
    inject: (t) => delete container(t).name,
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/name', 'is required but missing']],
  },
  {
    name: 'bad enum',
    inject: (t) => (container(t).imagePullPolicy = 'Sometimes'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/imagePullPolicy', 'must be one of "Always", "IfNotPresent", "Never"; got "Sometimes"']],
  },
  {
    name: 'typo in a CRD field',
    inject: (t) => {
      const certificate = objectAt(t, 'demo/certificate-demo.yaml');
      certificate.spec.dnsName = certificate.spec.dnsNames;
      delete certificate.spec.dnsNames;
    },
    expected: [['prod/demo/certificate-demo.yaml', '/spec/dnsName', 'unknown field "dnsName" (did you mean "dnsNames"?)']],
  },
  {
    name: 'wrong type in a custom resource',
    inject: (t) => (objectAt(t, ROUTE).spec.rules[0].backendRefs[0].port = '8080'),
    expected: [[p(ROUTE), '/spec/rules/0/backendRefs/0/port', 'must be integer, got string "8080"']],
  },
  {
    name: 'bad enum in a custom resource',
    inject: (t) => (objectAt(t, 'demo/externalsecret-demo-credentials.yaml').spec.target.creationPolicy = 'Always'),
    expected: [['prod/demo/externalsecret-demo-credentials.yaml', '/spec/target/creationPolicy', 'must be one of "Owner", "Orphan", "Merge", "None"; got "Always"']],
  },
  {
    name: 'unknown kind',
    inject: (t) => add(t, 'demo/widget-w.yaml', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo', labels: labels() } }),
    expected: [
      [p('demo/widget-w.yaml'), '/kind', "no schema for example.com/v1 Widget: no pinned CRD defines example.com/Widget; fix apiVersion/kind, or add the kind's CRD to the schemas (never a silent pass)"],
      [p('demo/widget-w.yaml'), '/kind', /^nothing in prod installs the CRD of example\.com\/Widget/],
    ],
  },
  {
    name: 'version the pinned CRD does not serve',
    inject: (t) => (objectAt(t, ROUTE).apiVersion = 'gateway.networking.k8s.io/v1alpha2'),
    expected: [[p(ROUTE), '/kind', /does not serve gateway\.networking\.k8s\.io\/v1alpha2 \(served: v1, v1beta1\)/]],
  },
  {
    name: 'invalid object name',
    inject: (t) => (objectAt(t, 'demo/configmap-demo-config.yaml').metadata.name = 'Demo_Config'),
    expected: [
      ['prod/demo/configmap-demo-config.yaml', '/metadata/name', /"Demo_Config" is not a valid object name/],
      [p(DEPLOYMENT), '/spec/template/spec/volumes/0/configMap/name', /^ConfigMap demo\/demo-config does not exist in prod/],
    ],
  },
  {
    name: 'null where a value is expected',
    inject: (t) => (objectAt(t, DEPLOYMENT).spec.paused = null),
    expected: [[p(DEPLOYMENT), '/spec/paused', /^is null; omit the field/]],
  },
  {
    name: 'malformed quantity',
    inject: (t) => (container(t).resources.requests.cpu = '100 m'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/resources/requests/cpu', 'must be a quantity like "500m", "1Gi" or 2, got string "100 m"']],
  },
  {
    name: 'duplicate entries of a keyed list',
    inject: (t) => {
      const containers = objectAt(t, DEPLOYMENT).spec.template.spec.containers;
      containers.push(structuredClone(containers[0]));
    },
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/1/name', 'duplicate container name "demo" (also at /spec/template/spec/containers/0/name); container names are unique in a pod']],
  },
  {
    name: 'pod its namespace Pod Security level refuses',
    inject: (t) => (container(t).securityContext.privileged = true),
    expected: [
      [
        p(DEPLOYMENT),
        '/spec/template/spec/containers/0/securityContext/privileged',
        'container "demo": privileged is forbidden in namespace demo, which enforces Pod Security "restricted"; set the chart\'s securityContext values, or give the namespace the level it needs (with a decision record)',
      ],
    ],
  },
  // ── CEL ─────────────────────────────────────────────────────────────────────
  {
    name: 'failing CEL rule (HTTPRoute path)',
    inject: (t) => (objectAt(t, ROUTE).spec.rules[0].matches[0].path.value = 'api'),
    expected: [[p(ROUTE), '/spec/rules/0/matches/0/path', /^value must be an absolute path and start with '\/' when type one of \['Exact', 'PathPrefix'\] \(CEL rule: /]],
  },
  {
    name: 'failing CEL rule (Gateway HTTP listener with tls)',
    inject: (t) => (GATEWAY(t).object.spec.listeners[0].tls = { mode: 'Terminate', certificateRefs: [{ name: 'demo-tls' }] }),
    expected: (t) => [[GATEWAY(t).file, '/spec/listeners', /^tls must not be specified for protocols \['HTTP', 'TCP', 'UDP'\] \(CEL rule: /]],
  },
  // ── policy ──────────────────────────────────────────────────────────────────
  {
    name: 'Secret with data',
    inject: (t) => add(t, 'demo/secret-demo.yaml', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'demo', namespace: 'demo', labels: labels() }, data: { password: 'aHVudGVyMg==' } }),
    expected: [[p('demo/secret-demo.yaml'), '/data', 'a Secret with data would put secret material in git; deliver it from Vault with an ExternalSecret']],
  },
  {
    name: 'PEM private key',
    inject: (t) => (objectAt(t, 'demo/configmap-demo-config.yaml').data['tls.key'] = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n'),
    expected: [['prod/demo/configmap-demo-config.yaml', '/data/tls.key', 'a PEM private key is in the manifest; keys live in Vault or are issued in the cluster']],
  },
  {
    name: 'token-like string',
    inject: (t) => (container(t).args = ['--token=ghp_abcdefghijklmnopqrstuvwxyzABCDEF123456']),
    expected: [
      [p(DEPLOYMENT), '/spec/template/spec/containers/0/args/0', 'a GitHub token is in the manifest; credentials come from Vault through External Secrets'],
      [p(DEPLOYMENT), '/spec/template/spec/containers/0/args/0', 'a high-entropy token-like string is in the manifest; credentials come from Vault through External Secrets'],
    ],
  },
  {
    name: 'latest tag',
    inject: (t) => (container(t).image = 'jaegertracing/example-hotrod:latest'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/image', 'image "jaegertracing/example-hotrod:latest" is not pinned (floating tag "latest"); pin it in the catalogue (IMAGES)']],
  },
  {
    name: 'image without tag',
    inject: (t) => (container(t).image = 'jaegertracing/example-hotrod'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/image', 'image "jaegertracing/example-hotrod" is not pinned (no tag); pin it in the catalogue (IMAGES)']],
  },
  {
    name: 'imagePullPolicy Always without digest',
    inject: (t) => (container(t).imagePullPolicy = 'Always'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/imagePullPolicy', /^imagePullPolicy Always without a digest/]],
  },
  {
    name: 'missing Pod Security label',
    inject: (t) => delete objectAt(t, 'demo/namespace-demo.yaml').metadata.labels['pod-security.kubernetes.io/enforce'],
    expected: [['prod/demo/namespace-demo.yaml', '/metadata/labels/pod-security.kubernetes.io~1enforce', 'Namespace has no Pod Security enforce label; every namespace states its level (podSecurityLabels)']],
  },
  {
    name: 'namespace created by an Application without Pod Security labels',
    inject: (t) => delete ESO_CHART(t).object.spec.syncPolicy.managedNamespaceMetadata,
    expected: (t) =>
      ['enforce', 'audit', 'warn'].map(
        (mode) =>
          [
            ESO_CHART(t).file,
            `/spec/syncPolicy/managedNamespaceMetadata/labels/pod-security.kubernetes.io~1${mode}`,
            `the namespace this Application creates (CreateNamespace=true) has no Pod Security ${mode} label; every namespace states its level (podSecurityLabels)`,
          ] as const,
      ),
  },
  {
    name: 'namespace on a cluster-scoped kind',
    inject: (t) => (findObject(t, 'StorageClass', 'mayastor').object.metadata.namespace = 'demo'),
    expected: (t) => [[findObject(t, 'StorageClass', 'mayastor').file, '/metadata/namespace', 'StorageClass is cluster-scoped and cannot have a namespace; remove metadata.namespace']],
  },
  {
    name: 'duplicate object',
    inject: (t) => add(t, 'demo/configmap-demo-config-copy.yaml', structuredClone(objectAt(t, 'demo/configmap-demo-config.yaml'))),
    expected: [[p('demo/configmap-demo-config-copy.yaml'), '/metadata/name', 'duplicate ConfigMap demo/demo-config: also in prod/demo/configmap-demo-config.yaml']],
  },
  {
    name: 'sync-wave as a label',
    inject: (t) => (objectAt(t, 'demo/service-demo.yaml').metadata.labels['argocd.argoproj.io/sync-wave'] = '1'),
    expected: [['prod/demo/service-demo.yaml', '/metadata/labels/argocd.argoproj.io~1sync-wave', 'sync-wave is a label here; Argo CD reads it only under metadata.annotations']],
  },
  {
    name: 'unpinned git revision',
    inject: (t) => (GATEWAY_API(t).object.spec.source.targetRevision = 'main'),
    expected: (t) => [[GATEWAY_API(t).file, '/spec/source/targetRevision', 'git source https://github.com/kubernetes-sigs/gateway-api is not pinned to a tag or commit (got "main")']],
  },
  {
    name: 'unpinned chart version',
    inject: (t) => (ESO_CHART(t).object.spec.source.targetRevision = '0.10.*'),
    expected: (t) => [[ESO_CHART(t).file, '/spec/source/targetRevision', 'chart external-secrets is not pinned to a released version (got "0.10.*")']],
  },
  {
    name: 'missing common label',
    inject: (t) => delete objectAt(t, 'demo/service-demo.yaml').metadata.labels['app.kubernetes.io/part-of'],
    expected: [['prod/demo/service-demo.yaml', '/metadata/labels/app.kubernetes.io~1part-of', 'every object carries the common label app.kubernetes.io/part-of (PlatformChart adds it)']],
  },
  // ── references ──────────────────────────────────────────────────────────────
  {
    name: 'dangling issuer',
    inject: (t) => (objectAt(t, 'demo/certificate-demo.yaml').spec.issuerRef.name = 'letsencrypt-staging'),
    expected: [['prod/demo/certificate-demo.yaml', '/spec/issuerRef/name', /^ClusterIssuer letsencrypt-staging does not exist in prod; it must be a ClusterIssuer object in the tree/]],
  },
  {
    name: 'Issuer where only a ClusterIssuer exists',
    inject: (t) => (objectAt(t, 'demo/certificate-demo.yaml').spec.issuerRef.kind = 'Issuer'),
    expected: [
      [
        'prod/demo/certificate-demo.yaml',
        '/spec/issuerRef/name',
        'Issuer gateway/letsencrypt-prod does not exist in prod; a ClusterIssuer letsencrypt-prod exists: set issuerRef.kind to ClusterIssuer (or use the cluster-issuer annotation)',
      ],
    ],
  },
  {
    name: 'dangling issuer annotation',
    inject: (t) => (GATEWAY(t).object.metadata.annotations = { 'cert-manager.io/cluster-issuer': 'letsencrypt' }),
    expected: (t) => [[GATEWAY(t).file, '/metadata/annotations/cert-manager.io~1cluster-issuer', /^ClusterIssuer letsencrypt does not exist in prod/]],
  },
  {
    name: 'dangling secret store',
    inject: (t) => (objectAt(t, 'demo/externalsecret-demo-credentials.yaml').spec.secretStoreRef.name = 'vault-kv-sytem'),
    expected: [['prod/demo/externalsecret-demo-credentials.yaml', '/spec/secretStoreRef/name', /^ClusterSecretStore vault-kv-sytem does not exist in prod \(ClusterSecretStores here: .*vault-kv-system.*\)$/]],
  },
  {
    name: 'dangling parentRef',
    inject: (t) => (objectAt(t, ROUTE).spec.parentRefs[0].name = 'public'),
    expected: [[p(ROUTE), '/spec/parentRefs/0/name', 'Gateway gateway/public does not exist in prod (Gateways here: gateway/platform)']],
  },
  {
    name: 'ACME solver routed through a listener the Gateway does not have',
    inject: (t) => (objectAt(t, 'cert-manager/clusterissuer-letsencrypt-prod.yaml').spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0].sectionName = 'plain-http'),
    expected: [
      [
        p('cert-manager/clusterissuer-letsencrypt-prod.yaml'),
        '/spec/acme/solvers/0/http01/gatewayHTTPRoute/parentRefs/0/sectionName',
        /^Gateway gateway\/platform has no listener "plain-http" \(listeners: http, .*\); add the listener or fix sectionName$/,
      ],
    ],
  },
  {
    name: 'parentRef to a missing listener',
    inject: (t) => (objectAt(t, ROUTE).spec.parentRefs[0].sectionName = 'https-grafana2'),
    expected: [[p(ROUTE), '/spec/parentRefs/0/sectionName', /^Gateway gateway\/platform has no listener "https-grafana2" \(listeners: http, .*https-demo.*\); add the listener or fix sectionName$/]],
  },
  {
    name: 'route from a namespace the listener does not select',
    inject: (t) => delete objectAt(t, 'demo/namespace-demo.yaml').metadata.labels['gateway-access'],
    expected: [[p(ROUTE), '/spec/parentRefs/0', /^Gateway gateway\/platform would not accept this route: listener "https-demo" selects route namespaces by labels/]],
  },
  {
    name: 'route hostname the listener does not serve',
    inject: (t) => (objectAt(t, ROUTE).spec.hostnames = ['other.omni.cedille.club']),
    expected: [[p(ROUTE), '/spec/parentRefs/0', 'Gateway gateway/platform would not accept this route: listener "https-demo" serves demo.omni.cedille.club, none of the route\'s hostnames (other.omni.cedille.club)']],
  },
  {
    name: 'backend Service port that does not exist',
    inject: (t) => (objectAt(t, ROUTE).spec.rules[0].backendRefs[0].port = 9090),
    expected: [[p(ROUTE), '/spec/rules/0/backendRefs/0/port', 'Service demo/demo has no port 9090 (ports: 8080)']],
  },
  {
    name: 'backend Service that does not exist',
    inject: (t) => (objectAt(t, ROUTE).spec.rules[0].backendRefs[0].name = 'api'),
    expected: [[p(ROUTE), '/spec/rules/0/backendRefs/0/name', /^Service demo\/api does not exist in prod/]],
  },
  {
    name: 'dangling gatewayClassName',
    inject: (t) => (GATEWAY(t).object.spec.gatewayClassName = 'nginx'),
    expected: (t) => [[GATEWAY(t).file, '/spec/gatewayClassName', /^GatewayClass nginx does not exist in prod/]],
  },
  {
    name: 'listener certificate Secret nothing creates',
    inject: (t) => (objectAt(t, 'demo/certificate-demo.yaml').spec.secretName = 'demo-certificate'),
    expected: (t) => [
      [
        GATEWAY(t).file,
        `/spec/listeners/${GATEWAY(t).object.spec.listeners.findIndex((l: any) => l.name === 'https-demo')}/tls/certificateRefs/0/name`,
        /^Secret gateway\/demo-tls \(listener "https-demo" certificate\) does not exist in prod; it must be an ExternalSecret target, a Certificate secretName/,
      ],
    ],
  },
  {
    name: 'dangling storage class',
    inject: (t) => (objectAt(t, 'demo/persistentvolumeclaim-demo-data.yaml').spec.storageClassName = 'fast'),
    expected: [['prod/demo/persistentvolumeclaim-demo-data.yaml', '/spec/storageClassName', /^StorageClass fast does not exist in prod; it must be a StorageClass object, a class the host provides/]],
  },
  {
    name: 'dangling namespace',
    inject: (t) => (objectAt(t, 'demo/configmap-demo-config.yaml').metadata.namespace = 'demo-2'),
    expected: [
      ['prod/demo/configmap-demo-config.yaml', '/metadata/namespace', /^namespace demo-2 does not exist in prod: no Namespace object, no Application with CreateNamespace=true/],
      [p(DEPLOYMENT), '/spec/template/spec/volumes/0/configMap/name', /^ConfigMap demo\/demo-config does not exist in prod/],
    ],
  },
  {
    name: 'dangling service account',
    inject: (t) => (objectAt(t, DEPLOYMENT).spec.template.spec.serviceAccountName = 'api'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/serviceAccountName', /^ServiceAccount demo\/api does not exist in prod/]],
  },
  {
    name: 'Secret reference nothing creates',
    inject: (t) => (container(t).env[0].valueFrom.secretKeyRef.name = 'demo-password'),
    expected: [[p(DEPLOYMENT), '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name', /^Secret demo\/demo-password does not exist in prod; it must be an ExternalSecret target/]],
  },
  {
    name: 'Application in a project that does not exist',
    inject: (t) => (objectAt(t, 'root/application-prod-demo.yaml').spec.project = 'demo'),
    expected: [['prod/root/application-prod-demo.yaml', '/spec/project', /^AppProject demo does not exist \(projects in the roots: prod, sandbox, .*staging, staging-root\)$/]],
    crossEnvironment: true,
  },
  {
    name: 'project that does not allow the source repository',
    inject: (t) => {
      const project = objectAt(t, 'root/appproject-prod.yaml');
      project.spec.sourceRepos = project.spec.sourceRepos.filter((repo: string) => repo !== 'https://charts.external-secrets.io');
    },
    expected: (t) => [[ESO_CHART(t).file, '/spec/source/repoURL', /^AppProject prod does not allow source repository https:\/\/charts\.external-secrets\.io/]],
  },
  {
    name: 'project that does not allow the destination',
    inject: (t) => (objectAt(t, 'root/appproject-prod.yaml').spec.destinations[0].namespace = 'cert-manager'),
    expected: [
      ['prod/root/application-prod-demo.yaml', '/spec/destination', 'AppProject prod does not allow destination https://kubernetes.default.svc namespace "" (allowed: https://kubernetes.default.svc "cert-manager")'],
    ],
    alsoAllow: /^AppProject prod does not allow destination https:\/\/kubernetes\.default\.svc namespace /,
  },
  // ── ordering ────────────────────────────────────────────────────────────────
  {
    name: 'custom resource before its CRD',
    // Every Application installing Gateway API CRDs (standard channel, and the experimental TCPRoute).
    inject: (t) => {
      for (const m of t)
        if (m.environment === 'prod' && m.folder === 'root' && String((m.object as any).spec?.source?.path ?? '').startsWith('config/crd/')) m.object.metadata.annotations!['argocd.argoproj.io/sync-wave'] = '100';
    },
    expected: [
      [
        p(ROUTE),
        '/kind',
        /^the CRDs of gateway\.networking\.k8s\.io are installed by prod-gateway-api-release \(wave 100\).*, not before this folder's Application prod-demo \(wave 95\); make this service depend on the one that installs them \(registry dependsOn\)$/,
      ],
    ],
    alsoAllow: /^the CRDs of gateway\.networking\.k8s\.io are installed by .*\(wave 100\).*, not before this folder's Application/,
  },
  {
    name: 'custom resource whose CRD nothing installs',
    inject: (t) => remove(t, ESO_CHART(t).file.slice('prod/'.length)),
    expected: [[p('demo/externalsecret-demo-credentials.yaml'), '/kind', /^nothing in prod installs the CRD of external-secrets\.io\/ExternalSecret/]],
    // The chart also makes the controller's ServiceAccount the stores authenticate with.
    alsoAllow: /^nothing in prod installs the CRD of external-secrets\.io\/|^ServiceAccount external-secrets\/external-secrets does not exist in prod/,
  },
  {
    name: 'custom resource in the same sync as its CRD without SkipDryRunOnMissingResource',
    inject: (t) => {
      add(t, 'demo/customresourcedefinition-widgets.example.com.yaml', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com', labels: labels() },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        },
      });
      add(t, 'demo/widget-w.yaml', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo', labels: labels() }, spec: { size: 1, colour: 'red' } });
    },
    expected: [
      [p('demo/widget-w.yaml'), '/spec/colour', 'unknown field "colour" (allowed: size)'],
      [
        p('demo/widget-w.yaml'),
        '/metadata/annotations',
        /^its CRD widgets\.example\.com is in the same folder at wave 0 and this object is at wave 0; put it in a later sync wave \(setSyncWave\) or add SkipDryRunOnMissingResource=true/,
      ],
    ],
  },
  {
    name: 'object before its namespace',
    inject: (t) => (objectAt(t, 'demo/namespace-demo.yaml').metadata.annotations['argocd.argoproj.io/sync-wave'] = '3'),
    expected: (t) =>
      t
        .filter((m) => m.environment === 'prod' && m.folder === 'demo' && m.object.metadata.namespace === 'demo')
        .map((m) => [`prod/demo/${m.file}`, '/metadata/namespace', /^namespace demo is created after this object: by Namespace in this folder at wave 3 \(this object: wave 0\)/] as const),
  },
  // ── least privilege and API limits (issue 18) ──────────────────────────────────
  {
    name: 'binding to cluster-admin',
    inject: (t) =>
      add(t, 'demo/clusterrolebinding-demo.yaml', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'demo', labels: labels() },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'demo', namespace: 'demo' }],
      }),
    expected: [[p('demo/clusterrolebinding-demo.yaml'), '/roleRef/name', 'binds cluster-admin (every verb on every resource of the cluster); bind a ClusterRole scoped to what ServiceAccount demo/demo manages']],
    alsoAllow: /ServiceAccount demo\/demo does not exist/,
  },
  {
    name: 'binding the group system:masters',
    inject: (t) =>
      add(t, 'demo/rolebinding-masters.yaml', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'masters', namespace: 'demo', labels: labels() },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
      }),
    expected: [[p('demo/rolebinding-masters.yaml'), '/subjects/0/name', 'binds the group system:masters, which bypasses RBAC entirely; bind a named group to a scoped role']],
  },
  {
    name: 'route to a port the chart-made Service does not have (issue 18)',
    inject: (t) => (objectAt(t, 'argocd/httproute-argocd-server.yaml').spec.rules[0].backendRefs[0].port = 8080),
    expected: [
      [
        'prod/argocd/httproute-argocd-server.yaml',
        '/spec/rules/0/backendRefs/0/port',
        'Service argocd/argocd-server has no port 8080 (ports: 80, 443; created by CHARTS.argoCd (Application prod-argocd-chart), as its provides.services in the catalogue declare, checked against the rendered chart by npm run render)',
      ],
    ],
  },
  {
    name: 'NetworkPolicy rule with ports: [] (reads as every port)',
    inject: (t) =>
      add(t, 'demo/networkpolicy-demo.yaml', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'demo', namespace: 'demo', labels: labels() },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [] }] },
      }),
    expected: [[p('demo/networkpolicy-demo.yaml'), '/spec/ingress/0/ports', 'is [], which Kubernetes reads as every port; list the ports to allow, or remove the rule to allow none']],
  },
  {
    name: 'a 5 MB ConfigMap',
    inject: (t) => (objectAt(t, 'demo/configmap-demo-config.yaml').data.blob = 'x'.repeat(5 * 1024 * 1024)),
    expected: [['prod/demo/configmap-demo-config.yaml', '', 'is 5.00 MiB, over what etcd stores per object (1.5 MiB); move the content out of the object']],
    alsoAllow: /high-entropy|token-like/,
  },
  {
    name: 'a 1.2 MB ConfigMap (over the ConfigMap data limit)',
    inject: (t) => (objectAt(t, 'demo/configmap-demo-config.yaml').data.blob = 'x'.repeat(1.2 * 1024 * 1024)),
    expected: [['prod/demo/configmap-demo-config.yaml', '/data', "holds 1.20 MiB, over the API server's 1 MiB for a ConfigMap; keep large content out of ConfigMaps (a volume, an image, an object store)"]],
    alsoAllow: /high-entropy|token-like/,
  },
  {
    name: 'folder no Application syncs',
    inject: (t) => remove(t, 'root/application-prod-demo.yaml'),
    expected: [['prod/demo/namespace-demo.yaml', '', 'folder prod/demo/ is not synced by any Application in prod/root/ (an Application whose source path is prod/demo)']],
  },
];

function render(errors: readonly { file: string; field: string; message: string }[]): string[] {
  return errors.map((e) => `${e.file} ${e.field} ${e.message}`);
}

describe('validation corpus', () => {
  it(`has at least 30 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const testCase of CASES) {
    it(`rejects: ${testCase.name}`, () => {
      const tree = baseTree();
      testCase.inject(tree);
      const expected = typeof testCase.expected === 'function' ? testCase.expected(tree) : testCase.expected;
      // The environments the defect is expected in: the gate judges each environment on its own.
      const touched = [...new Set(expected.map(([file]) => file.split('/')[0]!))];
      const errors = gate(tree, touched.length > 0 && !testCase.crossEnvironment ? touched : undefined).errors;
      const remaining = [...errors];
      const missing: string[] = [];
      for (const [file, field, message] of expected) {
        const index = remaining.findIndex((e) => e.file === file && e.field === field && (typeof message === 'string' ? e.message === message : message.test(e.message)));
        if (index < 0) missing.push(`${file} ${field} ${message}`);
        else remaining.splice(index, 1);
      }
      const unexpected = remaining.filter((e) => !testCase.alsoAllow?.test(e.message));
      expect({ missing, unexpected: render(unexpected) }).toEqual({ missing: [], unexpected: [] });
    });
  }
});
