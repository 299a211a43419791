import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { McpSdk } from './sdk.ts'

/** A process's standard input and output as byte streams, whichever runtime supplies them. */
export interface StdioStreams {
  readonly input: ReadableStream<Uint8Array>
  readonly output: WritableStream<Uint8Array>
}

/** One message is one line; a longer line than this is no message a client sends. */
const MAX_LINE_CHARS = 16 * 1024 * 1024

/**
 * MCP's stdio transport (one JSON-RPC message per line) over web streams, so that it runs wherever the bin
 * gives standard input and output as such: Node, Bun and Deno alike. The end of the input (the client closing
 * it, as MCP's shutdown asks) closes the transport. Parsing and printing messages are the SDK's.
 */
export class StdioStreamTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  readonly #sdk: McpSdk
  readonly #streams: StdioStreams
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #closed = false

  constructor(sdk: McpSdk, streams: StdioStreams) {
    this.#sdk = sdk
    this.#streams = streams
    this.#writer = streams.output.getWriter()
  }

  async start(): Promise<void> {
    if (this.#reader) throw new Error('The stdio transport is already started')
    this.#reader = this.#streams.input.getReader()
    void this.#read(this.#reader)
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let pending = ''
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        pending += decoder.decode(value, { stream: true })
        let end: number
        while ((end = pending.indexOf('\n')) !== -1) {
          this.#deliver(pending.slice(0, end).replace(/\r$/, ''))
          pending = pending.slice(end + 1)
        }
        if (pending.length > MAX_LINE_CHARS) throw new Error(`A message on standard input is longer than ${MAX_LINE_CHARS} characters`)
      }
    } catch (e) {
      if (!this.#closed) this.onerror?.(e instanceof Error ? e : new Error(String(e)))
    }
    await this.close()
  }

  #deliver(line: string): void {
    if (line.trim() === '') return
    try {
      this.onmessage?.(this.#sdk.deserializeMessage(line))
    } catch (e) {
      // A line that is no JSON-RPC message is reported and skipped: the next one may well be.
      this.onerror?.(e instanceof Error ? e : new Error(String(e)))
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(this.#sdk.serializeMessage(message)))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#reader?.cancel().catch(() => {})
    await this.#writer.close().catch(() => {})
    this.onclose?.()
  }
}
