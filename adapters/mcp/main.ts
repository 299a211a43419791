#!/usr/bin/env node
// `perdure mcp` on its own: the MCP server on standard input and output, as an MCP client spawns it
// (`node --import tsx adapters/mcp/main.ts --db <url> [--allow-writes]`, or under Bun or Deno). It hands the
// process's streams to core/mcp as web streams and exits once the client closes standard input.
import process from 'node:process'
import { Readable, Writable } from 'node:stream'
import { createRuntime } from '../auto/mod.ts'
import { runCli } from '../../core/cli/run.ts'
import { mcpCommand, type StdioCliContext } from '../../core/mcp/command.ts'

const ctx: StdioCliContext = {
  runtime: createRuntime(),
  // Standard output carries the protocol alone: the command writes nothing else there.
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  confirm: async () => undefined,
  stdio: () => ({
    input: Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    output: Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
  }),
}
const code = await runCli(['mcp', ...process.argv.slice(2)], ctx, [mcpCommand])
// Exit at once: a database driver may keep an idle timer alive for a while after its pool has closed.
process.exit(code)
