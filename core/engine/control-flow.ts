import { DBOSExecutorNotInitializedError } from '../errors.ts'

/**
 * Internal: aborts executions when DBOS shuts down. Users should never see this object; what they see is
 * the DBOSExecutorNotInitializedError it turns into. The workflow row stays PENDING for recovery.
 */
export class ShutdownSignal {
  toError(): Error {
    return new DBOSExecutorNotInitializedError('DBOS was shut down while this workflow was running; it will be recovered at the next launch')
  }
}
