import { redact } from '../sysdb/connect.ts'
import { DEFAULT_RENAME_BATCH_SIZE } from '../sysdb/system-database.ts'
import { text } from './args.ts'
import { type CliCommand, UsageError } from './command.ts'
import { confirmed, YES_OPTION } from './confirm.ts'
import { DATABASE_OPTIONS, databaseUrl, DEFAULT_SCHEMA, openSystem, withSystem } from './connection.ts'
import { record, toJson } from './output.ts'

// `perdure reset` and `perdure rename-application`: the two commands that change rows an application owns, so
// both ask first unless -y.

/** A positive whole number given as an option's text. */
function positive(what: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number from 1, got ${JSON.stringify(value)}`)
  return n
}

export const ADMIN_COMMANDS: readonly CliCommand[] = [
  {
    path: ['reset'],
    summary: 'Drop the system schema with every workflow, step, queue and schedule in it (asks first unless -y)',
    options: [YES_OPTION, ...DATABASE_OPTIONS],
    async run(ctx, args) {
      const url = databaseUrl(ctx, args)
      const schemaName = text(args, 'schema') ?? DEFAULT_SCHEMA
      const where = `schema "${schemaName}" of ${redact(url)}`
      if (!(await confirmed(ctx, args, `This drops ${where}, deleting the record of every workflow and step. Proceed?`))) return
      // The schema, not the database: the system tables may share a database with the application's own.
      const sys = await openSystem(ctx, url, schemaName, { appName: null, requireTables: false })
      try {
        await sys.dropSchema()
      } finally {
        await sys.close().catch(() => {})
      }
      ctx.out(`Dropped ${where}. \`perdure migrate\` or the next launch creates it again.\n`)
    },
  },
  {
    path: ['rename-application'],
    summary: "Give a renamed application the rows its previous name owns (stop it first; asks first unless -y)",
    options: [
      { name: 'from', short: 'f', value: 'name', description: "The application's previous name; omit to adopt unclaimed rows only" },
      { name: 'to', short: 't', value: 'name', description: 'The application that ends up owning the rows (required)' },
      { name: 'adopt-unclaimed-rows', description: 'Also take rows no application owns' },
      { name: 'batch-size', value: 'n', description: `Workflows (with their steps) re-owned per transaction (default ${DEFAULT_RENAME_BATCH_SIZE})` },
      { name: 'json', description: 'Print the counts as compact JSON' },
      YES_OPTION, ...DATABASE_OPTIONS,
    ],
    async run(ctx, args) {
      const from = text(args, 'from')
      const to = text(args, 'to')
      const adoptUnclaimedRows = args.options['adopt-unclaimed-rows'] === true
      if (to === undefined || to === '') throw new UsageError('Missing option --to <name>: the application that ends up owning the rows')
      if (from === '') throw new UsageError("--from must not be empty: omit it to adopt unclaimed rows only")
      if (from === undefined && !adoptUnclaimedRows) throw new UsageError('Nothing to re-own: pass --from, --adopt-unclaimed-rows, or both')
      if (from === to) throw new UsageError(`--from and --to are both ${JSON.stringify(to)}: nothing to rename`)
      const size = text(args, 'batch-size')
      const batchSize = size === undefined ? DEFAULT_RENAME_BATCH_SIZE : positive('--batch-size', size)
      const url = databaseUrl(ctx, args)
      const sources = [from === undefined ? [] : [`the rows of "${from}"`], adoptUnclaimedRows ? ['the rows no application owns'] : []].flat()
      const question = `This gives ${sources.join(' and ')} in ${redact(url)} to "${to}". Stop the application being renamed first. Proceed?`
      if (!(await confirmed(ctx, args, question))) return
      const moved = await withSystem(ctx, args, {}, (sys) => sys.renameApplication(from, to, { batchSize, adoptUnclaimedRows }))
      ctx.out(args.options.json ? `${toJson(moved)}\n` : `Re-owned as "${to}":\n${record(Object.entries(moved))}`)
    },
  },
]
