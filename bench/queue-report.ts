// Prints the queue section: per-round figures, their medians, statement counts, and the targets.
import type { CpuShare } from './cpu.ts'
import { cpu, ms, rate, row, target } from './report.ts'
import type { Tally } from './statement-counter.ts'
import { type Latency, median } from './stats.ts'

/** One end-to-end run: enqueue `workflows`, then await every result. */
export interface EndToEnd {
  /** Workflows per second, first enqueue to last result. */
  rate: number
  /** Seconds until the last startWorkflow() returned. */
  enqueueSeconds: number
  /** Seconds until the last result. */
  totalSeconds: number
  cpu: CpuShare | undefined
  statements: Tally
  /** Rows per claim that took any, grouped by the claim's start millisecond. */
  claims: { nonEmpty: number; meanRows: number; maxRows: number }
}

/** Everything one round measures. */
export interface QueueRound {
  /** startWorkflow() calls per second on a queue no process dispatches. */
  enqueueRate: number
  enqueueStatements: Tally
  open: EndToEnd
  limited: EndToEnd
  /** startWorkflow() call to the first line of the workflow body. */
  startLatency: Latency
  /** startWorkflow() call to its return (the enqueue alone). */
  enqueueLatency: Latency
}

/** The fixed parameters of the queue section. */
export interface QueueRunInfo {
  runtime: string
  postgres: string
  /** 1-minute load average when the section started. */
  load: number
  rounds: number
  enqueues: number
  openWorkflows: number
  limitedWorkflows: number
  workerConcurrency: number
  latencyIterations: number
  idleGapMs: number
  inFlight: number
  poolSize: number
  quick: boolean
  cold: boolean
}

/** The targets for queues. */
export const QUEUE_TARGETS = { openRate: 5000, limitedRate: 1000, startP50: 5 } as const

const sec = (x: number) => x.toFixed(2)

/** The section header: what runs, and how. */
export function printQueueHeader(info: QueueRunInfo): void {
  const lines = [
    '',
    `Perdure queue benchmark${info.quick ? ' (--quick: reduced counts, not comparable to targets)' : ''}`,
    `  runtime     ${info.runtime}, postgres ${info.postgres}, load average ${info.load.toFixed(2)} at start`,
    '  setup       one launch, same database; listenQueues = the three dispatched queues below, ' +
      `pool of ${info.poolSize} connections`,
    `  tables      ${info.cold ? 'cold: never analyzed (--cold)' : 'VACUUM ANALYZE after the queue warm-up'}`,
    `  enqueue     ${info.rounds} rounds × ${rate(info.enqueues)} startWorkflow() on a declared queue this ` +
      `process does not dispatch (rows stay ENQUEUED, deleted after), ${info.inFlight} in flight`,
    `  end to end  ${info.rounds} rounds × ${rate(info.openWorkflows)} one-step workflows on a queue without ` +
      `limits, then ${rate(info.limitedWorkflows)} with workerConcurrency ${info.workerConcurrency}; ` +
      `${info.inFlight} enqueues in flight, getResult() on each handle at once; first enqueue to last result`,
    `  latency     ${info.rounds} rounds × ${info.latencyIterations} sequential enqueues on an idle queue ` +
      `(${info.idleGapMs} ms pause after each result): startWorkflow() call to the workflow's first line`,
    '',
  ]
  console.log(lines.join('\n'))
}

/** One line per round as it finishes. */
export function printQueueRound(index: number, r: QueueRound, info: QueueRunInfo): void {
  console.log(
    `  round ${index + 1}: enqueue ${rate(r.enqueueRate)}/s, no limits ${rate(r.open.rate)} wf/s ` +
      `(enqueued in ${sec(r.open.enqueueSeconds)} s, done in ${sec(r.open.totalSeconds)} s), ` +
      `worker ${info.workerConcurrency} ${rate(r.limited.rate)} wf/s, ` +
      `enqueue→start p50 ${ms(r.startLatency.p50)} ms p99 ${ms(r.startLatency.p99)} ms`,
  )
}

function statementTable(title: string, workflows: number, tally: Tally): string[] {
  const kinds = Object.entries(tally).sort((a, b) => b[1].statements - a[1].statements)
  const total = kinds.reduce((n, [, c]) => n + c.statements, 0)
  return [
    row(`${title} (${rate(workflows)} workflows)`, ['statements', 'per wf', 'rows/stmt', 'ms/stmt']),
    ...kinds.map(([kind, c]) =>
      row(`  ${kind}`, [
        rate(c.statements),
        (c.statements / workflows).toFixed(3),
        // For claims: rows asked for (the LIMIT), not rows taken.
        (c.items / c.statements).toFixed(1) + (kind === 'claim' ? ' ask' : ''),
        ms(c.ms / c.statements),
      ])
    ),
    row('  total', [rate(total), (total / workflows).toFixed(3), '', '']),
  ]
}

function claimLine(label: string, e: EndToEnd, workflows: number): string {
  const issued = e.statements.claim?.statements ?? 0
  return `  ${label}: ${rate(issued)} claims, ${rate(e.claims.nonEmpty)} took rows ` +
    `(mean ${e.claims.meanRows.toFixed(1)}, max ${e.claims.maxRows}); ${rate(workflows)} workflows`
}

/** The summary: medians over rounds, last round's CPU and statements, and the targets. */
export function printQueueSummary(info: QueueRunInfo, rounds: readonly QueueRound[]): void {
  const med = (pick: (r: QueueRound) => number) => median(rounds.map(pick))
  const last = rounds[rounds.length - 1]!
  const openRate = med((r) => r.open.rate)
  const limitedRate = med((r) => r.limited.rate)
  const startP50 = med((r) => r.startLatency.p50)
  const limitedLabel = `workerConcurrency ${info.workerConcurrency}`
  const lines = [
    '',
    `Queues (median of ${rounds.length} rounds)`,
    row(`enqueue only, ${info.inFlight} in flight, not dispatched`, [rate(med((r) => r.enqueueRate)), 'enqueue/s']),
    row(`end to end, no limits, ${rate(info.openWorkflows)} workflows`, [rate(openRate), 'wf/s']),
    row(`end to end, ${limitedLabel}, ${rate(info.limitedWorkflows)} workflows`, [rate(limitedRate), 'wf/s']),
    row('', ['p50 ms', 'p99 ms']),
    row('enqueue → first line of the workflow, idle queue', [ms(startP50), ms(med((r) => r.startLatency.p99))]),
    row('  of which startWorkflow() until it returns', [
      ms(med((r) => r.enqueueLatency.p50)),
      ms(med((r) => r.enqueueLatency.p99)),
    ]),
    `  CPU, last round: no limits run ${cpu(last.open.cpu)}`,
    `                   ${limitedLabel} run ${cpu(last.limited.cpu)}`,
    '',
    'Statements sent by Perdure, last round (ms/stmt: call to result, waits for a pool connection included)',
    ...statementTable('enqueue only', info.enqueues, last.enqueueStatements),
    ...statementTable('end to end, no limits', info.openWorkflows, last.open.statements),
    ...statementTable(`end to end, ${limitedLabel}`, info.limitedWorkflows, last.limited.statements),
    'Claims, last round (rows grouped by claim start millisecond)',
    claimLine('no limits', last.open, info.openWorkflows),
    claimLine(limitedLabel, last.limited, info.limitedWorkflows),
    '',
    'Queue targets',
    target(
      `end to end, no limits ≥ ${rate(QUEUE_TARGETS.openRate)} workflows/s`,
      `${rate(openRate)}/s`,
      openRate >= QUEUE_TARGETS.openRate,
    ),
    target(
      `end to end, ${limitedLabel} ≥ ${rate(QUEUE_TARGETS.limitedRate)} workflows/s`,
      `${rate(limitedRate)}/s`,
      limitedRate >= QUEUE_TARGETS.limitedRate,
    ),
    target(
      `enqueue → start p50 ≤ ${QUEUE_TARGETS.startP50} ms`,
      `${ms(startP50)} ms`,
      startP50 <= QUEUE_TARGETS.startP50,
    ),
  ]
  console.log(lines.join('\n'))
}
