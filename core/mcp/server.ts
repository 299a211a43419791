import * as v from 'valibot'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { clientErrorMessage, clientErrorStatus } from '../admin/request.ts'
import { DBOSError } from '../errors.ts'
import { portableStringify } from '../serialization/portable-json.ts'
import { PERDURE_VERSION } from '../startup.ts'
import type { McpDeps } from './deps.ts'
import { READ_TOOLS } from './read-tools.ts'
import type { McpSdk } from './sdk.ts'
import { type McpTool, ToolError } from './tool.ts'
import { WRITE_TOOLS } from './write-tools.ts'

const TOOLS: readonly McpTool[] = [...READ_TOOLS, ...WRITE_TOOLS]

/** How a model (and its user) turns the write tools on, in the error a write tool answers while they are off. */
export const WRITES_OFF =
  'changes the database, and write tools are off: start the stdio server with `perdure mcp --allow-writes`, ' +
  "or set adminMcpWrites: true in the application's DBOS config for the admin server's /mcp"

const INSTRUCTIONS =
  'Tools to inspect the durable workflows of a Perdure (DBOS) application in its system database: list and ' +
  'get workflows, their steps, events, streams and queues. Answers are compact JSON.'

/** What a tool answers: its result as compact JSON text, or its error as text. */
function answer(text: string, isError = false) {
  return { content: [{ type: 'text' as const, text }], ...(isError ? { isError } : {}) }
}

/** The message of an error the model caused and can act on; undefined for a failure of the server. */
function callerProblem(e: unknown): string | undefined {
  if (e instanceof ToolError) return e.message
  if (clientErrorStatus(e) !== undefined) return clientErrorMessage(e)
  if (e instanceof DBOSError) return e.message
  return undefined
}

async function call(deps: McpDeps, name: string, input: unknown, log: (message: string) => void) {
  const found = TOOLS.find((t) => t.name === name)
  if (!found) return answer(`Unknown tool ${JSON.stringify(name)}`, true)
  if (found.write && !deps.writes()) return answer(`${name} ${WRITES_OFF}`, true)
  const parsed = v.safeParse(found.args, input ?? {})
  if (!parsed.success) {
    const problems = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(arguments)'}: ${i.message}`)
    return answer(`Invalid arguments for ${name}: ${problems.join('; ')}`, true)
  }
  try {
    return answer(portableStringify(await found.run(deps, parsed.output)))
  } catch (e) {
    const problem = callerProblem(e)
    if (problem !== undefined) return answer(problem, true)
    log(`MCP tool ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)
    return answer(`${name} failed on the server (see its log)`, true)
  }
}

/**
 * An MCP server with Perdure's tools over `deps`, on the SDK's low-level Server: the tools' JSON Schemas are
 * written by hand and their arguments checked with valibot. Write tools are listed only when `deps.writes()`;
 * called without it, they answer a tool error saying how to allow them. `log` gets failures the model is not told about.
 */
export function createMcpServer(sdk: McpSdk, deps: McpDeps, log: (message: string) => void): Server {
  const server = new sdk.Server(
    { name: 'perdure', version: PERDURE_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  )
  server.setRequestHandler(sdk.ListToolsRequestSchema, () => ({
    tools: TOOLS.filter((t) => !t.write || deps.writes()).map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema as { type: 'object'; properties?: Record<string, object> },
      annotations: { readOnlyHint: !t.write },
    })),
  }))
  // Typed here, not inferred: where the SDK's schema types do not resolve (Deno's check of the JSR package), the
  // inferred parameter would be an implicit any.
  server.setRequestHandler(
    sdk.CallToolRequestSchema,
    (request: { params: { name: string; arguments?: Record<string, unknown> } }) =>
      call(deps, request.params.name, request.params.arguments, log),
  )
  return server
}
