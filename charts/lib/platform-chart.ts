import { Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { Environment } from '../environments/types.ts';
import { normalizeObject } from './render.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, PART_OF, PART_OF_LABEL, SERVICE_LABEL } from './labels.ts';

export interface PlatformChartProps {
  readonly environment: Environment;
  /** Service name: the folder `dist/<env>/<service>/`. */
  readonly service: string;
  /** First wave of this service's Applications in the environment's root (from the registry). */
  readonly wave: number;
}

/** Waves a service may use for its upstream Applications: `wave + 0 … wave + 4`; its folder syncs at `wave + 5`. */
export const SERVICE_WAVE_SPAN = 10;
export const FOLDER_WAVE_OFFSET = 5;

/**
 * One service of one environment. Carries the environment facts, puts the common labels on every
 * object, never hashes names, and keeps namespaces off cluster-scoped kinds.
 */
export class PlatformChart extends Chart {
  /** The chart a construct belongs to. */
  static of(construct: IConstruct): PlatformChart {
    const chart = Chart.of(construct);
    if (!(chart instanceof PlatformChart)) throw new Error(`${construct.node.path} is not inside a PlatformChart`);
    return chart as PlatformChart;
  }

  readonly environment: Environment;
  readonly environmentName: string;
  readonly service: string;
  readonly wave: number;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, {
      disableResourceNameHashes: true,
      labels: {
        [PART_OF_LABEL]: PART_OF,
        [MANAGED_BY_LABEL]: MANAGED_BY,
        [ENVIRONMENT_LABEL]: props.environment.name,
        [SERVICE_LABEL]: props.service,
      },
    });
    this.environment = props.environment;
    this.environmentName = props.environment.name;
    this.service = props.service;
    this.wave = props.wave;
  }

  /** Wave of the Application that syncs this service's folder. */
  get folderWave(): number {
    return this.wave + FOLDER_WAVE_OFFSET;
  }

  /** Used when `cdk8s synth`-style tooling asks the chart directly; synth itself goes through render.ts. */
  override toJson(): any[] {
    return super.toJson().map(normalizeObject);
  }
}
