import * as v from 'valibot'
import { cancelWorkflows, forkWorkflow, resumeWorkflows } from '../management/control.ts'
import { sendMessage } from '../management/send.ts'
import { existing } from './read-tools.ts'
import { type McpTool, tool } from './tool.ts'

const workflowID = v.pipe(v.string(), v.minLength(1, 'must not be empty'))
const WORKFLOW_ID = { type: 'string', description: 'The workflow ID' }
const ONE_WORKFLOW = { type: 'object', properties: { workflow_id: WORKFLOW_ID }, required: ['workflow_id'], additionalProperties: false } as const

const forkArgs = v.strictObject({
  workflow_id: workflowID,
  start_step: v.pipe(v.number(), v.integer(), v.minValue(0)),
  new_workflow_id: v.optional(workflowID),
  application_version: v.optional(v.string()),
})

const sendArgs = v.strictObject({
  workflow_id: workflowID,
  message: v.pipe(v.unknown(), v.check((m) => m !== undefined, 'is required')),
  topic: v.optional(v.string()),
  idempotency_key: v.optional(v.string()),
})

/** The tools that change the database: offered only when writes are allowed. */
export const WRITE_TOOLS: readonly McpTool[] = [
  tool({
    name: 'cancel_workflow',
    description: 'Cancels a workflow (with cancel_children, its descendant workflows too): it is no longer run, ' +
      'retried or recovered. Returns JSON { cancelled: [IDs] } (empty when nothing was left to cancel).',
    inputSchema: {
      type: 'object',
      properties: {
        workflow_id: WORKFLOW_ID,
        cancel_children: { type: 'boolean', description: 'Also cancel the workflows it started, and theirs (default false)' },
      },
      required: ['workflow_id'],
      additionalProperties: false,
    },
    args: v.strictObject({ workflow_id: workflowID, cancel_children: v.optional(v.boolean(), false) }),
    write: true,
    async run(deps, a) {
      await existing(deps, a.workflow_id)
      const options = { cancelChildren: a.cancel_children }
      return { cancelled: await cancelWorkflows(deps.sys(), { workflowID: a.workflow_id }, deps.effects?.(), options) }
    },
  }),
  tool({
    name: 'resume_workflow',
    description: 'Resumes a workflow (cancelled, failed past its recovery attempts, or stuck) from its last ' +
      'recorded step, under the same ID; an executor of the application runs it. Returns JSON { resumed: ID }.',
    inputSchema: ONE_WORKFLOW,
    args: v.strictObject({ workflow_id: workflowID }),
    write: true,
    async run(deps, a) {
      await resumeWorkflows(deps.sys(), { workflowID: a.workflow_id }, deps.effects?.())
      return { resumed: a.workflow_id }
    },
  }),
  tool({
    name: 'fork_workflow',
    description: 'Starts a new workflow from an existing one: steps before start_step are copied with their ' +
      'recorded outputs, the rest run again (list_steps gives the step IDs). Returns JSON { workflowID } of the new workflow.',
    inputSchema: {
      type: 'object',
      properties: {
        workflow_id: { type: 'string', description: 'The workflow to fork' },
        start_step: { type: 'integer', minimum: 0, description: 'The first step (functionID) to run again' },
        new_workflow_id: { type: 'string', description: 'The new workflow\'s ID (default: a random UUID)' },
        application_version: { type: 'string', description: 'The application version to run it (default: the original\'s)' },
      },
      required: ['workflow_id', 'start_step'],
      additionalProperties: false,
    },
    args: forkArgs,
    write: true,
    async run(deps, a: v.InferOutput<typeof forkArgs>) {
      const options = {
        ...(a.new_workflow_id === undefined ? {} : { newWorkflowID: a.new_workflow_id }),
        ...(a.application_version === undefined ? {} : { applicationVersion: a.application_version }),
      }
      return { workflowID: await forkWorkflow(deps.sys(), a.workflow_id, a.start_step, options, deps.effects?.()) }
    },
  }),
  tool({
    name: 'send_message',
    description: 'Sends a message to a workflow (it receives it with DBOS.recv on the same topic). With an ' +
      'idempotency_key, sending again with the same key delivers it once. Returns JSON { sent: true }.',
    inputSchema: {
      type: 'object',
      properties: {
        workflow_id: { type: 'string', description: 'The receiving workflow' },
        message: { description: 'The message: any JSON value' },
        topic: { type: 'string', description: 'The topic (default: none)' },
        idempotency_key: { type: 'string', description: 'Delivers the message once however often it is sent' },
      },
      required: ['workflow_id', 'message'],
      additionalProperties: false,
    },
    args: sendArgs,
    write: true,
    async run(deps, a: v.InferOutput<typeof sendArgs>) {
      await sendMessage(deps.sys(), deps.serialization(), {
        destinationID: a.workflow_id, message: a.message, topic: a.topic, idempotencyKey: a.idempotency_key,
      }, deps.signals?.())
      return { sent: true }
    },
  }),
]
