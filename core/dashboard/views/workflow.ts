import { displayText, errorText } from '../../admin/workflow-json.ts'
import type { WorkflowStatus } from '../../engine/status.ts'
import type { StepInfo } from '../../engine/steps-info.ts'
import type { ExtraColumns, StatusRow } from '../../sysdb/system-database.ts'
import { ACTIVE_STATUSES, badge, duration, orDash, time, workflowLink } from './format.ts'
import { h, type Html } from './html.ts'
import { jsonTree } from './json-tree.ts'
import { timeline, timelineRange } from './timeline.ts'

/** What a workflow's page shows, read before rendering. */
export interface WorkflowPage {
  row: StatusRow
  extra: ExtraColumns | undefined
  status: WorkflowStatus
  /** The first `stepLimit` steps; `moreSteps` says that others follow. */
  steps: readonly StepInfo[]
  stepLimit: number
  moreSteps: boolean
  activity: Activity
  now: number
}

/** What a workflow published and received, decoded for display; each list is cut at `limit`. */
export interface Activity {
  limit: number
  events: readonly { key: string; text: string }[]
  moreEvents: boolean
  /** Each stream's count of values (without the close marker) and whether it is closed. */
  streams: readonly { key: string; values: number; closed: boolean }[]
  moreStreams: boolean
  messages: readonly { topic: string | null; consumed: boolean; consumedBy: number | null; createdAt: number; text: string }[]
  moreMessages: boolean
}

/** Statuses a workflow can be resumed from. */
const RESUMABLE = new Set(['CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'ERROR'])

function actions(status: string): Html {
  const cancel = ACTIVE_STATUSES.has(status) ? h`<button data-action="cancel">Cancel</button>` : ''
  const resume = RESUMABLE.has(status) ? h`<button data-action="resume">Resume</button>` : ''
  return h`<div class="actions">${cancel}${resume}<button data-action="fork" data-step="0" title="Fork a new workflow that runs again from its first step">Restart</button><button class="danger" data-action="delete">Delete</button></div>`
}

function property(label: string, value: Html): Html {
  return h`<div><dt>${label}</dt><dd>${value}</dd></div>`
}

function properties(p: WorkflowPage): Html {
  const { row, extra, status } = p
  const finished = extra?.completed_at ?? (ACTIVE_STATUSES.has(row.status) ? null : row.updated_at)
  const took = finished !== null && finished !== undefined ? duration(Number(finished) - Number(row.created_at)) : undefined
  return h`<dl class="props">
${property('Name', orDash(status.workflowName))}
${status.workflowClassName ? property('Class', h`${status.workflowClassName}${status.workflowConfigName ? ` / ${status.workflowConfigName}` : ''}`) : ''}
${property('Queue', orDash(status.queueName))}
${property('Created', time(row.created_at))}
${property('Updated', time(row.updated_at))}
${property('Duration', orDash(took))}
${property('Recovery attempts', orDash(status.recoveryAttempts))}
${property('Executor', orDash(status.executorId))}
${property('Application version', orDash(status.applicationVersion))}
${status.parentWorkflowID ? property('Parent', workflowLink(status.parentWorkflowID)) : ''}
${status.forkedFrom ? property('Forked from', workflowLink(status.forkedFrom)) : ''}
${status.deduplicationID ? property('Deduplication ID', h`${status.deduplicationID}`) : ''}
${status.queuePartitionKey ? property('Partition', h`${status.queuePartitionKey}`) : ''}
${status.timeoutMS !== undefined ? property('Timeout', h`${duration(status.timeoutMS)}`) : ''}
${status.authenticatedUser ? property('User', h`${status.authenticatedUser}`) : ''}
${extra?.schedule_name ? property('Schedule', h`${extra.schedule_name}`) : ''}
</dl>`
}

function payloads(status: WorkflowStatus): Html {
  const input = status.input === undefined ? h`<p class="muted">not recorded</p>` : jsonTree(displayText(status.input))
  const result = status.error !== undefined
    ? h`<section class="payload error"><h3>Error</h3>${jsonTree(errorText(status.error))}</section>`
    : status.output !== undefined
      ? h`<section class="payload"><h3>Output</h3>${jsonTree(displayText(status.output))}</section>`
      : ''
  return h`<div class="payloads"><section class="payload"><h3>Input</h3>${input}</section>${result}</div>`
}

function more(shown: number, cut: boolean): Html | '' {
  return cut ? h`<p class="muted">The first ${String(shown)} are shown.</p>` : ''
}

function events(a: Activity): Html {
  if (a.events.length === 0) return h`<p class="muted">None published.</p>`
  const rows = a.events.map((e) => h`<tr data-event="${e.key}"><td><code>${e.key}</code></td><td>${jsonTree(e.text)}</td></tr>`)
  return h`<table class="list kv"><thead><tr><th>Key</th><th>Latest value</th></tr></thead><tbody>${rows}</tbody></table>${more(a.limit, a.moreEvents)}`
}

function streams(a: Activity): Html {
  if (a.streams.length === 0) return h`<p class="muted">None written.</p>`
  const rows = a.streams.map((st) => h`<tr data-stream="${st.key}"><td><code>${st.key}</code></td><td class="num">${String(st.values)}</td><td>${st.closed ? 'closed' : h`<span class="muted">open</span>`}</td><td><button class="small" data-tail="${st.key}">Tail</button></td></tr>`)
  return h`<table class="list kv"><thead><tr><th>Key</th><th>Values</th><th>State</th><th></th></tr></thead><tbody>${rows}</tbody></table>${more(a.limit, a.moreStreams)}`
}

function messages(a: Activity): Html {
  if (a.messages.length === 0) return h`<p class="muted">None sent to it.</p>`
  const rows = a.messages.map((m) => h`<tr class="message"><td>${m.topic === null ? h`<span class="muted">no topic</span>` : h`<code>${m.topic}</code>`}</td><td>${time(m.createdAt)}</td><td>${m.consumed ? (m.consumedBy === null ? 'received' : h`received by step ${String(m.consumedBy)}`) : h`<span class="muted">waiting</span>`}</td><td>${jsonTree(m.text)}</td></tr>`)
  return h`<table class="list kv"><thead><tr><th>Topic</th><th>Sent</th><th>State</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>${more(a.limit, a.moreMessages)}`
}

/** A workflow's page (without the stream tail's panel, which the shell keeps across refreshes). */
export function workflowPage(p: WorkflowPage): Html {
  const { row, steps, activity, now } = p
  const active = ACTIVE_STATUSES.has(row.status)
  const last = active ? now : Math.max(Number(row.updated_at), Number(p.extra?.completed_at ?? 0))
  const range = timelineRange(Number(row.created_at), last, steps)
  return h`<article class="workflow" data-id="${row.workflow_uuid}" data-status="${row.status}"${active ? h` data-active` : ''}>
<header class="wf-head"><h2 class="id">${row.workflow_uuid}</h2>${badge(row.status)}${actions(row.status)}</header>
${properties(p)}
${payloads(p.status)}
<section><h3>Steps <span class="muted">(${String(steps.length)}${p.moreSteps ? '+' : ''})</span></h3>${timeline(steps, range, now, true)}${more(p.stepLimit, p.moreSteps)}</section>
<div class="activity">
<section class="panel" id="events"><h3>Events <span class="muted">(${String(activity.events.length)}${activity.moreEvents ? '+' : ''})</span></h3>${events(activity)}</section>
<section class="panel" id="streams"><h3>Streams <span class="muted">(${String(activity.streams.length)}${activity.moreStreams ? '+' : ''})</span></h3>${streams(activity)}</section>
</div>
<section class="panel" id="messages"><h3>Messages <span class="muted">(${String(activity.messages.length)}${activity.moreMessages ? '+' : ''})</span></h3>${messages(activity)}</section>
</article>`
}
