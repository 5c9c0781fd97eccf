import type { Environment } from '../environments/types.ts';
import type { ConfigErrors } from './config-errors.ts';
import type { MeshMembership } from './namespace.ts';

/** The registry name of the service that runs the mesh control plane. */
export const MESH_SERVICE = 'mesh';
/** The mesh a namespace joins when it names none (Kuma's own default). */
export const DEFAULT_MESH = 'default';

/**
 * What a namespace needs to know of the mesh service's settings: the meshes the environment runs.
 * The mesh service's settings extend this, so lib stays ignorant of the service itself.
 */
export interface MeshListSettings {
  /** The meshes of the environment, by name. @default one mesh, `default` */
  readonly meshes?: readonly { readonly name: string }[];
}

/** The names of the meshes an environment runs, or `undefined` when it does not run the mesh service. */
export function environmentMeshes(environment: Environment): readonly string[] | undefined {
  const settings = (environment.services as Readonly<Record<string, MeshListSettings | undefined>>)[MESH_SERVICE];
  if (settings === undefined) return undefined;
  return (settings.meshes ?? [{ name: DEFAULT_MESH }]).map((mesh) => mesh.name);
}

/**
 * Checks a namespace's mesh membership against the environment: asking for injection needs the mesh
 * service in that environment (otherwise nothing injects the sidecar and the namespace silently runs
 * unmeshed), and a named mesh must be one the environment declares.
 */
export function checkMeshMembership(errors: ConfigErrors, environment: Environment, membership: MeshMembership | undefined, meshName: string | undefined): void {
  const meshes = environmentMeshes(environment);
  if (membership === 'injected' && meshes === undefined) {
    errors.add({
      field: 'mesh',
      value: membership,
      problem: `${environment.name} does not run the ${MESH_SERVICE} service, so no sidecar would be injected`,
      fix: `enable '${MESH_SERVICE}' in the services of ${environment.name}, or set mesh: 'excluded'`,
    });
    return;
  }
  if (meshName === undefined) return;
  if (membership !== 'injected') {
    errors.add({
      field: 'meshName',
      value: meshName,
      problem: `the namespace is not injected (mesh is ${JSON.stringify(membership ?? 'unset')}), so it joins no mesh`,
      fix: "set mesh: 'injected', or remove meshName",
    });
    return;
  }
  if (meshes !== undefined && !meshes.includes(meshName)) {
    errors.add({
      field: 'meshName',
      value: meshName,
      problem: `the meshes of ${environment.name} are ${meshes.join(', ')}`,
      fix: `use one of them, or add { name: '${meshName}' } to services.${MESH_SERVICE}.meshes of ${environment.name}`,
    });
  }
}
