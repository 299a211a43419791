import type { CliCommand, CliContext } from '../cli/command.ts'
import { DATABASE_OPTIONS, withSystem } from '../cli/connection.ts'
import { Serialization } from '../serialization/serializer.ts'
import { createMcpServer } from './server.ts'
import { loadMcpSdk, type McpSdkLoader } from './sdk.ts'
import { type StdioStreams, StdioStreamTransport } from './stdio-transport.ts'

/** `perdure mcp` with the SDK taken from `load` (a test passes one that fails). */
export function createMcpCommand(load: McpSdkLoader): CliCommand {
  return {
    path: ['mcp'],
    summary: 'Serve an MCP server on standard input and output: tools that inspect workflows, steps, events, streams and queues',
    options: [
      { name: 'allow-writes', description: 'Also offer the tools that cancel, resume and fork workflows and send messages' },
      ...DATABASE_OPTIONS,
    ],
    async run(ctx: CliContext, args) {
      const stdio = ctx.stdio?.()
      if (!stdio) throw new Error('This perdure bin gives commands no standard input and output streams to serve MCP on')
      const sdk = await load()
      const writes = args.options['allow-writes'] === true
      // Payloads are decoded with the default serializer, as a DBOSClient does.
      const serialization = new Serialization()
      await withSystem(ctx, args, {}, async (sys) => {
        const log = (message: string) => ctx.err(`${message}\n`)
        const server = createMcpServer(sdk, { sys: () => sys, serialization: () => serialization, writes: () => writes }, log)
        const closed = new Promise<void>((resolve) => {
          server.onclose = resolve
        })
        await server.connect(new StdioStreamTransport(sdk, stdio))
        ctx.err(`perdure mcp: serving on standard input and output, ${writes ? 'write tools allowed' : 'read-only (--allow-writes allows writes)'}\n`)
        // Until the client closes standard input.
        await closed
      })
    },
  }
}

/** `perdure mcp`: an entry of the CLI's command table. */
export const mcpCommand: CliCommand = createMcpCommand(loadMcpSdk)
