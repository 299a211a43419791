import type { TimerPort } from '../ports/timer.ts'

/** DBOS's notification channels (docs/sysdb.md §1.2); every payload is `<workflow ID>::<key>`. */
export const MESSAGES_CHANNEL = 'dbos_notifications_channel'
export const EVENTS_CHANNEL = 'dbos_workflow_events_channel'
export const STREAMS_CHANNEL = 'dbos_streams_channel'
/** Local only: a workflow started or finished running in this process. */
export const LOCAL_RUN = 'perdure_local_run'

/** A pending wait: `done` resolves on a signal, the timeout or cancel(); it never rejects. */
export interface Wait {
  readonly done: Promise<void>
  cancel(): void
}

/**
 * In-process wake-ups keyed by channel and payload, fed by LISTEN and by this process's own writes.
 * Waiters register before they read, so a signal between the read and the wait is never lost; every wait
 * also times out, because a NOTIFY can be missed and polling is the fallback.
 */
export class Signals {
  readonly #waiters = new Map<string, Set<() => void>>()
  readonly #timer: TimerPort

  constructor(timer: TimerPort) {
    this.#timer = timer
  }

  /** Wakes every waiter of (channel, payload). */
  signal(channel: string, payload: string): void {
    const key = `${channel}\u0000${payload}`
    const set = this.#waiters.get(key)
    if (!set) return
    this.#waiters.delete(key)
    for (const wake of set) wake()
  }

  /** Registers a wait for (channel, payload) of at most `ms`, cut short by `abort` as well. */
  wait(channel: string, payload: string, ms: number, abort?: AbortSignal): Wait {
    const key = `${channel}\u0000${payload}`
    let finish: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      let cancelTimer: () => void = () => {}
      finish = () => {
        cancelTimer()
        abort?.removeEventListener('abort', finish)
        const set = this.#waiters.get(key)
        set?.delete(finish)
        if (set?.size === 0) this.#waiters.delete(key)
        resolve()
      }
      cancelTimer = this.#timer.schedule(Math.max(0, ms), finish)
    })
    const set = this.#waiters.get(key) ?? new Set()
    set.add(finish)
    this.#waiters.set(key, set)
    abort?.addEventListener('abort', finish, { once: true })
    return { done, cancel: finish }
  }
}
