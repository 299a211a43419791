// Types DBOS 5.3 exports for code that extends DBOS: lifecycle callbacks, alert handlers, registration
// records for event receivers, function names, serialization recipes and the span attribute format.
import type { StepConfig } from '../engine/step.ts'
import type { WorkflowConfig } from '../engine/registry.ts'

/** Receives alerts: their name, message and key-value metadata. */
export type AlertHandler = (name: string, message: string, metadata: Record<string, string>) => Promise<void>

/** A participant in DBOS's launch and shutdown. */
export interface DBOSLifecycleCallback {
  /** Called during DBOS.launch(). */
  initialize?(): Promise<void>
  /** Called at shutdown, to close connections and free resources. */
  destroy?(): Promise<void>
  /** Called by DBOS.logRegisteredEndpoints(): log what this participant has registered. */
  logRegisteredEndpoints?(): void
}

/** The name of a registered function, as logs and the system database record it. */
export interface FunctionName {
  /** The function's name; the function's own `name` when unset. */
  name?: string
  /** The class name; taken from `ctorOrProto` when unset, else empty. */
  className?: string
  /** For a method: the class (static methods) or its prototype (instance methods). */
  ctorOrProto?: object
}

type AnyConstructor = new (...args: unknown[]) => object

/** What an event receiver sees of a registered method. */
export interface MethodRegistrationBase {
  name: string
  className: string
  workflowConfig?: WorkflowConfig
  stepConfig?: StepConfig
  isInstance: boolean
  /** Information external libraries associated with the method, by library. */
  externalRegInfo: Map<AnyConstructor | object | string, unknown>
  // deno-lint-ignore ban-types
  wrappedFunction: Function | undefined
  // deno-lint-ignore ban-types
  registeredFunction: Function | undefined
  // deno-lint-ignore ban-types
  origFunction: Function
  invoke(pthis: unknown, args: unknown[]): unknown
}

/** A method an external library associated information with, and that information. */
export interface ExternalRegistration {
  classConfig?: unknown
  methodConfig?: unknown
  methodReg: MethodRegistrationBase
}

/** A value JSON can carry. */
type JSONValue = string | number | boolean | undefined | null | JSONValue[] | { [key: string]: JSONValue }

/** Teaches the default serializer a type: how to recognise its values and turn them into JSON and back. */
export type SerializationRecipe<T, S extends JSONValue> = {
  name: string
  isApplicable: (v: unknown) => v is T
  serialize: (v: T) => S
  deserialize: (s: S) => T
}

/** How span attribute names are emitted: DBOS's original names ('legacy') or OpenTelemetry semantic conventions. */
export type OtelAttributeFormat = 'legacy' | 'semconv'
