import type * as v from 'valibot'
import type { McpDeps } from './deps.ts'

/** A JSON Schema of a tool's arguments, as tools/list hands it to the model. */
export interface JsonSchema {
  readonly type: 'object'
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly required?: readonly string[]
  readonly additionalProperties: false
}

/**
 * One MCP tool: its JSON Schema tells the model what to send, its valibot schema checks what arrives (the two
 * describe the same object). `write` tools change the database and are offered only when writes are allowed.
 */
export interface McpTool<A = unknown> {
  readonly name: string
  readonly description: string
  readonly inputSchema: JsonSchema
  readonly args: v.GenericSchema<unknown, A>
  readonly write: boolean
  /** Returns what the tool answers, sent to the model as compact JSON. */
  run(deps: McpDeps, args: A): Promise<unknown>
}

/** Keeps each tool's argument type through a list of differently typed tools. */
export function tool<A>(t: McpTool<A>): McpTool {
  return t as McpTool
}

/** A problem with the call the model made, told to it as the tool's error text. */
export class ToolError extends Error {
  override name = 'ToolError'
}

/** RFC 3339 times in the answers: a model reads them more reliably than epoch milliseconds. */
export function iso(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString()
}
