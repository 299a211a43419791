import { limitsOfRow, type QueueRow } from '../../sysdb/system-database.ts'
import { h, type Html } from './html.ts'

/** What the queues view shows of one queue, counted before rendering. */
export interface QueueStats {
  row: QueueRow
  enqueued: number
  running: number
  delayed: number
  /** Workflows of this queue that finished in each of the last minutes, oldest first. */
  perMinute: readonly number[]
}

const CHART_W = 180
const CHART_H = 40

/** Finished workflows per minute as a small bar chart, each bar titled with its count. */
export function throughputChart(perMinute: readonly number[]): Html {
  const max = Math.max(1, ...perMinute)
  const w = CHART_W / Math.max(1, perMinute.length)
  const bars = perMinute.map((n, i) => {
    const height = n === 0 ? 1 : Math.max(2, (n / max) * (CHART_H - 2))
    const ago = perMinute.length - 1 - i
    return h`<rect x="${(i * w + 1).toFixed(1)}" y="${(CHART_H - height).toFixed(1)}" width="${(w - 2).toFixed(1)}" height="${height.toFixed(1)}"${n === 0 ? h` class="zero"` : ''}><title>${String(n)} finished ${ago === 0 ? 'this minute' : `${ago} min ago`}</title></rect>`
  })
  const total = perMinute.reduce((a, b) => a + b, 0)
  return h`<figure class="chart"><svg viewBox="0 0 ${String(CHART_W)} ${String(CHART_H)}" width="${String(CHART_W)}" height="${String(CHART_H)}" role="img" aria-label="${String(total)} finished in the last ${String(perMinute.length)} minutes">${bars}</svg><figcaption>${String(total)} in ${String(perMinute.length)} min · peak ${String(max === 1 && total === 0 ? 0 : max)}/min</figcaption></figure>`
}

function limits(row: QueueRow): Html {
  const l = limitsOfRow(row)
  const parts: string[] = []
  if (l.concurrency !== null) parts.push(`concurrency ${l.concurrency}`)
  if (l.workerConcurrency !== null) parts.push(`per worker ${l.workerConcurrency}`)
  if (l.rateLimit) parts.push(`${l.rateLimit.limitPerPeriod} per ${l.rateLimit.periodSec} s`)
  if (row.partition_queue) parts.push('partitioned')
  if (l.partitionConcurrency !== null) parts.push(`per partition ${l.partitionConcurrency}`)
  if (l.partitionRateLimit) parts.push(`${l.partitionRateLimit.limitPerPeriod} per ${l.partitionRateLimit.periodSec} s per partition`)
  return parts.length === 0 ? h`<span class="muted">none</span>` : h`${parts.join(' · ')}`
}

/** The queues view: each queue's depth, running workflows, limits and recent throughput. */
export function queuesPage(queues: readonly QueueStats[]): Html {
  if (queues.length === 0) return h`<p class="empty muted">No queues are registered in this system database.</p>`
  const rows = queues.map((q) => h`<tr data-queue="${q.row.name}">
<td><a href="#/?queue=${encodeURIComponent(q.row.name)}">${q.row.name}</a></td><td class="num">${String(q.enqueued)}</td><td class="num">${String(q.running)}</td><td class="num">${String(q.delayed)}</td><td>${limits(q.row)}</td><td>${throughputChart(q.perMinute)}</td></tr>`)
  return h`<table class="list queues"><thead><tr><th>Queue</th><th>Enqueued</th><th>Running</th><th>Delayed</th><th>Limits</th><th>Finished per minute</th></tr></thead><tbody>${rows}</tbody></table>`
}
