import type { ClusterRequirementsProvider } from '../../lib/node-requirements.ts';

/** The NodePort range must start at 80 for Envoy's Service to take ports 80 and 443 on the edge node. */
export const EDGE_NODE_PORT_RANGE = '80-32767';

/**
 * What the edge needs from the Talos cluster: when Envoy is exposed on the edge node (the default on
 * a Talos host), the API server must accept node ports 80 and 443 (docs/decisions/0401).
 */
export const gatewayClusterRequirements: ClusterRequirementsProvider = (environment) => {
  const settings = environment.services.gateway;
  if (settings === undefined || environment.cluster.kind !== 'talos') return [];
  if ((settings.exposure ?? 'edge-node') !== 'edge-node') return [];
  return [
    {
      apiServerExtraArgs: { 'service-node-port-range': EDGE_NODE_PORT_RANGE },
      reason: 'gateway: Envoy takes node ports 80 and 443 on the edge node (docs/decisions/0401-envoy-on-the-edge-node.md)',
    },
  ];
};
