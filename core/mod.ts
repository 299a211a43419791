// The public surface shared by every runtime entry point.
export { DBOS, type StartWorkflowParams } from './dbos.ts'
export type { DBOSConfig } from './config.ts'
export { type QueueParameters, type QueueRateLimit, type RegisterQueueOptions, WorkflowQueue } from './queue/workflow-queue.ts'
export type { EnqueueOptions } from './engine/engine.ts'
export type { DBOSLogger } from './logger.ts'
export type { WorkflowHandle } from './engine/handle.ts'
export type { WorkflowStatus } from './engine/status.ts'
export type { GetWorkflowsInput } from './management/list-input.ts'
export type { StepInfo } from './engine/steps-info.ts'
export type { StepConfig } from './engine/step.ts'
export type { StepStatus } from './engine/workflow-context.ts'
export type { WorkflowConfig } from './engine/registry.ts'
export type { DBOSSerializer } from './serialization/serializer.ts'
export * from './errors.ts'
export { DBOSDirectoryLockedError, type DirectoryHolder } from './sysdb/directory-locked-error.ts'
export type { Runtime } from './ports/runtime.ts'
export { HttpListenError } from './ports/http.ts'
export { createStreamToken, type StreamGrant } from './streams/token.ts'
export type { StreamRoutesOptions } from './streams/sse.ts'
export { DBOSClient, type DBOSClientConfig, type ClientEnqueueOptions, type ClientHandle } from './client/client.ts'
export { ConfiguredInstance } from './engine/configured-instance.ts'
export type { StartableMethods } from './decorators.ts'
export { Debouncer, type DebouncerConfig } from './debouncer/debouncer.ts'
export type { ScheduleConfig, ScheduleMode } from './scheduler/schedules.ts'
// Schedules (DBOS 5.3)
export type { ScheduledWorkflowFn, ScheduleOptions, WorkflowSchedule } from './management/schedules.ts'
// Exported types, the Error namespace and DebouncerClient (DBOS 5.3)
export * as Error from './error-namespace.ts'
export type {
  GetEventOptions, GetResultOptions, PollingOptions, ReadStreamOffsetOptions, ReadStreamOptions, RecvOptions,
  WaitAllOptions, WaitFirstOptions,
} from './api/wait-options.ts'
export {
  type InputSchema, type ListWorkflowStepsOptions, StatusString, type WorkflowIDReusePolicy, type WorkflowStatusString,
} from './api/workflow-types.ts'
export type { EnqueueWorkflowOptions } from './engine/enqueue-by-options.ts'
export type {
  AlertHandler, DBOSLifecycleCallback, ExternalRegistration, FunctionName, MethodRegistrationBase,
} from './engine/external-info.ts'
export type { SerializationRecipe } from './serialization/serializer.ts'
export type { ContextualMetadata, DBOSSpan, DLogger, OtelAttributeFormat, StackTrace } from './api/telemetry-types.ts'
export type { SetWorkflowDelayOptions } from './management/queue-place.ts'
export type { VersionInfo } from './management/application-versions.ts'
export type { RenamedRows as ApplicationRowCounts } from './sysdb/application-rename.ts'
export { DebouncerClient, type DebouncerClientConfig } from './client/debouncer-client.ts'
