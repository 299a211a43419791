import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { displayText } from '../admin/workflow-json.ts'
import { clientError } from '../admin/request.ts'
import { Signals } from '../engine/signals.ts'
import { type ReaderContext, streamValues } from '../engine/streams.ts'
import { DBOSInvalidArgumentError, DBOSNonExistentWorkflowError } from '../errors.ts'
import { checkKey, checkLookupID } from '../internal/input-checks.ts'
import type { DashboardDeps } from './deps.ts'

/** Comment lines keep an idle tail open through proxies. */
const HEARTBEAT_MS = 15_000

/** Thrown into the reader once the page has gone; never reaches anyone. */
class PageGone extends Error {}

/**
 * `GET streams/:id?key=` — a stream's values from the first as server-sent events (`data` is each value's JSON
 * text), then `event: close` when the stream closes or its writer ends. The page reads it with fetch, which
 * can send the bearer token (EventSource cannot). Without an engine's wake-ups, the reader polls.
 */
export function streamTail(deps: DashboardDeps, fallbackSignals: () => Signals) {
  return async (c: Context): Promise<Response> => {
    const id = c.req.param('id') ?? ''
    const key = c.req.query('key') ?? ''
    try {
      checkLookupID('workflow ID', id)
      checkKey('stream key', key)
    } catch (e) {
      if (e instanceof DBOSInvalidArgumentError) throw clientError(400, e.message)
      throw e
    }
    const sys = deps.sys()
    if (!(await sys.readStatus(id))) throw clientError(404, `Workflow ${id} not found`)
    const reader: ReaderContext = { sys, serialization: deps.serialization(), signals: deps.signals?.() ?? fallbackSignals() }
    const timer = deps.timer()
    return streamSSE(c, async (sse) => {
      const gone = new AbortController()
      const request = c.req.raw.signal
      if (request.aborted) gone.abort()
      else request.addEventListener('abort', () => gone.abort(), { once: true })
      let stopBeat = () => {}
      const beat = () => {
        stopBeat = timer.schedule(HEARTBEAT_MS, () => {
          if (gone.signal.aborted) return
          void sse.write(': heartbeat\n\n')
          beat()
        })
      }
      beat()
      sse.onAbort(() => gone.abort())
      const guard = {
        signal: gone.signal,
        check: () => {
          if (gone.signal.aborted) throw new PageGone()
        },
      }
      // A comment at once, so that the page sees its response start before the first value.
      await sse.write(': open\n\n')
      try {
        let offset = 0
        for await (const value of streamValues(reader, id, key, 0, guard)) {
          await sse.writeSSE({ id: String(offset++), data: displayText(value) })
        }
        await sse.writeSSE({ event: 'close', data: '' })
      } catch (e) {
        if (e instanceof PageGone) return
        const message = e instanceof DBOSNonExistentWorkflowError ? 'the workflow was deleted' : 'the read failed'
        if (!gone.signal.aborted) await sse.writeSSE({ event: 'failure', data: message })
        if (!(e instanceof DBOSNonExistentWorkflowError)) deps.logError?.(`Dashboard stream tail ${id}/${key} failed: ${(e as Error).stack ?? e}`)
      } finally {
        stopBeat()
        gone.abort()
      }
    })
  }
}
