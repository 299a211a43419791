import type { StatusRow } from '../../sysdb/system-database.ts'
import { ACTIVE_STATUSES, badge, duration, orDash, time, workflowLink } from './format.ts'
import { h, type Html } from './html.ts'

/** One page of the workflow list: the rows, where it starts, and whether another page follows. */
export interface ListPage {
  rows: readonly StatusRow[]
  offset: number
  pageSize: number
  more: boolean
  now: number
}

function row(r: StatusRow, now: number): Html {
  const end = ACTIVE_STATUSES.has(r.status) ? now : Number(r.updated_at)
  return h`<tr data-id="${r.workflow_uuid}">
<td>${workflowLink(r.workflow_uuid)}</td><td>${orDash(r.name)}</td><td>${badge(r.status)}</td><td>${orDash(r.queue_name)}</td>
<td>${time(r.created_at)}</td><td class="num">${duration(end - Number(r.created_at))}</td><td>${orDash(r.executor_id)}</td><td>${orDash(r.application_version)}</td></tr>`
}

/** The workflow list's table and its pager (the filters live in the shell, so refreshing keeps what is typed). */
export function listPage(p: ListPage): Html {
  if (p.rows.length === 0 && p.offset === 0) return h`<p class="empty muted">No workflows match these filters.</p>`
  const first = p.offset + 1
  const last = p.offset + p.rows.length
  const prev = p.offset > 0 ? h`<button data-page="${String(Math.max(0, p.offset - p.pageSize))}">← Newer</button>` : ''
  const next = p.more ? h`<button data-page="${String(p.offset + p.pageSize)}">Older →</button>` : ''
  return h`<table class="list"><thead><tr><th>ID</th><th>Name</th><th>Status</th><th>Queue</th><th>Created</th><th>Duration</th><th>Executor</th><th>Version</th></tr></thead>
<tbody>${p.rows.map((r) => row(r, p.now))}</tbody></table>
<nav class="pager"><span class="muted">${String(first)}–${String(last)}</span>${prev}${next}</nav>`
}
