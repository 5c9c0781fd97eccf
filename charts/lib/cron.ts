/**
 * Kubernetes CronJob schedules (five fields: minute hour day-of-month month day-of-week), read
 * the way the CronJob controller reads them: it uses robfig/cron v3's standard parser
 * (kubernetes v1.28 pkg/controller/cronjob/utils.go → cron.ParseStandard). We need one thing from
 * a schedule: the longest gap between two runs, so a staleness alert can fire at twice that gap.
 */

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

/** The values of one field: `*`, `n`, `a-b`, `*\/s`, `a-b/s`, and comma lists of those (robfig/cron's getRange). */
function parseField(text: string, min: number, max: number, name: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`the ${name} field "${text}" is not a number, a range, "*" or a step`);
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    let [low, high] = range === '*' ? [min, max] : (range!.split('-').map(Number) as [number, number?]);
    // `n/s` means n to the maximum in steps of s (robfig/cron), `n` alone is just n
    if (high === undefined) high = stepText === undefined ? low : max;
    if (low < min || high > max || low > high || step < 1) throw new Error(`the ${name} field "${text}" is outside ${min}-${max}`);
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

/**
 * Parses a schedule whose runs repeat every week: day-of-month and month must be `*` (a monthly or
 * yearly schedule would need a calendar to size its alert, and backups are not that rare).
 * Throws an Error whose message completes "schedule is "…" but …".
 */
export function parseWeeklySchedule(schedule: string): CronSchedule {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`it has ${fields.length} fields, not the five of a Kubernetes CronJob (minute hour day-of-month month day-of-week)`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  if (dayOfMonth !== '*' || month !== '*') throw new Error('only schedules that repeat every week are supported (day-of-month and month "*")');
  const minutes = parseField(minute, FIELDS[0].min, FIELDS[0].max, FIELDS[0].name);
  const hours = parseField(hour, FIELDS[1].min, FIELDS[1].max, FIELDS[1].name);
  // robfig/cron accepts 7 for Sunday too
  const daysOfWeek = new Set([...parseField(dayOfWeek.replace(/\b7\b/g, '0'), 0, FIELDS[4].max, FIELDS[4].name)]);
  return { minutes, hours, daysOfWeek };
}

/** The longest time, in minutes, between two consecutive runs of a weekly schedule. */
export function longestGapMinutes(schedule: CronSchedule): number {
  const week = 7 * 24 * 60;
  const runs: number[] = [];
  for (let day = 0; day < 7; day++) {
    if (!schedule.daysOfWeek.has(day)) continue;
    for (const hour of [...schedule.hours].sort((a, b) => a - b)) {
      for (const minute of [...schedule.minutes].sort((a, b) => a - b)) runs.push(day * 1440 + hour * 60 + minute);
    }
  }
  let longest = 0;
  runs.forEach((run, i) => {
    const next = i + 1 < runs.length ? runs[i + 1]! : runs[0]! + week;
    longest = Math.max(longest, next - run);
  });
  return longest;
}
