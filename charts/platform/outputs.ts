import type { ExtraOutputGenerator } from '../app/extra-outputs.ts';
import { omniAccessPolicyFiles } from './cluster-access/cluster-access.ts';

/** Every generator of non-Kubernetes files under dist/ (beside the environment folders). */
export const EXTRA_OUTPUTS: readonly ExtraOutputGenerator[] = [omniAccessPolicyFiles];
