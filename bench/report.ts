// Prints the benchmark's tables: per-round figures, their medians, and the targets with PASS/MISS.
import type { CpuShare } from './cpu.ts'
import { type Latency, median } from './stats.ts'

/** Everything one round measures; each round runs every series once, back to back. */
export interface Round {
  raw: Latency
  zeroStep: Latency
  tenStep: Latency
  /** (p50 of the 10-step workflow − p50 of the 0-step workflow) / 10, in ms. */
  stepOverhead: number
  /** stepOverhead / raw INSERT+commit p50. */
  stepRatio: number
  /** Raw INSERT+commit statements per second, `inFlight` pending. */
  rawRate: number
  /** 3-step workflows per second, `inFlight` pending. */
  workflowRate: number
  rawCpu: CpuShare | undefined
  workflowCpu: CpuShare | undefined
}

/** The fixed parameters of a run, echoed in the header. */
export interface RunInfo {
  runtime: string
  postgres: string
  url: string
  cores: number
  rounds: number
  latencyIterations: number
  steps: number
  throughputWorkflows: number
  throughputSteps: number
  rawInserts: number
  inFlight: number
  poolSize: number
  quick: boolean
  cold: boolean
  /** 1-minute load average when the run started. */
  load: number
}

/** The targets. */
export const TARGETS = { stepRatio: 1.3, workflowRate: 3000 } as const

const LABEL = 52
const COL = 11

/** Milliseconds, to the microsecond. */
export const ms = (x: number): string => x.toFixed(3)
/** A count or rate, rounded, with thousands separators. */
export const rate = (x: number): string => Math.round(x).toLocaleString('en-US')
const ratio = (x: number) => `${x.toFixed(2)}×`
/** One table line: a label column, then right-aligned cells. */
export const row = (label: string, cells: string[]): string =>
  `  ${label.padEnd(LABEL)}${cells.map((c) => c.padStart(COL)).join('')}`

/** Where CPU went during a measurement, in cores. */
export function cpu(share: CpuShare | undefined): string {
  if (!share) return 'not measured (no /proc)'
  return `client ${share.client.toFixed(2)} + postgres ${share.postgres.toFixed(2)} of ${share.cores} cores`
}

/** The header: what ran where. */
export function printHeader(info: RunInfo): void {
  const lines = [
    `Perdure engine benchmark${info.quick ? ' (--quick: reduced counts, not comparable to targets)' : ''}`,
    `  runtime     ${info.runtime}`,
    `  postgres    ${info.postgres}`,
    `  database    ${info.url}`,
    `  machine     ${info.cores} cores, load average ${info.load.toFixed(2)} at start` +
      (info.load > 0.5 * info.cores ? ' (other processes are busy: expect noise)' : ''),
    `  tables      ${info.cold ? 'cold: never analyzed (--cold)' : 'VACUUM ANALYZE after warm-up'}`,
    `  latency     ${info.rounds} rounds × ${info.latencyIterations} iterations, one call at a time, ` +
      'the three series interleaved',
    `  throughput  ${info.rounds} rounds × ${rate(info.throughputWorkflows)} workflows of ` +
      `${info.throughputSteps} steps and ${rate(info.rawInserts)} raw INSERTs, ` +
      `${info.inFlight} in flight, pool of ${info.poolSize} connections each`,
    '',
  ]
  console.log(lines.join('\n'))
}

/** One line per round as it finishes, so a long run shows progress. */
export function printRound(index: number, r: Round): void {
  console.log(
    `  round ${index + 1}: raw p50 ${ms(r.raw.p50)} ms, 0-step p50 ${ms(r.zeroStep.p50)} ms, ` +
      `10-step p50 ${ms(r.tenStep.p50)} ms, step ${ms(r.stepOverhead)} ms (${ratio(r.stepRatio)}), ` +
      `raw ${rate(r.rawRate)} INSERT/s, ${rate(r.workflowRate)} wf/s`,
  )
}

/** The summary tables: medians over rounds, ratios, and the targets. */
export function printSummary(info: RunInfo, rounds: readonly Round[]): void {
  const med = (pick: (r: Round) => number) => median(rounds.map(pick))
  const statements = info.throughputSteps + 2
  const rawRate = med((r) => r.rawRate)
  const workflowRate = med((r) => r.workflowRate)
  const rawEquivalent = rawRate / statements
  const stepOverhead = med((r) => r.stepOverhead)
  const stepRatio = med((r) => r.stepRatio)
  const last = rounds[rounds.length - 1]!

  const lines = [
    '',
    `Latency, sequential (median of ${rounds.length} rounds)`,
    row('', ['p50 ms', 'p99 ms']),
    row('raw postgres.js INSERT+commit', [ms(med((r) => r.raw.p50)), ms(med((r) => r.raw.p99))]),
    row('workflow, 0 steps', [ms(med((r) => r.zeroStep.p50)), ms(med((r) => r.zeroStep.p99))]),
    row(`workflow, ${info.steps} steps`, [ms(med((r) => r.tenStep.p50)), ms(med((r) => r.tenStep.p99))]),
    row(`per-step overhead (${info.steps}-step − 0-step) / ${info.steps}`, [ms(stepOverhead), '']),
    row('per-step overhead / raw INSERT+commit p50', [ratio(stepRatio), '']),
    row('0-step workflow / raw INSERT+commit p50', [ratio(med((r) => r.zeroStep.p50 / r.raw.p50)), '']),
    '',
    `Throughput, ${info.inFlight} in flight (median of ${rounds.length} rounds)`,
    row('raw postgres.js INSERT+commit', [rate(rawRate), 'INSERT/s']),
    row(`raw equivalent: INSERT/s ÷ ${statements} statements`, [rate(rawEquivalent), 'wf/s']),
    row(`Perdure, ${info.throughputSteps}-step workflows`, [rate(workflowRate), 'wf/s']),
    row('Perdure / raw equivalent', [ratio(workflowRate / rawEquivalent), '']),
    `  CPU, last round: raw run ${cpu(last.rawCpu)}`,
    `                   Perdure run ${cpu(last.workflowCpu)}`,
    '',
    'Targets',
    target(
      `per-step overhead p50 ≤ ${TARGETS.stepRatio}× raw INSERT+commit p50`,
      ratio(stepRatio),
      stepRatio <= TARGETS.stepRatio,
    ),
    target(
      `throughput ≥ ${rate(TARGETS.workflowRate)} workflows/s`,
      `${rate(workflowRate)}/s`,
      workflowRate >= TARGETS.workflowRate,
    ),
  ]
  console.log(lines.join('\n'))
}

/** A target line: the measured value and PASS or MISS. */
export function target(label: string, value: string, pass: boolean): string {
  return row(label, [value, pass ? 'PASS' : 'MISS'])
}
