import type { IConstruct } from 'constructs';

/** One problem in the input, phrased so an SRE can fix it without reading the code. */
export interface ConfigProblem {
  /** The field that is wrong, as the user wrote it (e.g. `replicas`, `sandboxUsers[1].github`). */
  readonly field: string;
  /** The value received. */
  readonly value: unknown;
  /** What is wrong with it, completing "<field> is <value> but …". */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Formats a received value for a message: strings quoted, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** `prod › storage/Storage: replicas is 4 but only 3 nodes have pools (…); set replicas ≤ 3 or add pools` */
export function formatProblem(environment: string, path: string, p: ConfigProblem): string {
  return `${environment} › ${path}: ${p.field} is ${formatValue(p.value)} but ${p.problem}; ${p.fix}`;
}

/** Thrown once per construct (or per environment) with every problem found, one message per problem. */
export class ConfigError extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * Collects every problem of one construct (or of one environment's data) so the user sees them all
 * at once, then throws a single ConfigError.
 */
export class ConfigErrors {
  private readonly messages: string[] = [];

  /**
   * @param environment the environment name, first word of every message
   * @param path where the bad input is: a construct path below its chart (`storage/Storage`) or `environment`
   */
  constructor(
    readonly environment: string,
    readonly path: string,
  ) {}

  /** For a construct: the environment and path are read from the construct tree. */
  static of(construct: IConstruct): ConfigErrors {
    const chart = findEnvironmentChart(construct);
    // `prod-storage/Storage/Pools` → `storage/Storage/Pools`: the service folder, then the constructs.
    const below = construct.node.path.split('/').slice(1);
    const path = [chart?.service, ...below].filter(Boolean).join('/') || construct.node.id;
    return new ConfigErrors(chart?.environmentName ?? '(no environment)', path);
  }

  /**
   * The construct tree's own validations (`node.addValidation()`, cdk8s-plus checks): cdk8s runs
   * them in `App.synth()`, which the pipeline never calls, so it asks every construct here.
   * One message per failed validation, with the construct's path.
   */
  static ofValidations(root: IConstruct): string[] {
    const messages: string[] = [];
    for (const construct of root.node.findAll()) {
      for (const message of construct.node.validate()) {
        const errors = ConfigErrors.of(construct);
        messages.push(`${errors.environment} › ${errors.path}: ${message} (construct validation)`);
      }
    }
    return messages;
  }

  add(problem: ConfigProblem): this {
    this.messages.push(formatProblem(this.environment, this.path, problem));
    return this;
  }

  /** Adds `problem` when `condition` is false; returns the condition for chaining checks. */
  check(condition: boolean, problem: ConfigProblem): boolean {
    if (!condition) this.add(problem);
    return condition;
  }

  /**
   * A whole number between `min` and `max` (a replica count, a shard count …): adds
   * `<field> is <value> but <problem>; set <field> between <min> and <max>` otherwise.
   */
  checkRange(field: string, value: number, min: number, max: number, problem: string): boolean {
    return this.check(Number.isInteger(value) && value >= min && value <= max, {
      field,
      value,
      problem,
      fix: `set ${field} between ${min} and ${max}`,
    });
  }

  get count(): number {
    return this.messages.length;
  }

  /** The messages collected so far, for callers that gather problems from several sources. */
  list(): string[] {
    return [...this.messages];
  }

  throwIfAny(): void {
    if (this.messages.length > 0) throw new ConfigError([...this.messages]);
  }
}

interface EnvironmentNamed {
  readonly environmentName: string;
  readonly service?: string;
}

function findEnvironmentChart(construct: IConstruct): EnvironmentNamed | undefined {
  for (const scope of construct.node.scopes.slice().reverse()) {
    const candidate = scope as unknown as Partial<EnvironmentNamed>;
    if (typeof candidate.environmentName === 'string') return candidate as EnvironmentNamed;
  }
  return undefined;
}
