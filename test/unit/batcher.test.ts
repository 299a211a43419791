import { Batcher } from '../../core/internal/batcher.ts'
import { describe, expect, it } from '../harness.ts'

describe('Batcher (group commit)', () => {
  it('flushes a lone item at once and groups items that arrive during a flush', async () => {
    const batches: number[][] = []
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items)
      await new Promise((r) => setTimeout(r, 10))
      return items.map((i) => i * 10)
    }, { maxInFlight: 1, maxBatch: 100 })
    const first = batcher.submit(1)
    const rest = [2, 3, 4].map((i) => batcher.submit(i))
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40])
    expect(batches).toEqual([[1], [2, 3, 4]])
  })

  it('retries a failed batch item by item so only the bad item fails', async () => {
    const batcher = new Batcher<number, number>(async (items) => {
      if (items.includes(13)) throw new Error(`bad batch ${items.join(',')}`)
      return items
    }, { maxInFlight: 1, maxBatch: 100 })
    const blocker = batcher.submit(0)
    const results = await Promise.allSettled([12, 13, 14].map((i) => batcher.submit(i)))
    await blocker
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('bad batch 13')
  })

  it('caps batch size', async () => {
    const sizes: number[] = []
    const batcher = new Batcher<number, number>(async (items) => (sizes.push(items.length), items), {
      maxInFlight: 1,
      maxBatch: 2,
    })
    await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)))
    expect(sizes).toEqual([1, 2, 2])
  })
})
