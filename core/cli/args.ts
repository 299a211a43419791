import { type OptionSpec, type ParsedArgs, type PositionalSpec, UsageError } from './command.ts'

// A parser of our own rather than node:util's parseArgs: core stays free of node: modules, and the same option
// table gives the help text, the required positionals and the exit-code-2 errors in words we choose.

/**
 * Parses a command's arguments: `--name value`, `--name=value`, `-x value`, flags, and `--` before positionals
 * that start with a dash. An option value may itself start with a dash (`--step -1`); the command judges it.
 */
export function parseArgs(
  tokens: readonly string[], options: readonly OptionSpec[], positionals: readonly PositionalSpec[] = [],
): ParsedArgs {
  const byLong = new Map(options.map((o) => [o.name, o]))
  const byShort = new Map(options.flatMap((o) => (o.short ? [[o.short, o] as const] : [])))
  const values: Record<string, string | true> = {}
  const rest: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token === '--') {
      rest.push(...tokens.slice(i + 1))
      break
    }
    if (!token.startsWith('-') || token === '-') {
      rest.push(token)
      continue
    }
    const long = token.startsWith('--')
    const eq = long ? token.indexOf('=') : -1
    const key = long ? token.slice(2, eq === -1 ? undefined : eq) : token.slice(1)
    const spec = long ? byLong.get(key) : byShort.get(key)
    if (!spec) throw new UsageError(`Unknown option ${long ? `--${key}` : token}`)
    const shown = long ? `--${key}` : token
    if (values[spec.name] !== undefined) throw new UsageError(`Option ${shown} is given twice`)
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`Option ${shown} takes no value`)
      values[spec.name] = true
      continue
    }
    const value = eq !== -1 ? token.slice(eq + 1) : tokens[++i]
    if (value === undefined) throw new UsageError(`Option ${shown} needs a value: ${shown} <${spec.value}>`)
    values[spec.name] = value
  }
  const missing = positionals.slice(rest.length).find((p) => p.required)
  if (missing) throw new UsageError(`Missing argument <${missing.name}>: ${missing.description}`)
  if (rest.length > positionals.length) throw new UsageError(`Unexpected argument ${JSON.stringify(rest[positionals.length])}`)
  return { options: values, positionals: rest }
}

/** A whole number from 0 given as an option's text; `what` names the option in the error. */
export function wholeNumber(what: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} must be a whole number from 0, got ${JSON.stringify(text)}`)
  return n
}

/** An option's text value (undefined when absent); `option` is its long name. */
export function text(args: ParsedArgs, option: string): string | undefined {
  const v = args.options[option]
  return typeof v === 'string' ? v : undefined
}
