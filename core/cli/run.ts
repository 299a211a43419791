import { DBOSInvalidArgumentError, DBOSNonExistentWorkflowError } from '../errors.ts'
import { sqlState } from '../ports/database.ts'
import { PERDURE_VERSION } from '../startup.ts'
import { parseArgs } from './args.ts'
import { type CliCommand, type CliContext, UsageError } from './command.ts'
import { COMMANDS, WORD_ALIASES } from './commands.ts'
import { commandHelp, overview } from './help.ts'

/** Exit codes: done, the database failed, bad input. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const

const wantsHelp = (tokens: readonly string[]) => {
  const end = tokens.indexOf('--')
  return (end === -1 ? tokens : tokens.slice(0, end)).some((t) => t === '-h' || t === '--help')
}

/** The command that `argv` starts with, the longest match first, and how many words named it. */
function find(argv: readonly string[], commands: readonly CliCommand[]): { command: CliCommand; words: number } | undefined {
  const word = (i: number) => (argv[i] === undefined ? undefined : (WORD_ALIASES[argv[i]!] ?? argv[i]))
  let best: { command: CliCommand; words: number } | undefined
  for (const command of commands) {
    for (const path of [command.path, ...(command.alsoAt ?? [])]) {
      if (path.every((w, i) => word(i) === w) && path.length > (best?.words ?? 0)) best = { command, words: path.length }
    }
  }
  return best
}

/**
 * Runs the `perdure` command line `argv` (the arguments after the program) and resolves with its exit code:
 * 0 done, 1 the database failed (unreachable, no system tables), 2 bad input. Errors are printed as one
 * message, never a stack trace.
 */
export async function runCli(argv: readonly string[], ctx: CliContext, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const found = find(argv, commands)
  if (!found) return unknown(argv, ctx, commands)
  const { command, words } = found
  const rest = argv.slice(words)
  if (wantsHelp(rest)) {
    ctx.out(commandHelp(command))
    return EXIT.ok
  }
  try {
    await command.run(ctx, parseArgs(rest, command.options, command.positionals))
    return EXIT.ok
  } catch (e) {
    return report(ctx, e, command)
  }
}

/** No command matched: help, the version, a group's commands, or an unknown command. */
function unknown(argv: readonly string[], ctx: CliContext, commands: readonly CliCommand[]): number {
  const [first, ...more] = argv
  if (first === '-V' || first === '--version') {
    ctx.out(`${PERDURE_VERSION}\n`)
    return EXIT.ok
  }
  if (first === 'help' && more.length > 0) return runHelp(more, ctx, commands)
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') {
    ;(first === undefined ? ctx.err : ctx.out)(overview(commands))
    return first === undefined ? EXIT.usage : EXIT.ok
  }
  const group = WORD_ALIASES[first] ?? first
  if (commands.some((c) => c.path.length > 1 && c.path[0] === group)) {
    if (more.length === 0 || (wantsHelp(more) && more.every((t) => t.startsWith('-')))) {
      ;(more.length === 0 ? ctx.err : ctx.out)(overview(commands, [group]))
      return more.length === 0 ? EXIT.usage : EXIT.ok
    }
    ctx.err(`perdure: unknown command: ${group} ${more[0]}\n\n${overview(commands, [group])}`)
    return EXIT.usage
  }
  ctx.err(`perdure: unknown command: ${first}\n\n${overview(commands)}`)
  return EXIT.usage
}

/** `perdure help <command…>`. */
function runHelp(words: readonly string[], ctx: CliContext, commands: readonly CliCommand[]): number {
  const found = find(words, commands)
  if (found && found.words === words.length) {
    ctx.out(commandHelp(found.command))
    return EXIT.ok
  }
  return unknown([...words, '--help'], ctx, commands)
}

/** Prints an error as one message and picks its exit code. */
function report(ctx: CliContext, e: unknown, command: CliCommand): number {
  if (e instanceof UsageError || e instanceof DBOSInvalidArgumentError || e instanceof DBOSNonExistentWorkflowError) {
    ctx.err(`perdure: ${e.message}\nRun \`perdure ${command.path.join(' ')} --help\` for its usage.\n`)
    return EXIT.usage
  }
  const code = sqlState(e)
  const message = e instanceof Error ? e.message : String(e)
  ctx.err(`perdure: ${message}${code ? ` (SQLSTATE ${code})` : ''}\n`)
  return EXIT.failed
}
