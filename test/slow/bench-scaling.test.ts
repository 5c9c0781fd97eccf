import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { sandboxScaling } from '../../tools/bench.ts';

describe('bench: sandbox scaling', () => {
  it('stays linear: the same objects per sandbox, and the last step costs no more per sandbox than ~the first', () => {
    const scaling = sandboxScaling(ENVIRONMENTS, [0, 40, 120], 3);
    const [none, some, more] = scaling.figures;
    expect(more!.objects - some!.objects).toBe(2 * (some!.objects - none!.objects));
    // Generous (shared CI machines are noisy); a quadratic cost makes this ratio ≈ 4.
    expect(scaling.curvature).toBeLessThan(2.5);
  });
});
