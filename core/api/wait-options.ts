// Options of the calls that wait on the system database, shaped as DBOS 5.3 exports them.

/** Options of the calls that poll the system database while they wait. */
export interface PollingOptions {
  /** Milliseconds between polls of the system database; positive and finite. */
  pollingIntervalMs?: number
}

/** Options of `DBOS.getResult` and a handle's `getResult`. */
export interface GetResultOptions extends PollingOptions {
  /** Give up (resolve null) after this many seconds. */
  timeoutSeconds?: number
  /** Give up (resolve null) at this instant, in epoch milliseconds. */
  deadlineEpochMS?: number
}

/** Options of `DBOS.waitFirst`. */
export type WaitFirstOptions = PollingOptions

/** Options of `DBOS.waitAll`. */
export type WaitAllOptions = PollingOptions

/** Options of `DBOS.recv`. */
export interface RecvOptions extends PollingOptions {
  /** Resolve null when no message arrives within this many seconds (default 60). */
  timeoutSeconds?: number
  /** Resolve null when no message arrives by this instant, in epoch milliseconds. */
  deadlineEpochMS?: number
}

/** Options of `DBOS.getEvent`. */
export interface GetEventOptions extends PollingOptions {
  /** Resolve null when the event is not set within this many seconds (default 60). */
  timeoutSeconds?: number
  /** Resolve null when the event is not set by this instant, in epoch milliseconds. */
  deadlineEpochMS?: number
}

/** Options of `DBOS.readStream` and `DBOSClient.readStream`. */
export interface ReadStreamOptions extends PollingOptions {
  /** The offset to start reading from (default 0, the start of the stream). */
  offset?: number
  /**
   * Seconds to wait for each value before throwing DBOSStreamTimeoutError; the clock restarts with every value.
   * Waits indefinitely when unset.
   */
  timeoutSeconds?: number
}

/** Options of `readStreamOffset`: those of readStream without the offset, which is an argument. */
export type ReadStreamOffsetOptions = Omit<ReadStreamOptions, 'offset'>
