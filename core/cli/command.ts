import type { Runtime } from '../ports/runtime.ts'

/** An option a command takes: `--name value` (or `-x value`), or a flag without a value. */
export interface OptionSpec {
  /** The long name, without its dashes. */
  readonly name: string
  /** One letter: `-x`. */
  readonly short?: string
  /** Placeholder of its value in help (`<url>`); absent for a flag. */
  readonly value?: string
  readonly description: string
}

/** A positional argument. */
export interface PositionalSpec {
  readonly name: string
  readonly description: string
  readonly required: boolean
}

/** What the parser makes of a command's arguments: option values by long name, flags as true. */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | true | undefined>>
  readonly positionals: readonly string[]
}

/**
 * What a command sees of the process running it; the bin entry (adapters/cli) supplies it, so commands stay
 * free of any one runtime.
 */
export interface CliContext {
  readonly runtime: Runtime
  /** Writes text to standard output; a command adds its own newlines. */
  out(text: string): void
  /** Writes text to standard error. */
  err(text: string): void
  /**
   * Asks a yes/no question on the terminal and resolves with the answer; undefined when no terminal can answer
   * (standard input is not one), so that a command never waits on a pipe.
   */
  confirm(question: string): Promise<boolean | undefined>
  /** Standard input and output as byte streams, for a command that speaks a protocol over them (`perdure mcp`). */
  stdio?(): { readonly input: ReadableStream<Uint8Array>; readonly output: WritableStream<Uint8Array> }
  /** The text of a file shipped in the package, by its path from the package root (`skills/perdure/PROMPT.md`). */
  packageFile?(path: string): Promise<string>
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM): a command that serves waits on it. */
  interrupted?(): Promise<void>
}

/**
 * One entry of the command table (commands.ts). A new command (a dashboard, an MCP server) is one more entry:
 * the parser, help and error handling come with it.
 */
export interface CliCommand {
  /** The words that name it: ['workflow', 'list']. */
  readonly path: readonly string[]
  /** Other spellings of the whole path, e.g. where DBOS's `dbos` puts the command. */
  readonly alsoAt?: readonly (readonly string[])[]
  readonly summary: string
  readonly positionals?: readonly PositionalSpec[]
  readonly options: readonly OptionSpec[]
  run(ctx: CliContext, args: ParsedArgs): Promise<void>
}

/** Bad input: unknown command or option, a missing or malformed argument. Exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError'
}
