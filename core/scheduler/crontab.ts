import { Cron } from 'croner'
import { DBOSError } from '../errors.ts'

/**
 * Parses a crontab as docs/sysdb.md §7.2 reads it: 5 fields, or 6 with a leading seconds field; names, `*`, ranges,
 * steps, lists, `?` (same as `*`), weekday 7 for Sunday and the `@daily`-style nicknames. Day of month and
 * day of week must both match. Throws DBOSError naming the problem.
 * @param timezone IANA zone the times are evaluated in; local time when absent.
 * @returns a croner instance used only to compute times (it has no callback, so it never starts a timer).
 */
export function parseCrontab(crontab: string, timezone?: string | null): Cron {
  if (typeof crontab !== 'string') {
    throw new DBOSError(`Invalid crontab ${String(crontab)}: a crontab is a string such as '*/30 * * * * *'`)
  }
  let cron: Cron
  try {
    cron = new Cron(crontab, {
      domAndDow: true,
      mode: '5-or-6-parts',
      ...(timezone ? { timezone } : {}),
    })
  } catch (e) {
    const reason = (e as Error).message.replace(/^CronPattern: /, '')
    throw new DBOSError(`Invalid crontab '${crontab}': ${reason}`, 1, { cause: e })
  }
  // croner also accepts an ISO date for a one-off run; a schedule needs a repeating pattern.
  if (cron.getPattern() === undefined) {
    throw new DBOSError(`Invalid crontab '${crontab}': this is a date, not a repeating cron pattern`)
  }
  if (cron.nextRun(new Date(0)) === null) {
    throw new DBOSError(`Invalid crontab '${crontab}': no date ever matches it (check the day and month fields)`)
  }
  return cron
}

/** The first time after `after` (exclusive, whole seconds) that the crontab matches, or null if none. */
export function nextSlot(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null
}
