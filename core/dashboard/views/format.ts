import { h, type Html } from './html.ts'

const KNOWN_STATUSES = new Set([
  'PENDING', 'ENQUEUED', 'DELAYED', 'SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
])

/** Statuses in which a workflow may still change by itself: its views refresh while it is in one. */
export const ACTIVE_STATUSES = new Set(['PENDING', 'ENQUEUED', 'DELAYED'])

/** A status as a coloured badge; a status this version does not know gets the neutral colour. */
export function badge(status: string): Html {
  const tone = KNOWN_STATUSES.has(status) ? status.toLowerCase() : 'other'
  return h`<span class="badge ${tone}">${status}</span>`
}

/** A time as UTC text; the client script rewrites it in the reader's time zone. */
export function time(epochMs: number | null | undefined): Html {
  if (epochMs === null || epochMs === undefined) return h`<span class="muted">–</span>`
  const date = new Date(Number(epochMs))
  if (Number.isNaN(date.getTime())) return h`<span class="muted">–</span>`
  const iso = date.toISOString()
  return h`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`
}

/** A duration as people read it: `840 ms`, `3.2 s`, `4 min 12 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** The dashboard address of a workflow (hash routes: the shell is one static page). */
export function workflowHref(id: string): string {
  return `#/workflows/${encodeURIComponent(id)}`
}

/** A link to a workflow's page, showing its ID. */
export function workflowLink(id: string): Html {
  return h`<a class="id" href="${workflowHref(id)}">${id}</a>`
}

/** A value or a dash. */
export function orDash(value: string | number | null | undefined): Html {
  return value === null || value === undefined || value === '' ? h`<span class="muted">–</span>` : h`${String(value)}`
}
