// Entry point for browsers (and any fetch-capable runtime): read Perdure workflow streams over SSE.
// No Node, Bun or Deno API is used here.
export { readStreamUrl, type ReadStreamUrlOptions, StreamRequestError } from './read-stream-url.ts'
export { parseSse, type SseEvent } from './sse-parser.ts'
