import { describe, expect, it } from 'vitest';
import { longestGapMinutes, parseWeeklySchedule } from '../../charts/lib/cron.ts';

const gap = (schedule: string) => longestGapMinutes(parseWeeklySchedule(schedule));

describe('cron schedules (robfig/cron standard syntax, as the CronJob controller reads them)', () => {
  it('finds the longest gap between runs, across midnight and the week', () => {
    expect(gap('15 2 * * *')).toBe(24 * 60);
    expect(gap('15 */6 * * *')).toBe(6 * 60);
    expect(gap('0 1,5 * * *')).toBe(20 * 60);
    expect(gap('*/20 * * * *')).toBe(20);
    expect(gap('0 3 * * 1-5')).toBe(3 * 24 * 60);
    expect(gap('0 3 * * 0')).toBe(7 * 24 * 60);
    // 7 is Sunday too; `5/15` runs at 5, 20, 35, 50
    expect(gap('0 3 * * 7')).toBe(7 * 24 * 60);
    expect(gap('5/15 * * * *')).toBe(15);
  });

  it('refuses what it cannot size', () => {
    expect(() => parseWeeklySchedule('@daily')).toThrow('it has 1 fields, not the five of a Kubernetes CronJob (minute hour day-of-month month day-of-week)');
    expect(() => parseWeeklySchedule('0 3 1 * *')).toThrow('only schedules that repeat every week are supported (day-of-month and month "*")');
    expect(() => parseWeeklySchedule('0 24 * * *')).toThrow('the hour field "24" is outside 0-23');
    expect(() => parseWeeklySchedule('0 x * * *')).toThrow('the hour field "x" is not a number, a range, "*" or a step');
  });
});
