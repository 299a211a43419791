// Timing and summary helpers shared by the engine benchmark and its raw Postgres floor.

/** Latency percentiles of one series, in milliseconds. */
export interface Latency {
  p50: number
  p99: number
  samples: number
}

/** The q-quantile (0 < q ≤ 1) by nearest rank: an observed sample, never an interpolation. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty series')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1]!
}

/** The median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty series')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** p50 and p99 of a series of latencies. */
export function latency(samples: readonly number[]): Latency {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), samples: samples.length }
}

/**
 * Calls every series once per iteration, one call at a time, for `count` iterations, and returns each
 * series' wall times in milliseconds. Interleaving puts background load on all series alike, so their
 * differences and ratios stay meaningful on a busy machine.
 */
export async function timeInterleaved<TName extends string>(
  count: number,
  series: Record<TName, (i: number) => Promise<unknown>>,
): Promise<Record<TName, number[]>> {
  const names = Object.keys(series) as TName[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<TName, number[]>
  for (let i = 0; i < count; i++) {
    for (const name of names) {
      const start = performance.now()
      await series[name](i)
      samples[name].push(performance.now() - start)
    }
  }
  return samples
}

/**
 * Runs `fn(0..total-1)` with at most `inFlight` calls pending (a pool of async workers pulling from one
 * counter) and returns completed calls per second. The first rejection fails the whole run.
 */
export async function throughput(
  total: number,
  inFlight: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next < total) await fn(next++)
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker))
  return total / ((performance.now() - start) / 1000)
}
