import type { DatabasePort } from '../ports/database.ts'
import type { TimerPort } from '../ports/timer.ts'
import type { DBOSLogger } from '../logger.ts'

/** Perdure's own channel: payload = a queue name whose work changed (enqueued, or a slot freed). */
export const QUEUE_CHANNEL = 'perdure_queue_channel'

/**
 * Coalesced NOTIFY (spec §1.2): payloads collect per channel and go out together every `coalesceMs` in one
 * statement. A failed flush drops its batch; listeners also poll, so nothing is lost but latency.
 */
export class Notifier {
  readonly #pending = new Map<string, Set<string>>()
  readonly #db: DatabasePort
  readonly #timer: TimerPort
  readonly #logger: DBOSLogger
  readonly #coalesceMs: number
  #scheduled = false
  #flushing: Promise<void> = Promise.resolve()

  constructor(db: DatabasePort, timer: TimerPort, logger: DBOSLogger, coalesceMs = 10) {
    this.#db = db
    this.#timer = timer
    this.#logger = logger
    this.#coalesceMs = coalesceMs
  }

  notify(channel: string, payload: string): void {
    const set = this.#pending.get(channel) ?? new Set<string>()
    set.add(payload)
    this.#pending.set(channel, set)
    if (this.#scheduled) return
    this.#scheduled = true
    this.#timer.schedule(this.#coalesceMs, () => {
      this.#scheduled = false
      this.#flushing = this.#flushing.then(() => this.flush())
    })
  }

  /** Sends everything pending now (also called once more at shutdown). */
  async flush(): Promise<void> {
    const batches = [...this.#pending]
    this.#pending.clear()
    for (const [channel, payloads] of batches) {
      try {
        await this.#db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [channel, [...payloads]])
      } catch (e) {
        // Dropped on purpose: waiters poll as well, so a lost notification only costs latency.
        this.#logger.debug(`NOTIFY on ${channel} failed: ${(e as Error).message}`)
      }
    }
  }

  async close(): Promise<void> {
    await this.#flushing
    await this.flush()
  }
}
