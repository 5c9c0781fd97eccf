import { readyStatus, type ControllerDeclaration } from '../../lib/controller-model.ts';
import { envoyServiceName, PROVISIONER_NAME, PROVISIONER_NAMESPACE } from './gateway.ts';

/**
 * Contour's Gateway provisioner (v1.30) as data for `npm run converge`: for each Gateway of a class
 * it controls, it creates Contour and an Envoy Service `envoy-<gateway>` with one port per distinct
 * listener port (internal/provisioner/objects/service: port name `http-<port>`/`https-<port>`, by
 * the listener protocol), once the GatewayClass exists.
 */
type Json = Record<string, any>;
export const CONTOUR_CONTROLLER_NAME = 'projectcontour.io/gateway-controller';

export const GATEWAY_CONTROLLER: ControllerDeclaration = {
  service: 'gateway',
  rules: [
    {
      controller: 'contour-provisioner',
      runs: { workload: { kind: 'Deployment', namespace: PROVISIONER_NAMESPACE, name: PROVISIONER_NAME } },
      watches: { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
      react: (object) => {
        const spec: Json = (object as Json).spec ?? {};
        const ports = new Map<number, string>();
        for (const listener of spec.listeners ?? []) {
          if (!ports.has(listener.port)) ports.set(listener.port, `${String(listener.protocol).toLowerCase()}-${listener.port}`);
        }
        return {
          needs: [
            {
              ref: { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: spec.gatewayClassName },
              ready: (gatewayClass) => (gatewayClass as Json).spec?.controllerName === CONTOUR_CONTROLLER_NAME,
              what: `GatewayClass ${spec.gatewayClassName} of ${CONTOUR_CONTROLLER_NAME}`,
            },
          ],
          makes: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: envoyServiceName(object.metadata.name), namespace: object.metadata.namespace },
              spec: { ports: [...ports.entries()].sort(([a], [b]) => a - b).map(([port, name]) => ({ name, port, protocol: 'TCP' })) },
            },
          ],
          status: readyStatus('Programmed', 'Programmed'),
        };
      },
    },
  ],
};
