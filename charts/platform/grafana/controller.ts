import type { ControllerDeclaration } from '../../lib/controller-model.ts';

/**
 * Grafana as data for `npm run converge`, until rendered charts plug in: the grafana chart (8.x,
 * templates/_pod.tpl) runs a Deployment `<release>` that mounts `admin.existingSecret`, every
 * `envFromSecrets` entry and, with persistence, the claim `<release>`.
 */
type Json = Record<string, any>;

export const GRAFANA_CONTROLLER: ControllerDeclaration = {
  service: 'grafana',
  charts: [
    {
      chart: 'grafana',
      objects: (release, namespace, values: Json) => {
        const env: Json[] = [];
        if (values.admin?.existingSecret) {
          env.push({ name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { name: values.admin.existingSecret, key: values.admin.userKey ?? 'admin-user' } } });
          env.push({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: values.admin.existingSecret, key: values.admin.passwordKey ?? 'admin-password' } } });
        }
        const envFrom = (values.envFromSecrets ?? []).map((entry: Json) => ({ secretRef: { name: entry.name, optional: entry.optional ?? false } }));
        const persistence = values.persistence?.enabled && values.persistence.type === 'pvc';
        return [
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: release, namespace } },
          ...(persistence
            ? [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: release, namespace }, spec: { storageClassName: values.persistence.storageClassName, accessModes: ['ReadWriteOnce'] } }]
            : []),
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: release, namespace },
            spec: {
              replicas: values.replicas ?? 1,
              template: {
                spec: {
                  serviceAccountName: release,
                  volumes: persistence ? [{ name: 'storage', persistentVolumeClaim: { claimName: release } }] : [],
                  containers: [{ name: 'grafana', image: 'docker.io/grafana/grafana:(chart appVersion)', env, envFrom }],
                },
              },
            },
          },
        ];
      },
    },
  ],
};
