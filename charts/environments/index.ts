import { prod } from './prod.ts';
import { sandbox } from './sandbox.ts';
import { staging } from './staging.ts';
import type { Environment } from './types.ts';

/** Every environment synth renders, in this order. */
export const ENVIRONMENTS: readonly Environment[] = [prod, staging, sandbox];
