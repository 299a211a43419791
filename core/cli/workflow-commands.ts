import type { WorkflowStatus } from '../engine/status.ts'
import type { StepInfo } from '../engine/steps-info.ts'
import { cancelWorkflows, forkWorkflow, resumeWorkflows } from '../management/control.ts'
import { getWorkflowStatus, listWorkflows, listWorkflowSteps } from '../management/inspect.ts'
import { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import { text, wholeNumber } from './args.ts'
import { type CliCommand, type CliContext, type OptionSpec, type ParsedArgs, type PositionalSpec, UsageError } from './command.ts'
import { DATABASE_OPTIONS, withSystem } from './connection.ts'
import { FILTER_OPTIONS, listInput } from './list-filters.ts'
import { cell, record, table, time, toJson } from './output.ts'

// `perdure workflow list|get|steps|cancel|resume|fork`: the management operations of core/management, on a
// system database reached by URL. Payloads are decoded with the default serializer, as a DBOSClient does.

const JSON_OPTION: OptionSpec = { name: 'json', description: 'Print compact JSON' }
const WORKFLOW_ID: PositionalSpec = { name: 'workflowID', description: 'the workflow ID', required: true }

/** The workflow ID argument: a command never acts on an empty one. */
function workflowID(args: ParsedArgs): string {
  const id = args.positionals[0]!
  if (id === '') throw new UsageError('The workflow ID must not be empty')
  return id
}

/** The workflow's status, or a usage error naming the ID: every command here acts on an existing workflow. */
async function existing(sys: SystemDatabase, serialization: Serialization, id: string): Promise<WorkflowStatus> {
  const status = await getWorkflowStatus(sys, serialization, id)
  if (!status) throw new UsageError(`No workflow with ID ${JSON.stringify(id)}`)
  return status
}

/** Workflows as a table: the columns that tell them apart, payloads left to `get`. */
function workflowTable(workflows: readonly WorkflowStatus[]): string {
  if (workflows.length === 0) return 'No workflows.\n'
  return table(
    ['WORKFLOW ID', 'NAME', 'STATUS', 'QUEUE', 'CREATED', 'APP VERSION'],
    workflows.map((w) => [w.workflowID, w.workflowName, w.status, w.queueName ?? '', time(w.createdAt), w.applicationVersion ?? '']),
  )
}

/** A listing: JSON with --json, else a table. */
export function printWorkflows(ctx: CliContext, args: ParsedArgs, workflows: readonly WorkflowStatus[]): void {
  ctx.out(args.options.json ? `${toJson(workflows)}\n` : workflowTable(workflows))
}

function stepsTable(steps: readonly StepInfo[]): string {
  if (steps.length === 0) return 'No steps recorded.\n'
  return table(
    ['ID', 'NAME', 'OUTPUT', 'ERROR', 'CHILD WORKFLOW', 'STARTED', 'COMPLETED'],
    steps.map((s) => [
      String(s.functionID), s.name, cell(s.output), s.error ? `${s.error.name}: ${s.error.message}` : '',
      s.childWorkflowID ?? '', time(s.startedAtEpochMs), time(s.completedAtEpochMs),
    ]),
  )
}

function statusRecord(w: WorkflowStatus): string {
  return record([
    ['Workflow ID', w.workflowID], ['Status', w.status], ['Name', w.workflowName], ['Class', w.workflowClassName],
    ['Config', w.workflowConfigName], ['Queue', w.queueName], ['Partition key', w.queuePartitionKey],
    ['Created', time(w.createdAt)], ['Updated', time(w.updatedAt)], ['Dequeued', time(w.dequeuedAt)],
    ['Deadline', time(w.deadlineEpochMS)], ['Timeout (ms)', w.timeoutMS], ['Executor', w.executorId],
    ['App version', w.applicationVersion], ['Recovery attempts', w.recoveryAttempts], ['User', w.authenticatedUser],
    ['Forked from', w.forkedFrom], ['Parent', w.parentWorkflowID], ['Input', w.input], ['Output', w.output],
    ['Error', w.error instanceof Error ? `${w.error.name}: ${w.error.message}` : w.error],
  ])
}

export const WORKFLOW_COMMANDS: readonly CliCommand[] = [
  {
    path: ['workflow', 'list'],
    summary: 'List workflows, oldest first (--sort-desc: newest first)',
    options: [{ name: 'limit', short: 'l', value: 'n', description: 'At most this many (default 10)' },
      { name: 'user', short: 'u', value: 'user', description: 'Only workflows run by this authenticated user' },
      { name: 'application-version', short: 'v', value: 'version', description: 'Only workflows of this application version' },
      ...FILTER_OPTIONS, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const input = { ...listInput(args, 10), authenticatedUser: text(args, 'user'), applicationVersion: text(args, 'application-version') }
      // A table shows no payloads, so it does not read them.
      const load = args.options.json ? {} : { loadInput: false, loadOutput: false }
      const workflows = await withSystem(ctx, args, { appName: text(args, 'application-name') },
        (sys) => listWorkflows(sys, new Serialization(), { ...input, ...load }))
      printWorkflows(ctx, args, workflows)
    },
  },
  {
    path: ['workflow', 'get'],
    summary: 'Show the status of a workflow, with its input and output',
    positionals: [WORKFLOW_ID],
    options: [JSON_OPTION, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const id = workflowID(args)
      const status = await withSystem(ctx, args, {}, (sys) => existing(sys, new Serialization(), id))
      ctx.out(args.options.json ? `${toJson(status)}\n` : statusRecord(status))
    },
  },
  {
    path: ['workflow', 'steps'],
    summary: 'List the recorded steps of a workflow',
    positionals: [WORKFLOW_ID],
    options: [JSON_OPTION, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const id = workflowID(args)
      const steps = await withSystem(ctx, args, {}, async (sys) => {
        const serialization = new Serialization()
        const found = await listWorkflowSteps(sys, serialization, id)
        if (!found) throw new UsageError(`No workflow with ID ${JSON.stringify(id)}`)
        return found
      })
      ctx.out(args.options.json ? `${toJson(steps)}\n` : stepsTable(steps))
    },
  },
  {
    path: ['workflow', 'cancel'],
    summary: 'Cancel a workflow: it is no longer run, retried or recovered (child workflows run on)',
    positionals: [WORKFLOW_ID],
    options: [JSON_OPTION, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const id = workflowID(args)
      const cancelled = await withSystem(ctx, args, {}, async (sys) => {
        await existing(sys, new Serialization(), id)
        return await cancelWorkflows(sys, { workflowID: id })
      })
      if (args.options.json) ctx.out(`${toJson({ cancelled })}\n`)
      else ctx.out(cancelled.length === 0 ? `Workflow ${id} had already finished: nothing to cancel.\n` : `Cancelled ${cancelled.join(', ')}\n`)
    },
  },
  {
    path: ['workflow', 'resume'],
    summary: 'Resume a workflow from its last recorded step, keeping its ID',
    positionals: [WORKFLOW_ID],
    options: [JSON_OPTION, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const id = workflowID(args)
      await withSystem(ctx, args, {}, (sys) => resumeWorkflows(sys, { workflowID: id }))
      ctx.out(args.options.json ? `${toJson({ workflowID: id })}\n` : `Resumed ${id}: an executor of the application runs it from its last recorded step\n`)
    },
  },
  {
    path: ['workflow', 'fork'],
    summary: 'Start a copy of a workflow that reuses its steps before --step and runs the rest',
    positionals: [WORKFLOW_ID],
    options: [
      { name: 'step', short: 'S', value: 'n', description: 'Run again from this step ID, as `workflow steps` lists them (required)' },
      { name: 'forked-workflow-id', short: 'f', value: 'id', description: 'ID of the new workflow (default: a random UUID)' },
      { name: 'application-version', short: 'v', value: 'version', description: 'Application version of the new workflow' },
      JSON_OPTION, ...DATABASE_OPTIONS,
    ],
    async run(ctx, args) {
      const id = workflowID(args)
      const step = text(args, 'step')
      if (step === undefined) throw new UsageError('Missing option --step <n>: the step to run again from')
      const startStep = wholeNumber('--step', step)
      const options = { newWorkflowID: text(args, 'forked-workflow-id'), applicationVersion: text(args, 'application-version') }
      const forked = await withSystem(ctx, args, {}, (sys) => forkWorkflow(sys, id, startStep, options))
      ctx.out(args.options.json ? `${toJson({ workflowID: forked })}\n` : `Forked ${id} from step ${startStep} as ${forked}\n`)
    },
  },
]
