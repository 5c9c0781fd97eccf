import { describe, expect, it } from 'vitest';
import { converge } from '../../tools/converge/index.ts';
import { DIST, edited } from './fixtures.ts';

describe('converge: each defect reintroduced in a copy of dist/ is named', () => {
  it('B1: a root in the project it creates itself is refused, with the chain', () => {
    const tree = edited(DIST, 'prod/root/application-prod-root.yaml', (t) => t.replace('project: default', 'project: prod'));
    expect(converge(tree).result.chains.get('prod')).toEqual(['prod-root: Application referencing project prod which does not exist; AppProject prod is made by prod-root at wave -1 (its own wave -1 there)']);
  });

  it('B2: Grafana before the folder that makes its Secrets deadlocks the root at wave 60', () => {
    // As before the fix: the chart at its service level (60), creating the namespace itself.
    const tree = edited(DIST, 'prod/root/application-prod-grafana-chart.yaml', (t) =>
      t.replace('sync-wave: "66"', 'sync-wave: "60"').replace('      limit: 5\n', '      limit: 5\n    syncOptions:\n      - CreateNamespace=true\n'),
    );
    expect(converge(tree).result.chains.get('prod')![0]).toBe(
      'prod-root waits at wave 60 on prod-grafana-chart waits at wave 0 on Deployment grafana/grafana needs Secret grafana/grafana-github-oauth, made by ExternalSecret grafana/grafana-github-oauth in prod-grafana at wave 65',
    );
  });

  it('B3: forwarding 443 to a hosted Gateway without an HTTPS listener is synced but broken', () => {
    const tree = edited(DIST, 'prod/hosted-edges/httpproxy-sandbox-edge.yaml', (t) =>
      t.replace(
        '  virtualhost:\n    fqdn: "*.sandbox.omni.cedille.club"',
        '  tcpproxy:\n    services:\n      - name: envoy-platform-x-gateway-x-sandbox\n        port: 443\n  virtualhost:\n    fqdn: "*.sandbox.omni.cedille.club"\n    tls:\n      passthrough: true',
      ),
    );
    const report = converge(tree);
    expect(report.broken).toEqual([
      {
        environment: 'prod',
        message: 'HTTPProxy vcluster-sandbox/sandbox-edge (tcpproxy) forwards to port 443 of Service vcluster-sandbox/envoy-platform-x-gateway-x-sandbox, which has only port 80: Contour marks it invalid',
      },
    ]);
  });

  it('B3: hosted edges after the hosted roots deadlock on the hosted certificates they carry', () => {
    const tree = edited(DIST, 'prod/root/application-prod-hosted-edges.yaml', (t) => t.replace('sync-wave: "85"', 'sync-wave: "95"'));
    expect(converge(tree).result.chains.get('staging')).toEqual([
      "staging-root waits at wave 75 on staging-sample-app waits at wave 0 on Certificate gateway/hotrod needs HTTPProxy vcluster-staging/staging-edge on the host (Let's Encrypt reaches the HTTP-01 challenge through it), made by prod-hosted-edges at wave 95",
    ]);
  });

  it('S4 stays fixed: the collector inserts the environment, never overwrites it', () => {
    expect(DIST.get('prod/opentelemetry/opentelemetrycollector-telemetry.yaml')).toMatch(/key: deployment\.environment\n\s+value: prod|action: insert/);
    expect(DIST.get('prod/opentelemetry/opentelemetrycollector-telemetry.yaml')).not.toContain('upsert');
  });

  it('a Certificate whose issuer comes later in its Application is reported with the chain', () => {
    const tree = edited(DIST, 'prod/vault-tls/clusterissuer-platform-ca.yaml', (t) => t.replace('sync-wave: "2"', 'sync-wave: "3"'));
    expect(converge(tree).result.chains.get('prod')![0]).toBe(
      'prod-root waits at wave 25 on prod-vault-tls waits at wave 2 on Certificate vault/vault-server needs ready ClusterIssuer platform-ca, made by prod-vault-tls at wave 25 (its own wave 3 there)',
    );
  });

  it('a pod whose Secret is never created is reported with the missing Secret', () => {
    const tree = edited(DIST, 'prod/gateway/deployment-contour-gateway-provisioner.yaml', (t) => t.replace(/(\n\s+)- args:/, '$1- envFrom:$1    - secretRef:$1        name: never-created$1  args:'));
    expect(converge(tree).result.chains.get('prod')![0]).toBe(
      'prod-root waits at wave 25 on prod-gateway waits at wave 0 on Deployment projectcontour/contour-gateway-provisioner needs Secret projectcontour/never-created, which nothing in the tree or the runbook makes',
    );
  });

  it('an ExternalSecret reading a key Vault is not declared to hold is synced but broken', () => {
    const tree = edited(DIST, 'prod/argocd/externalsecret-argocd-dex-github.yaml', (t) => t.replace('property: client-secret', 'property: clientSecret'));
    expect(converge(tree).broken).toContainEqual({
      environment: 'prod',
      message: 'ExternalSecret argocd/argocd-dex-github reads kv-system/argocd/dex property clientSecret, which Vault is not declared to hold (charts/platform/vault/controller.ts VAULT_CONTENTS)',
    });
  });
});

describe('converge: what would stay OutOfSync forever', () => {
  it("a field cert-manager's cainjector rewrites, with no ignoreDifferences, is an error", () => {
    const tree = new Map(DIST);
    tree.set(
      'prod/cert-manager/validatingwebhookconfiguration-example.yaml',
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: example\n  annotations:\n    cert-manager.io/inject-ca-from: cert-manager/example\nwebhooks:\n  - name: example.cedille.club\n    clientConfig:\n      service: { name: example, namespace: cert-manager }\n    admissionReviewVersions: [v1]\n    sideEffects: None\n',
    );
    expect(converge(tree).broken).toEqual([
      {
        environment: 'prod',
        message:
          'prod-cert-manager stays OutOfSync forever: cert-manager-cainjector rewrites ValidatingWebhookConfiguration example /webhooks/0/clientConfig/caBundle; add an ignoreDifferences entry (with its reason) to prod-cert-manager',
      },
    ]);
  });
});

describe('converge: day 2', () => {
  it('from a tree with B3 to the fixed one: the 443 forward goes, nothing is refused, it still converges', () => {
    const fixed = DIST;
    const before = edited(fixed, 'prod/hosted-edges/httpproxy-sandbox-edge.yaml', (t) =>
      t.replace(
        '  virtualhost:\n    fqdn: "*.sandbox.omni.cedille.club"',
        '  tcpproxy:\n    services:\n      - name: envoy-platform-x-gateway-x-sandbox\n        port: 443\n  virtualhost:\n    fqdn: "*.sandbox.omni.cedille.club"\n    tls:\n      passthrough: true',
      ),
    );
    const report = converge(fixed, { from: before });
    expect(report.day2).toEqual({ pruned: [], created: [], changed: ['prod-hosted-edges: HTTPProxy vcluster-sandbox/sandbox-edge'], rejected: [] });
    expect([...report.result.chains.values()].flat()).toEqual([]);
    expect(report.broken).toEqual([]);
  });

  it('a change the API server refuses fails the sync, naming the field', () => {
    const fixed = DIST;
    const after = edited(fixed, 'prod/gateway/deployment-contour-gateway-provisioner.yaml', (t) => t.replace(/(selector:\n\s+matchLabels:\n\s+)(\S+): (\S+)/, '$1$2: renamed'));
    const report = converge(after, { from: fixed });
    expect(report.day2!.rejected[0]).toMatch(/^prod-gateway: Deployment projectcontour\/contour-gateway-provisioner: .*selector/);
  });
});
