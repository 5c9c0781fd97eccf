import { describe, expect, it } from 'vitest';
import { formatGateErrors } from '../../gate/gate.ts';
import { baselineWithWaivers } from './fixture.ts';

describe('the corpus baseline (committed dist/ plus the demo service)', () => {
  it("passes the gate with synth's waivers", () => {
    expect(formatGateErrors(baselineWithWaivers().errors)).toBe('');
  });
});
