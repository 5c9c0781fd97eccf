import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { withSandboxUsers } from '../../tools/bench-users.ts';
import { build } from '../helpers.ts';

describe('bench: generated sandbox users', () => {
  it('produce real objects, the same number per user', () => {
    const count = (n: number) => build(withSandboxUsers(ENVIRONMENTS, n, '2026-12-31')).manifests.length;
    const [none, one, three] = [count(0), count(1), count(3)];
    expect(one).toBeGreaterThan(none);
    expect(three - none).toBe(3 * (one - none));
    // The real environments are left alone.
    expect(ENVIRONMENTS.find((env) => env.name === 'sandbox')!.sandboxUsers!.map((u) => u.github)).not.toContain('bench-user-0');
  });
});
