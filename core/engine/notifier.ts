import type { DBOSLogger } from '../logger.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/** Perdure's own channel: payload = a queue name whose work changed (enqueued, or a slot freed). */
export const QUEUE_CHANNEL = 'perdure_queue_channel'

/**
 * NOTIFY for this process's own writes (docs/sysdb.md §1.2). A payload goes out at once when nothing is being sent;
 * payloads that arrive meanwhile share the next statement (one `sys.notify` per channel), the group-commit
 * rule the checkpoints follow. A failed flush drops its batch; listeners also poll, so nothing is lost but
 * latency.
 */
export class Notifier {
  readonly #pending = new Map<string, Set<string>>()
  readonly #sys: SystemDatabase
  readonly #logger: DBOSLogger
  #flushing: Promise<void> | undefined

  constructor(sys: SystemDatabase, logger: DBOSLogger) {
    this.#sys = sys
    this.#logger = logger
  }

  notify(channel: string, payload: string): void {
    const set = this.#pending.get(channel) ?? new Set<string>()
    set.add(payload)
    this.#pending.set(channel, set)
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined
    })
  }

  async #drain(): Promise<void> {
    // Let payloads queued in this same tick join the first statement.
    await Promise.resolve()
    while (this.#pending.size > 0) await this.flush()
  }

  /** Sends everything pending now. */
  async flush(): Promise<void> {
    const batches = [...this.#pending]
    this.#pending.clear()
    for (const [channel, payloads] of batches) {
      try {
        await this.#sys.notify(channel, [...payloads])
      } catch (e) {
        // Dropped on purpose: waiters poll as well, so a lost notification only costs latency.
        this.#logger.debug(`NOTIFY on ${channel} failed: ${(e as Error).message}`)
      }
    }
  }

  /** Sends what is left (at shutdown). */
  async close(): Promise<void> {
    await this.#flushing
    await this.flush()
  }
}
