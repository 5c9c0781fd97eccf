import { PACKAGES } from '../../environments/catalogue.ts';
import type { ControllerDeclaration } from '../../lib/controller-model.ts';

/**
 * Crossplane's package manager (v1.18) as data for `npm run converge`: a Provider whose package is
 * pinned in the catalogue installs the CRDs of its groups, then reports Installed and Healthy.
 */
type Json = Record<string, any>;

export const CROSSPLANE_CONTROLLER: ControllerDeclaration = {
  service: 'crossplane',
  rules: [
    {
      controller: 'crossplane',
      runs: { chart: 'crossplane' },
      watches: { group: 'pkg.crossplane.io', kind: 'Provider' },
      react: (object) => {
        const reference: string = (object as Json).spec?.package ?? '';
        const pin = Object.values(PACKAGES).find((p) => reference.startsWith(`${p.package}:`));
        return {
          needs: pin ? [] : [{ ref: { group: '', kind: 'PinnedPackage', name: reference }, what: `a package pinned in the catalogue (got "${reference}")` }],
          makes: (pin?.crdGroups ?? []).map((group) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `(all).${group}` }, spec: { group } })),
          status: {
            conditions: [
              { type: 'Installed', status: 'True', reason: 'ActivePackageRevision' },
              { type: 'Healthy', status: 'True', reason: 'HealthyPackageRevision' },
            ],
          },
        };
      },
    },
  ],
};
