import { Ajv, type JSONSchemaType } from 'ajv';

/**
 * The subset of the Talos v1alpha1 machine configuration that our patches set (Talos 1.x reference,
 * `machine.*`): typed here; every generated patch is checked against the JSON schema below by test/talos. Field
 * names are Talos' own; nothing else may appear in a patch.
 */
export interface TalosRoute {
  readonly network: string;
  readonly gateway: string;
  readonly metric?: number;
}

export interface TalosInterface {
  readonly interface: string;
  readonly dhcp: boolean;
  readonly routes: readonly TalosRoute[];
}

export interface TalosKubeletMount {
  readonly destination: string;
  readonly type: 'bind';
  readonly source: string;
  readonly options: readonly string[];
}

export interface TalosMachinePatch {
  readonly machine: {
    readonly network?: { readonly interfaces: readonly TalosInterface[] };
    readonly sysctls?: Readonly<Record<string, string>>;
    readonly nodeLabels?: Readonly<Record<string, string>>;
    /** `key: value:Effect`, Talos' form of a node taint. */
    readonly nodeTaints?: Readonly<Record<string, string>>;
    readonly kernel?: { readonly modules: readonly { readonly name: string }[] };
    readonly kubelet?: { readonly extraMounts: readonly TalosKubeletMount[] };
  };
}

const stringMap = { type: 'object', required: [], additionalProperties: { type: 'string' }, nullable: true } as const;

/** JSON schema of the subset (strict: unknown keys are errors). */
export const TALOS_PATCH_SCHEMA: JSONSchemaType<TalosMachinePatch> = {
  type: 'object',
  additionalProperties: false,
  required: ['machine'],
  properties: {
    machine: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: {
        network: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['interfaces'],
          properties: {
            interfaces: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['interface', 'dhcp', 'routes'],
                properties: {
                  interface: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,15}$' },
                  dhcp: { type: 'boolean' },
                  routes: {
                    type: 'array',
                    items: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['network', 'gateway'],
                      properties: {
                        network: { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' },
                        gateway: { type: 'string', pattern: '^[0-9a-fA-F:.]+$' },
                        metric: { type: 'integer', minimum: 0, maximum: 4294967295, nullable: true },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        sysctls: stringMap,
        nodeLabels: stringMap,
        nodeTaints: stringMap,
        kernel: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['modules'],
          properties: {
            modules: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9_-]+$' } } },
            },
          },
        },
        kubelet: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['extraMounts'],
          properties: {
            extraMounts: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['destination', 'type', 'source', 'options'],
                properties: {
                  destination: { type: 'string', pattern: '^/' },
                  type: { type: 'string', const: 'bind' },
                  source: { type: 'string', pattern: '^/' },
                  options: { type: 'array', items: { type: 'string', minLength: 1 } },
                },
              },
            },
          },
        },
      },
    },
  },
};

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Problems of a patch against the schema, as `<pointer> <message>` (empty when valid). */
export function talosPatchShapeErrors(patch: unknown): string[] {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(TALOS_PATCH_SCHEMA);
  if (compiled(patch)) return [];
  return (compiled.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
