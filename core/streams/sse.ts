import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { streamSSE } from 'hono/streaming'
import { DBOSInvalidArgumentError, DBOSNonExistentWorkflowError } from '../errors.ts'
import type { ShutdownSignal } from '../engine/control-flow.ts'
import type { Engine } from '../engine/engine.ts'
import { engineReader, type ReadGuard, streamValues } from '../engine/streams.ts'
import { checkKey, checkLookupID } from '../internal/input-checks.ts'
import { sqlState } from '../ports/database.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import { checkStreamToken, MIN_SECRET_LENGTH } from './token.ts'

/** Options of the stream routes. Without a token secret or an authorize hook, every request is refused. */
export interface StreamRoutesOptions {
  /** Secret (≥ 32 characters) that signs stream tokens; see createStreamToken. */
  tokenSecret?: string
  /** Lets a request without a token read a stream (e.g. after checking a session cookie). */
  authorize?: (request: Request, stream: { workflowID: string; key: string }) => boolean | Promise<boolean>
  /** Origins that may read streams cross-origin; none unless set. */
  cors?: { origin: string | string[] }
  /** Comment lines keep idle connections open through proxies (default every 15 s). */
  heartbeatMs?: number
}

const OFFSET = /^(0|[1-9][0-9]{0,8})$/

/** The credential a request carries: `?token=` (always a stream token), or a bearer one (maybe the app's own). */
function credentials(req: Request): { token: string; from: 'query' | 'bearer' } | undefined {
  const query = new URL(req.url).searchParams.get('token')
  if (query !== null) return { token: query, from: 'query' }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '')?.[1]
  return bearer === undefined ? undefined : { token: bearer, from: 'bearer' }
}

/** How long a request waits for the first value before the event stream starts anyway (then with heartbeats). */
const FIRST_VALUE_WAIT_MS = 1000

/**
 * Why the path cannot name a stream, or undefined: the rules of the API's input checks (one source for the byte
 * limits). The workflow ID is only looked up, so any length passes; the key is checked as a written key is.
 */
function pathProblem(workflowID: string, key: string): string | undefined {
  try {
    checkLookupID('workflow ID', workflowID)
    checkKey('stream key', key)
    return undefined
  } catch (e) {
    if (e instanceof DBOSInvalidArgumentError) return e.message
    throw e
  }
}

/** Thrown into a reader whose client has gone; never reaches a client. */
class ClientGone extends Error {}

/**
 * Stops a reader when its client disconnects or the engine shuts down. The reader waits inside a poll between
 * values, where an async generator's return() cannot reach it; the signal cuts the wait short.
 */
function readerGuard(engine: Engine, client: AbortSignal): ReadGuard {
  const stopping = engine.stopping.signal
  return {
    signal: AbortSignal.any([stopping, client]),
    check: () => {
      if (stopping.aborted) throw (stopping.reason as ShutdownSignal).toError()
      if (client.aborted) throw new ClientGone('client disconnected')
    },
  }
}

/** Where to start: `?offset=N`, else one past `Last-Event-ID`, else 0; undefined when malformed. */
function startOffset(req: Request): number | undefined {
  const query = new URL(req.url).searchParams.get('offset')
  if (query !== null) return OFFSET.test(query) ? Number(query) : undefined
  const last = req.headers.get('last-event-id')
  if (last !== null) return OFFSET.test(last.trim()) ? Number(last.trim()) + 1 : undefined
  return 0
}

/**
 * A Hono sub-app serving workflow streams as server-sent events at `GET /workflows/:id/streams/:key`.
 * Each value is one event whose `id` is its offset, so a reconnecting client (EventSource sends
 * `Last-Event-ID`, or `?offset=`) resumes with no gap and no duplicate; an `event: close` ends the stream.
 * @param engine the running engine, looked up per request (it changes across shutdown and launch).
 * @example app.route('/api', DBOS.streamRoutes({ tokenSecret: secret }))
 */
export function createStreamRoutes(engine: () => Engine, options: StreamRoutesOptions = {}): Hono {
  const { tokenSecret } = options
  // Refused here rather than on every request: a short secret would make each one fail with a 500.
  if (tokenSecret !== undefined && (typeof tokenSecret !== 'string' || tokenSecret.length < MIN_SECRET_LENGTH)) {
    const got = typeof tokenSecret === 'string' ? `${tokenSecret.length} characters` : typeof tokenSecret
    throw new DBOSInvalidArgumentError('tokenSecret', `must be a string of at least ${MIN_SECRET_LENGTH} characters`, got)
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new DBOSInvalidArgumentError('authorize', 'must be a function', typeof options.authorize)
  }
  const app = new Hono()
  if (options.cors) app.use('*', cors({ origin: options.cors.origin, allowHeaders: ['Authorization', 'Last-Event-ID'] }))
  const heartbeatMs = options.heartbeatMs ?? 15_000

  app.get('/workflows/:id/streams/:key', async (c) => {
    const workflowID = c.req.param('id')
    const key = c.req.param('key')
    const invalid = pathProblem(workflowID, key)
    if (invalid) return c.json({ error: invalid }, 400)
    const presented = credentials(c.req.raw)
    const problem = presented && tokenSecret !== undefined
      ? await checkStreamToken(tokenSecret, presented.token, workflowID, key)
      : 'disabled'
    // A bearer credential that is no stream token of ours (not signed with the secret) may be the application's
    // own session token: the authorize hook decides. A genuine token for another stream, or expired, is refused.
    const notOurs = problem === 'disabled' || problem === 'malformed' || problem === 'bad-signature'
    if (presented && (!notOurs || presented.from === 'query' || !options.authorize)) {
      if (problem === 'disabled') return c.json({ error: 'Stream tokens are not enabled on this server' }, 401)
      if (problem === 'other-stream') return c.json({ error: 'This token grants another stream' }, 403)
      if (problem) return c.json({ error: `Invalid stream token (${problem})` }, 401)
    } else if (!options.authorize) {
      return c.json({ error: 'A stream token is required (?token= or Authorization: Bearer)' }, 401)
    } else if (!(await options.authorize(c.req.raw, { workflowID, key }))) {
      return c.json({ error: 'Not allowed to read this stream' }, 403)
    }
    const offset = startOffset(c.req.raw)
    if (offset === undefined) {
      return c.json({ error: 'offset and Last-Event-ID must be non-negative integers' }, 400)
    }
    let eng: Engine
    try {
      eng = engine()
    } catch {
      // Between a shutdown and the next launch: the client retries, and resumes where it was.
      return c.json({ error: 'Not running, retry shortly' }, 503, { 'retry-after': '1', connection: 'close' })
    }
    // Aborted when the client goes: by the request's signal (Node's adapter, Bun.serve and Deno.serve abort it
    // on disconnect) or by the cancelled response body (Hono's onAbort), whichever comes first.
    const gone = new AbortController()
    const request = c.req.raw.signal
    if (request.aborted) gone.abort()
    else request.addEventListener('abort', () => gone.abort(), { once: true })
    const values = streamValues<unknown>(engineReader(eng), workflowID, key, offset, readerGuard(eng, gone.signal))
    // Fail before the event stream starts, so an unknown workflow is a plain 404: its first look at the database
    // says so. A value that is not there yet is waited for inside the stream, which then has its heartbeats.
    const first = values.next()
    let cancelWait = () => {}
    const settled = await Promise.race([
      first.then(() => true, () => true),
      new Promise<boolean>((resolve) => (cancelWait = eng.settings.runtime.timer.schedule(FIRST_VALUE_WAIT_MS, () => resolve(false)))),
    ])
    cancelWait()
    if (settled) {
      try {
        await first
      } catch (e) {
        if (e instanceof DBOSNonExistentWorkflowError) return c.json({ error: `Workflow ${workflowID} not found` }, 404)
        // Nobody is left to read the answer; 499 (client closed request) is for a proxy's log, if any.
        if (e instanceof ClientGone) return new Response(null, { status: 499 })
        // A value the database cannot compare (class 22: data exception; 54000: too long for an index).
        const state = sqlState(e)
        if (state !== undefined && (state.startsWith('22') || state === '54000')) return c.json({ error: 'Invalid workflow ID or stream key' }, 400)
        throw e
      }
    }
    return streamSSE(c, async (stream) => {
      // Heartbeats on the runtime's (unref'd) timer: an idle stream must not keep a process alive by itself.
      const { timer } = eng.settings.runtime
      let beating = true
      let stopBeat = () => {}
      const beat = () => {
        stopBeat = timer.schedule(heartbeatMs, () => {
          if (!beating) return
          void stream.write(': heartbeat\n\n')
          beat()
        })
      }
      beat()
      // Shutdown ends the response even while a write waits on a client that reads nothing.
      const stopping = eng.stopping.signal
      const onStop = () => stream.abort()
      stopping.addEventListener('abort', onStop, { once: true })
      const finish = () => {
        beating = false
        stopBeat()
        stopping.removeEventListener('abort', onStop)
        gone.abort()
      }
      stream.onAbort(finish)
      // A comment at once: some servers (Bun) send no headers before the first chunk, and the client would
      // wait for its response until the first value.
      void stream.write(': open\n\n')
      try {
        let position = offset
        for (let next = await first; !next.done && !stream.aborted; next = await values.next()) {
          // Awaiting the write is the backpressure: nothing more is read while the client lags.
          const data = await eng.settings.serialization.encode(next.value, PORTABLE, 'value')
          await stream.writeSSE({ id: String(position++), data })
        }
        if (!stream.aborted) await stream.writeSSE({ event: 'close', data: '{}' })
      } catch (e) {
        // Shutdown (or a lost database) ends the response without a close event: the client reconnects to
        // the next server at the offset after its last value.
        eng.settings.logger.debug(`Stream ${workflowID}/${key} interrupted: ${(e as Error).message}`)
      } finally {
        finish()
      }
    })
  })
  return app
}
