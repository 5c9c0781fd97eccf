import { BASE_DOMAIN, PLATFORM } from './platform.ts';
import type { Environment } from './types.ts';

/** A vcluster on prod where changes and the sample application run before prod. */
export const staging: Environment = {
  name: 'staging',
  description: 'vcluster `staging` on the prod host',
  platform: PLATFORM,
  cluster: { kind: 'vcluster', host: 'prod', nodes: [] },
  domain: `staging.${BASE_DOMAIN}`,
  certificateIssuer: 'letsencrypt-staging',
  destination: { name: 'staging', server: 'https://staging.vcluster-staging.svc:443' },
  hostProvided: { storageClasses: ['mayastor', 'local-hostpath'], namespaces: [] },
  services: {
    'gateway-api': {},
    'cert-manager': {},
    // Envoy behind the host's: prod's hosted-edges forwards *.<domain> here.
    gateway: {},
    // Its own control plane and CA (the sample application is meshed here); redirection and
    // Merbridge come from the host's nodes (docs/mesh.md).
    mesh: {
      meshes: [
        {
          name: 'default',
          // STRICT everywhere but here: Contour's Envoy is not meshed and calls HotROD in plaintext.
          permissiveNamespaces: [{ namespace: 'sample', until: '2027-03-31', reason: "the Gateway's Envoy is not meshed yet; ends when the Gateway joins the mesh" }],
        },
      ],
    },
    // Staging's telemetry goes to prod's collector (host service replicated into the vcluster) and
    // lands in prod's ClickHouse tagged deployment.environment=staging: one store, one Grafana.
    opentelemetry: { destination: { forwardTo: 'http://prod-telemetry-collector.opentelemetry.svc:4318' } },
    'sample-app': {},
  },
};
