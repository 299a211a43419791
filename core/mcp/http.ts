import type { Context } from 'hono'
import type { McpDeps } from './deps.ts'
import { createMcpServer } from './server.ts'
import { loadMcpSdk, McpSdkMissingError, type McpSdkLoader } from './sdk.ts'

/** Where the admin server serves MCP over Streamable HTTP. */
export const MCP_PATH = '/mcp'

/**
 * The Hono handler of `POST /mcp` (Streamable HTTP, stateless): each request gets its own server and the SDK's
 * web-standard transport, answering with JSON rather than an SSE stream, since no tool sends progress. Without
 * sessions there is no stream for `GET` to open, nor a session for `DELETE` to end: the handler answers them 405,
 * as the transport specification allows. The SDK is loaded on the first request; without it, 501 and why.
 */
export function mcpHandler(deps: McpDeps, log: (message: string) => void, load: McpSdkLoader = loadMcpSdk) {
  return async (c: Context): Promise<Response> => {
    if (c.req.method !== 'POST') return c.json({ error: 'Method Not Allowed: this MCP endpoint is stateless, send POST' }, 405, { Allow: 'POST' })
    let sdk
    try {
      sdk = await load()
    } catch (e) {
      if (e instanceof McpSdkMissingError) return c.json({ error: e.message }, 501)
      throw e
    }
    const server = createMcpServer(sdk, deps, log)
    const transport = new sdk.WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    await server.connect(transport)
    try {
      return await transport.handleRequest(c.req.raw)
    } finally {
      await server.close()
    }
  }
}
