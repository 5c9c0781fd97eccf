import { describe, expect, it } from 'vitest';
import { formatGateErrors } from '../../charts/lib/validation/gate.ts';
import { baseTree, gate } from './fixture.ts';

describe('the corpus baseline', () => {
  it('passes the gate', () => {
    const report = gate(baseTree());
    expect(formatGateErrors(report.errors)).toBe('');
  });
});
