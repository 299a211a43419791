import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js'
import type { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

/** The parts of the MCP SDK the server uses, loaded on first use: the SDK is an optional peer dependency. */
export interface McpSdk {
  readonly Server: typeof Server
  readonly WebStandardStreamableHTTPServerTransport: typeof WebStandardStreamableHTTPServerTransport
  readonly ListToolsRequestSchema: typeof ListToolsRequestSchema
  readonly CallToolRequestSchema: typeof CallToolRequestSchema
  readonly deserializeMessage: typeof deserializeMessage
  readonly serializeMessage: typeof serializeMessage
}

/** Loads the SDK; the MCP server's entry points take another loader only to be tested without it. */
export type McpSdkLoader = () => Promise<McpSdk>

/** The SDK could not be loaded: it is not installed (or not resolvable from Perdure). */
export class McpSdkMissingError extends Error {
  override name = 'McpSdkMissingError'
  constructor(cause: unknown) {
    super(
      'The MCP server needs the optional package @modelcontextprotocol/sdk, which could not be loaded ' +
        `(${cause instanceof Error ? cause.message : String(cause)}): install it beside perdure, ` +
        'e.g. `npm install @modelcontextprotocol/sdk`',
      { cause },
    )
  }
}

let loaded: Promise<McpSdk> | undefined

/** Imports the SDK once per process; a failed import is retried on the next call (it may since have been installed). */
export const loadMcpSdk: McpSdkLoader = () => {
  loaded ??= (async () => {
    try {
      const [server, http, stdio, types] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/index.js'),
        import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
        import('@modelcontextprotocol/sdk/shared/stdio.js'),
        import('@modelcontextprotocol/sdk/types.js'),
      ])
      return {
        Server: server.Server,
        WebStandardStreamableHTTPServerTransport: http.WebStandardStreamableHTTPServerTransport,
        ListToolsRequestSchema: types.ListToolsRequestSchema,
        CallToolRequestSchema: types.CallToolRequestSchema,
        deserializeMessage: stdio.deserializeMessage,
        serializeMessage: stdio.serializeMessage,
      }
    } catch (e) {
      loaded = undefined
      throw new McpSdkMissingError(e)
    }
  })()
  return loaded
}
