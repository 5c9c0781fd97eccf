/** A synthesized Kubernetes object, as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** One object with where it goes and where it came from. */
export interface Manifest {
  readonly environment: string;
  /** Folder under `dist/<environment>/`: a service name or `root`. */
  readonly folder: string;
  /** File name inside the folder (kind and name, namespace when needed). */
  readonly file: string;
  /** Construct path of the object (for reports), or the file it was read from. */
  readonly source: string;
  readonly object: KubeObject;
}

/** Argo CD kinds live in the environment's root: they are objects of the host's Argo CD, wherever they deploy. */
export function isArgoControlObject(object: { apiVersion: string; kind: string }): boolean {
  return object.apiVersion.startsWith('argoproj.io/') && (object.kind === 'Application' || object.kind === 'AppProject' || object.kind === 'ApplicationSet');
}
