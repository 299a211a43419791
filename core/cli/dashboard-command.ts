import { createDashboardServer } from '../dashboard/standalone.ts'
import { Serialization } from '../serialization/serializer.ts'
import { text } from './args.ts'
import { type CliCommand, UsageError } from './command.ts'
import { DATABASE_OPTIONS, withSystem } from './connection.ts'

const DEFAULT_PORT = 3001

/** A TCP port number, or a usage error naming the option. */
function port(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT
  const n = Number(value)
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`--port: must be a whole number from 1 to 65535, got ${JSON.stringify(value)}`)
  }
  return n
}

/**
 * `perdure dashboard`: the web dashboard alone, on any system database of schema 123 (an application of
 * Perdure's or an official DBOS one, on Postgres or in a PGlite directory no process holds), until
 * interrupted. It listens on 127.0.0.1 only: without a token, loopback is what keeps other machines out, as
 * for the admin server; `--token` makes the page ask for one.
 */
export const dashboardCommand: CliCommand = {
  path: ['dashboard'],
  summary: 'Serve the web dashboard on 127.0.0.1 for a system database, until interrupted',
  options: [
    ...DATABASE_OPTIONS,
    { name: 'port', short: 'p', value: 'port', description: `Port to listen on (default ${DEFAULT_PORT})` },
    { name: 'token', value: 'token', description: 'Require this bearer token on every data request (the page asks for it)' },
  ],
  async run(ctx, args) {
    const listenPort = port(text(args, 'port'))
    const token = text(args, 'token')
    if (token !== undefined && (token === '' || /\s/.test(token))) throw new UsageError('--token: must be non-empty, without whitespace')
    if (!ctx.interrupted) throw new Error('This perdure bin cannot wait for an interrupt, which a serving command needs')
    const stop = ctx.interrupted()
    // Payloads are decoded with the default serializer, as a DBOSClient does.
    const serialization = new Serialization()
    await withSystem(ctx, args, {}, async (sys) => {
      const app = createDashboardServer(
        { sys: () => sys, serialization: () => serialization, timer: () => ctx.runtime.timer, logError: (m) => ctx.err(`${m}\n`) },
        token === undefined ? {} : { token },
      )
      const server = await ctx.runtime.http.serve(app.fetch, { port: listenPort, hostname: '127.0.0.1' })
      ctx.out(`Dashboard: http://127.0.0.1:${server.port}/dashboard/ (Ctrl-C stops it)\n`)
      await stop
      await server.close()
    })
  },
}
