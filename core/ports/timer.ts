/** Time and timers. Timers never keep the process alive: shutting down must not wait on them. */
export interface TimerPort {
  /** Epoch milliseconds. */
  now(): number
  /** Calls fn after ms (clamped to the platform maximum by the caller); returns a cancel function. Unref'd. */
  schedule(ms: number, fn: () => void): () => void
}
