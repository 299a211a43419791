import type { WorkflowSchedule } from '../../management/schedules.ts'
import { orDash, time } from './format.ts'
import { h, type Html } from './html.ts'

function status(s: WorkflowSchedule): Html {
  const tone = s.status === 'ACTIVE' ? 'active' : s.status === 'PAUSED' ? 'paused' : 'other'
  return h`<span class="badge ${tone}">${s.status}</span>`
}

function actions(s: WorkflowSchedule): Html {
  const toggle = s.status === 'PAUSED'
    ? h`<button class="small" data-do="resume" data-schedule="${s.scheduleName}">Resume</button>`
    : h`<button class="small" data-do="pause" data-schedule="${s.scheduleName}">Pause</button>`
  return h`<div class="row-actions">${toggle}<button class="small" data-do="trigger" data-schedule="${s.scheduleName}" title="Enqueue one run now, outside the crontab">Trigger</button></div>`
}

function workflow(s: WorkflowSchedule): Html {
  return s.workflowClassName ? h`${s.workflowClassName}.${s.workflowName}` : h`${s.workflowName}`
}

function row(s: WorkflowSchedule): Html {
  const fired = s.lastFiredAt === null ? null : Date.parse(s.lastFiredAt)
  // Without a zone, each executor reads the crontab in its own local time; without an owner, every application runs it.
  return h`<tr data-schedule="${s.scheduleName}" data-status="${s.status}">
<td>${s.scheduleName}</td><td>${workflow(s)}</td><td><code>${s.schedule}</code></td><td>${s.cronTimezone ?? h`<span class="muted">executor's local</span>`}</td>
<td>${status(s)}</td><td>${time(fired)}</td><td>${orDash(s.queueName)}</td><td>${s.applicationName ?? h`<span class="muted">every application</span>`}</td><td>${actions(s)}</td></tr>`
}

/** The schedules view: each schedule with its crontab, state and last slot fired, and its actions. */
export function schedulesPage(schedules: readonly WorkflowSchedule[]): Html {
  if (schedules.length === 0) return h`<p class="empty muted">No schedules are stored in this system database.</p>`
  return h`<table class="list schedules"><thead><tr><th>Schedule</th><th>Workflow</th><th>Crontab</th><th>Time zone</th><th>Status</th><th>Last fired</th><th>Queue</th><th>Application</th><th></th></tr></thead>
<tbody>${schedules.map(row)}</tbody></table>`
}
