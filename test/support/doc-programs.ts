// The ```ts code blocks of a Markdown document, and which of them are complete programs to run.

/** The first line that marks a block as a complete program: runnable as it stands, importing 'perdure'. */
export const COMPLETE_PROGRAM = '// complete program'

export interface CodeBlock {
  /** The document's path, for messages. */
  readonly doc: string
  /** The 1-based line of the opening fence. */
  readonly line: number
  readonly code: string
  /** Marked with COMPLETE_PROGRAM. */
  readonly complete: boolean
}

const FENCE = /^```(ts|typescript)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm

/** Every ```ts and ```typescript block of `text`, in order. */
export function codeBlocks(doc: string, text: string): CodeBlock[] {
  return [...text.matchAll(FENCE)].map((match) => {
    const code = match[2] ?? ''
    return {
      doc,
      line: text.slice(0, match.index).split('\n').length,
      code,
      complete: code.split('\n', 1)[0]?.trim() === COMPLETE_PROGRAM,
    }
  })
}

const IMPORTS_PERDURE = /^import [^;\n]* from 'perdure'$/m
const LAUNCHES = /\bawait DBOS\.launch\(\)/
const SHUTS_DOWN = /\bawait DBOS\.shutdown\(\)/

/**
 * Why `block` is refused, or undefined. A marked block must import Perdure by the package name, launch and
 * shut down (a program that never shuts down keeps its process alive); an unmarked block that imports and
 * launches Perdure is a program too, and must be marked so that it runs.
 */
export function refusal(block: CodeBlock): string | undefined {
  const where = `${block.doc}:${block.line}`
  const imports = IMPORTS_PERDURE.test(block.code)
  const launches = LAUNCHES.test(block.code)
  if (!block.complete) {
    return imports && launches ? `${where} imports 'perdure' and launches: mark it ${COMPLETE_PROGRAM} or cut it to a fragment` : undefined
  }
  const missing = [
    imports ? undefined : "import … from 'perdure'",
    launches ? undefined : 'await DBOS.launch()',
    SHUTS_DOWN.test(block.code) ? undefined : 'await DBOS.shutdown()',
  ].filter((m) => m !== undefined)
  return missing.length > 0 ? `${where} is marked ${COMPLETE_PROGRAM} but lacks ${missing.join(', ')}` : undefined
}
