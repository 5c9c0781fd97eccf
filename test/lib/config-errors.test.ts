import { describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { ConfigError, ConfigErrors, formatValue } from '../../charts/lib/config-errors.ts';
import { testChart } from '../helpers.ts';

describe('ConfigErrors', () => {
  it('names the environment, construct path, field, value and fix', () => {
    const chart = testChart('prod', 'storage');
    const construct = new Construct(chart, 'Storage');
    const errors = ConfigErrors.of(construct);
    errors.add({ field: 'replicas', value: 4, problem: 'only 3 nodes have pools (worker-1, worker-2, worker-3)', fix: 'set replicas ≤ 3 or add pools' });
    expect(() => errors.throwIfAny()).toThrowError('prod › storage/Storage: replicas is 4 but only 3 nodes have pools (worker-1, worker-2, worker-3); set replicas ≤ 3 or add pools');
  });

  it('collects every problem and throws once', () => {
    const errors = new ConfigErrors('staging', 'environment');
    errors.check(false, { field: 'a', value: 'x', problem: 'p1', fix: 'f1' });
    errors.check(true, { field: 'b', value: 'y', problem: 'p2', fix: 'f2' });
    errors.check(false, { field: 'c', value: undefined, problem: 'p3', fix: 'f3' });
    expect(errors.count).toBe(2);
    try {
      errors.throwIfAny();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).messages).toEqual(['staging › environment: a is "x" but p1; f1', 'staging › environment: c is missing but p3; f3']);
    }
  });

  it('does not throw without problems', () => {
    expect(() => new ConfigErrors('prod', 'x').throwIfAny()).not.toThrow();
  });

  it('formats values', () => {
    expect(formatValue('a')).toBe('"a"');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(['x'])).toBe('["x"]');
    expect(formatValue(undefined)).toBe('missing');
  });
});
