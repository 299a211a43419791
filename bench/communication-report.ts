// Prints the communication section: per-round latencies of messages, events and streams, their medians,
// where the time goes, and the targets.
import { ms, row, target } from './report.ts'
import { type Latency, median } from './stats.ts'

/** One write-to-waiter path, timed from the writing call. */
export interface PathLatency {
  /** The call to the waiter getting the value (recv or getEvent returning, the SSE event parsed). */
  total: Latency
  /** The call to its own return. */
  returned: Latency
  /** The call to its NOTIFY reaching a LISTEN on another connection, as another process would see it. */
  notify: Latency
}

/** Everything one round measures; the paths are sampled interleaved, one write at a time. */
export interface CommunicationRound {
  message: PathLatency
  event: PathLatency
  stream: PathLatency
  /** postgres.js single-row INSERT in autocommit, outside the pool: the price of one commit meanwhile. */
  commit: Latency
  /** postgres.js `SELECT 1` on that connection: the price of one round trip meanwhile. */
  select: Latency
}

/** The fixed parameters of the communication section. */
export interface CommunicationRunInfo {
  runtime: string
  postgres: string
  /** 1-minute load average when the section started. */
  load: number
  rounds: number
  samples: number
  warmup: number
  idleGapMs: number
  poolSize: number
  quick: boolean
  cold: boolean
}

/** The targets for messages, events and streams (p50, ms). */
export const COMMUNICATION_TARGETS = { messageP50: 2, eventP50: 2, streamP50: 5 } as const

/** The section header: what runs, and how. */
export function printCommunicationHeader(info: CommunicationRunInfo): void {
  const lines = [
    '',
    `Perdure communication benchmark${info.quick ? ' (--quick: reduced counts, not comparable to targets)' : ''}`,
    `  runtime     ${info.runtime}, postgres ${info.postgres}, load average ${info.load.toFixed(2)} at start`,
    `  setup       one launch, one process, pool of ${info.poolSize} connections; three long-running workflows ` +
      'wait in recv for their next command',
    `  tables      ${info.cold ? 'cold: never analyzed (--cold)' : 'VACUUM ANALYZE after the warm-up'}`,
    `  samples     ${info.rounds} rounds × ${info.samples} writes per path (after ${info.warmup} warm-up), ` +
      `the paths interleaved, one write at a time, each after its waiter has waited ${info.idleGapMs} ms`,
    '  messages    DBOS.send() from outside a workflow → DBOS.recv() returning in the workflow',
    '  events      a workflow told by message to setEvent() a new key → DBOS.getEvent() already waiting on it',
    '  streams     a workflow told by message to writeStream() → the event parsed by fetch + parseSse over ' +
      '127.0.0.1 (DBOS.streamRoutes, stream token)',
    '  clocks      performance.now() in the workflow, the waiter and the SSE reader, all in this process; ' +
      'a postgres.js LISTEN on its own connection stamps each NOTIFY',
    `  floors      after each write on every path: a single-row INSERT+commit as in the engine section, also ` +
      `${info.idleGapMs} ms after the last statement, then SELECT 1, on a connection outside the pool`,
    '',
  ]
  console.log(lines.join('\n'))
}

/** One line per round as it finishes. */
export function printCommunicationRound(index: number, r: CommunicationRound): void {
  const pair = (l: Latency) => `p50 ${ms(l.p50)} ms p99 ${ms(l.p99)} ms`
  console.log(
    `  round ${index + 1}: send→recv ${pair(r.message.total)}, setEvent→getEvent ${pair(r.event.total)}, ` +
      `writeStream→SSE ${pair(r.stream.total)}; raw INSERT+commit p50 ${ms(r.commit.p50)} ms`,
  )
}

/** The summary: medians over rounds of each path and its parts, and the targets. */
export function printCommunicationSummary(info: CommunicationRunInfo, rounds: readonly CommunicationRound[]): void {
  const med = (pick: (r: CommunicationRound) => number) => median(rounds.map(pick))
  // The p50 in commits of the same round: steadier than milliseconds while other processes load the disk.
  const cells = (pick: (r: CommunicationRound) => Latency) => [
    ms(med((r) => pick(r).p50)),
    ms(med((r) => pick(r).p99)),
    `${med((r) => pick(r).p50 / r.commit.p50).toFixed(2)}×`,
  ]
  const path = (label: string, call: string, pick: (r: CommunicationRound) => PathLatency) => [
    row(label, cells((r) => pick(r).total)),
    row(`  of which ${call} until it returns`, cells((r) => pick(r).returned)),
    row(`  ${call} → NOTIFY seen on another connection`, cells((r) => pick(r).notify)),
  ]
  const messageP50 = med((r) => r.message.total.p50)
  const eventP50 = med((r) => r.event.total.p50)
  const streamP50 = med((r) => r.stream.total.p50)
  const lines = [
    '',
    `Messages, events and streams, one process (median of ${rounds.length} rounds × ${info.samples} writes)`,
    row('', ['p50 ms', 'p99 ms', 'p50/commit']),
    ...path('send → recv returns in the workflow', 'send()', (r) => r.message),
    ...path('setEvent → waiting getEvent returns', 'setEvent()', (r) => r.event),
    ...path('writeStream → SSE event parsed by the client', 'writeStream()', (r) => r.stream),
    row('postgres.js INSERT+commit meanwhile (one commit)', cells((r) => r.commit)),
    row('postgres.js SELECT 1 meanwhile (one round trip)', cells((r) => r.select)),
    '',
    'Communication targets',
    target(
      `send → recv p50 ≤ ${COMMUNICATION_TARGETS.messageP50} ms`,
      `${ms(messageP50)} ms`,
      messageP50 <= COMMUNICATION_TARGETS.messageP50,
    ),
    target(
      `setEvent → getEvent p50 ≤ ${COMMUNICATION_TARGETS.eventP50} ms`,
      `${ms(eventP50)} ms`,
      eventP50 <= COMMUNICATION_TARGETS.eventP50,
    ),
    target(
      `writeStream → SSE event p50 ≤ ${COMMUNICATION_TARGETS.streamP50} ms`,
      `${ms(streamP50)} ms`,
      streamP50 <= COMMUNICATION_TARGETS.streamP50,
    ),
  ]
  console.log(lines.join('\n'))
}
