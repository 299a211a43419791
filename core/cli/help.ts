import type { CliCommand, OptionSpec } from './command.ts'

/** One command's usage, positionals and options. */
export function commandHelp(command: CliCommand): string {
  const positionals = (command.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`))
  const lines = [`Usage: perdure ${[...command.path, ...positionals].join(' ')} [options]`, '', command.summary]
  if (command.alsoAt?.length) lines.push(`Also: ${command.alsoAt.map((p) => `perdure ${p.join(' ')}`).join(', ')}`)
  if (command.positionals?.length) {
    lines.push('', 'Arguments:', ...columns(command.positionals.map((p) => [p.name, p.description])))
  }
  const options: OptionSpec[] = [...command.options, { name: 'help', short: 'h', description: 'Show this help' }]
  lines.push('', 'Options:', ...columns(options.map((o) => [optionLabel(o), o.description])))
  return lines.join('\n') + '\n'
}

/** The commands under `prefix` (all of them for none), one line each. */
export function overview(commands: readonly CliCommand[], prefix: readonly string[] = []): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w))
  const lines = [
    `Usage: perdure ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    'Commands:',
    ...columns(shown.map((c) => [c.path.join(' '), c.summary])),
    '',
    'Each command takes --help. The system database comes from --db <url> or DBOS_SYSTEM_DATABASE_URL.',
    'Exit codes: 0 done, 1 the database failed (unreachable, no system tables), 2 bad input.',
  ]
  return lines.join('\n') + '\n'
}

function optionLabel(o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` <${o.value}>` : ''}`
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}
