import { retryTransient } from '../../core/internal/retry.ts'
import type { TimerPort } from '../../core/ports/timer.ts'
import { describe, expect, it } from '../harness.ts'

/** A clock that only moves when a timer is waited on: each wait advances it by its delay at once. */
function testClock(): TimerPort & { waits: number[] } {
  let now = 1_000_000
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    schedule(ms, fn) {
      waits.push(ms)
      now += ms
      queueMicrotask(fn)
      return () => {}
    },
  }
}

const connectionReset = () => Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })

describe('retryTransient', () => {
  it('measures its budget and waits on the timer it is given, not the wall clock', async () => {
    const clock = testClock()
    let calls = 0
    const error = connectionReset()
    // Past 20 calls it succeeds: a budget counted on the wall clock (which barely moves here) never runs out.
    const attempt = retryTransient(async () => {
      if (++calls > 20) return 'gave in'
      throw error
    }, clock, { budgetMs: 1000 })
    await expect(attempt).rejects.toBe(error)
    // 100 + 200 + 400 ms waited; the next 800 ms would end past the 1000 ms budget.
    expect(clock.waits).toEqual([100, 200, 400])
    expect(calls).toBe(4)
  })

  it('does not retry an error that is not transient', async () => {
    const clock = testClock()
    let calls = 0
    const refused = Object.assign(new Error('syntax'), { code: '42601', severity: 'ERROR' })
    await expect(retryTransient(async () => {
      calls++
      throw refused
    }, clock)).rejects.toBe(refused)
    expect(calls).toBe(1)
    expect(clock.waits).toEqual([])
  })
})
