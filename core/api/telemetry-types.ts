// The logger, span and span-attribute types DBOS 5.3 exports. DBOS.logger (a DBOSLogger) accepts every call a
// DLogger gets.

type AttributeValue =
  | string
  | number
  | boolean
  | Array<null | undefined | string>
  | Array<null | undefined | number>
  | Array<null | undefined | boolean>

interface Attributes {
  [attributeKey: string]: AttributeValue | undefined
}

interface SpanStatus {
  /** 0 unset, 1 ok, 2 error. */
  code: 0 | 1 | 2
  message?: string
}

/** A tracing span: its attributes, status and events. */
export type DBOSSpan = {
  setStatus(status: SpanStatus): DBOSSpan
  attributes: Attributes
  setAttribute(key: string, attribute: AttributeValue): DBOSSpan
  addEvent(name: string, attributesOrStartTime?: Attributes, timeStamp?: number): DBOSSpan
}

/** Metadata a log call may carry. */
export type ContextualMetadata = {
  includeContextMetadata?: boolean
  span?: DBOSSpan
}

/** The stack and original error given with an error log entry. */
export interface StackTrace {
  stack?: string
  error?: unknown
}

/** A logger DBOS can log through. */
export interface DLogger {
  info(logEntry: unknown, metadata?: ContextualMetadata): void
  debug(logEntry: unknown, metadata?: ContextualMetadata): void
  warn(logEntry: unknown, metadata?: ContextualMetadata): void
  error(inputError: unknown, metadata?: ContextualMetadata & StackTrace): void
}

/** How span attribute names are emitted: DBOS's original names ('legacy') or OpenTelemetry semantic conventions. */
export type OtelAttributeFormat = 'legacy' | 'semconv'
