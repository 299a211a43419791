// Fails when core/ reaches for a runtime: node: imports, or the Deno, Bun or process globals.
// Runtime code belongs in adapters/ and reaches core through ports.
//
// Comments are blanked out first (with the TypeScript parser, so strings and regexes are
// handled), so prose such as "a crash kills the process." does not trip the check.
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Each pattern runs on one comment-free line. `(?<![.\w$])` skips `obj.process` and `myBun`. */
const rules = [
  { pattern: /\bfrom\s*['"]node:/, why: 'imports a node: module' },
  { pattern: /\bimport\s*\(?\s*['"]node:/, why: 'imports a node: module' },
  { pattern: /\brequire\s*\(\s*['"]node:/, why: 'requires a node: module' },
  { pattern: /(?<![.\w$])Deno\s*[.[]/, why: 'uses the Deno global' },
  { pattern: /(?<![.\w$])Bun\s*[.[]/, why: 'uses the Bun global' },
  { pattern: /(?<![.\w$])process\s*[.[]/, why: 'uses the process global' },
  { pattern: /\btypeof\s+(process|Deno|Bun)\b/, why: 'sniffs the runtime' },
  { pattern: /\bglobalThis\s*(\.|\[\s*['"])(process|Deno|Bun)\b/, why: 'uses a runtime global' },
]

/**
 * @param {string} dir
 * @returns {string[]}
 */
function listSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return listSources(path)
    const isSource = /\.[cm]?ts$/.test(entry.name) && !/\.test\.[cm]?ts$/.test(entry.name)
    return entry.isFile() && isSource ? [path] : []
  })
}

/**
 * Replaces every comment with spaces, keeping newlines so line numbers still match.
 * @param {string} fileName
 * @param {string} text
 */
function blankComments(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  /** @type {Map<number, number>} */
  const ranges = new Map()
  /** @param {ts.Node} node */
  const visit = (node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
      ranges.set(range.pos, range.end)
    }
    for (const range of ts.getTrailingCommentRanges(text, node.getEnd()) ?? []) {
      ranges.set(range.pos, range.end)
    }
    for (const child of node.getChildren(source)) visit(child)
  }
  visit(source)
  let result = ''
  let from = 0
  for (const [pos, end] of [...ranges].sort(([a], [b]) => a - b)) {
    if (pos < from) continue
    result += text.slice(from, pos) + text.slice(pos, end).replace(/[^\n]/g, ' ')
    from = end
  }
  return result + text.slice(from)
}

const coreDir = join(root, 'core')
const files = listSources(coreDir)
/** @type {string[]} */
const offences = []
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const original = text.split('\n')
  const code = blankComments(file, text).split('\n')
  code.forEach((line, index) => {
    for (const { pattern, why } of rules) {
      if (!pattern.test(line)) continue
      const where = `${relative(root, file).split(sep).join('/')}:${index + 1}`
      offences.push(`${where}: ${why}\n    ${(original[index] ?? '').trim()}`)
      break
    }
  })
}

if (offences.length > 0) {
  console.error(`core purity: ${offences.length} offending line(s); move runtime code to adapters/`)
  console.error('')
  console.error(offences.join('\n'))
  process.exitCode = 1
} else {
  console.log(`core purity: OK (${files.length} files)`)
}
