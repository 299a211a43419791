import { parseSse } from './sse-parser.ts'

/** Options of readStreamUrl. */
export interface ReadStreamUrlOptions {
  /** First offset to read (default 0). */
  offset?: number
  /** Stops reading (the iterator then throws the abort reason). */
  signal?: AbortSignal
  /** Pause before reconnecting after a dropped connection (default 500 ms). */
  retryMs?: number
  /** How long to keep reconnecting without receiving a value before giving up (default 60 s). */
  maxRetryMs?: number
  /** Consecutive failed attempts before giving up (default: no limit but maxRetryMs). */
  maxRetries?: number
  /** Extra request headers, e.g. `Authorization: Bearer <stream token>`. */
  headers?: Record<string, string>
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch
}

/** A stream request the server refused (4xx): retrying cannot help. */
export class StreamRequestError extends Error {
  override name = 'StreamRequestError'
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      reject(signal.reason)
    }, { once: true })
  })
}

/**
 * Iterates the values of a workflow stream served by Perdure's stream routes, decoded from JSON. A dropped
 * connection is reopened at the offset after the last value received, so every value arrives exactly once,
 * in order, until the server sends the close event.
 * @example for await (const token of readStreamUrl(`/api/workflows/${id}/streams/tokens?token=${t}`)) render(token)
 */
export async function* readStreamUrl<T = unknown>(url: string | URL, options: ReadStreamUrlOptions = {}): AsyncGenerator<T, void, unknown> {
  const doFetch = options.fetch ?? globalThis.fetch
  const base = (globalThis as { location?: { href: string } }).location?.href
  let next = options.offset ?? 0
  let failures = 0
  let failingSince: number | undefined
  for (;;) {
    const target = new URL(url, base)
    target.searchParams.set('offset', String(next))
    let response: Response
    try {
      response = await doFetch(target, {
        headers: { accept: 'text/event-stream', ...options.headers },
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (e) {
      if (options.signal?.aborted) throw e
      response = new Response(null, { status: 599 })
    }
    if (response.status >= 400 && response.status < 500) {
      throw new StreamRequestError(response.status, `Stream request failed with ${response.status}: ${await response.text()}`)
    }
    if (response.ok && response.body) {
      try {
        for await (const event of parseSse(response.body)) {
          if (event.event === 'close') return
          if (event.event !== 'message') continue
          const value = JSON.parse(event.data) as T
          next = event.id === undefined ? next + 1 : Number(event.id) + 1
          failures = 0
          failingSince = undefined
          yield value
        }
      } catch (e) {
        if (options.signal?.aborted) throw e
        // The connection dropped mid-stream: reconnect below.
      }
    } else {
      await response.body?.cancel()
    }
    failingSince ??= Date.now()
    if (++failures > (options.maxRetries ?? Number.POSITIVE_INFINITY) || Date.now() - failingSince > (options.maxRetryMs ?? 60_000)) {
      throw new Error(`Stream ${target.pathname} unreachable after ${failures} attempts`)
    }
    // A restarting server may say when to come back (503 with Retry-After, in seconds).
    const retryAfter = Number(response.headers.get('retry-after'))
    const pause = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 5000) : (options.retryMs ?? 500)
    await wait(pause, options.signal)
  }
}
