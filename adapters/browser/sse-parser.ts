/** One server-sent event. */
export interface SseEvent {
  id?: string
  event: string
  data: string
}

/**
 * Splits a text/event-stream body into events (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * fields up to a blank line, `data` lines joined by newlines, comment lines (`:`) ignored.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let current: { id?: string; event?: string; data: string[] } = { data: [] }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (current.data.length > 0 || current.event !== undefined) {
            const event: SseEvent = { event: current.event ?? 'message', data: current.data.join('\n') }
            if (current.id !== undefined) event.id = current.id
            yield event
          }
          current = { data: [] }
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const raw = colon < 0 ? '' : line.slice(colon + 1)
        const text = raw.startsWith(' ') ? raw.slice(1) : raw
        if (field === 'data') current.data.push(text)
        else if (field === 'event') current.event = text
        else if (field === 'id') current.id = text
      }
    }
  } finally {
    reader.releaseLock()
  }
}
