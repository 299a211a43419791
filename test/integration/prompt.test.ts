// The agent prompt and skill (skills/perdure/) teach by example, so their examples must run. Every ```ts
// block whose first line is `// complete program` is written to a scratch project, where it imports Perdure
// by the package name as a user's program does, and run on the runtime running the tests against embedded
// PGlite. A block that launches Perdure without the mark is refused, so no program escapes the run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { describeOn } from '../support/databases.ts'
import { codeBlocks, type CodeBlock, refusal } from '../support/doc-programs.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const DOCS = ['skills/perdure/SKILL.md', 'skills/perdure/PROMPT.md']
/** A program launches PGlite (a copy of the runner's template, or a new in-memory database) and runs a few workflows. */
const PROGRAM_TIMEOUT_MS = 90_000

const g = globalThis as { Bun?: unknown; Deno?: unknown }
const onNode = !g.Bun && !g.Deno
const blocks: CodeBlock[] = DOCS.flatMap((doc) => codeBlocks(doc, readFileSync(join(root, doc), 'utf8')))
const programs = blocks.filter((block) => block.complete)

/**
 * Makes `perdure` resolve, in `scratch`, to this checkout's source as a user's install resolves it to dist/.
 * Node and Bun find node_modules/perdure, whose exports are package.json's with each dist/ file replaced by
 * a module re-exporting its source, so the runtime conditions choose the entry point as they do for users.
 * Deno, which will not load a local TypeScript file from inside node_modules, gets an import map to the
 * JSR package's root export, as `deno add jsr:@perdure/perdure` would. Returns Deno's import map.
 */
function linkPerdure(scratch: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, Record<string, string>>
  }
  const pkg = join(scratch, 'node_modules', 'perdure')
  const exports: Record<string, Record<string, string>> = {}
  for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    exports[subpath] = {}
    for (const [condition, target] of Object.entries(conditions)) {
      if (condition === 'types') continue
      const source = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')
      const shim = join(pkg, source.replace(/\.ts$/, '.js'))
      mkdirSync(dirname(shim), { recursive: true })
      writeFileSync(shim, `export * from '${pathToFileURL(join(root, source)).href}'\n`)
      exports[subpath][condition] = `./${source.replace(/\.ts$/, '.js')}`
    }
  }
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'perdure', type: 'module', exports }, null, 2))
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n')

  const jsr = JSON.parse(readFileSync(join(root, 'jsr.json'), 'utf8')) as { exports: Record<string, string> }
  const importMap = join(scratch, 'import_map.json')
  const entry = pathToFileURL(join(root, jsr.exports['.'] ?? '')).href
  writeFileSync(importMap, JSON.stringify({ imports: { perdure: entry } }))
  return importMap
}

/** Where `program` is written in `scratch`. */
function programFile(scratch: string, program: CodeBlock): string {
  return join(scratch, `${program.doc.replace(/\W+/g, '-')}-${program.line}.ts`)
}

/** The command that runs `file` on the runtime running the tests. */
function programCommand(file: string, importMap: string): [string, string[]] {
  if (g.Bun) return [process.execPath, [file]]
  if (g.Deno) return [process.execPath, ['run', '-A', '--no-check', `--import-map=${importMap}`, file]]
  return [process.execPath, ['--import', 'tsx', file]]
}

describeOn('pglite', 'prompt and skill programs', (db) => {
  let scratch = ''
  let importMap = ''
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'perdure-prompt-'))
    importMap = linkPerdure(scratch)
    for (const program of programs) writeFileSync(programFile(scratch, program), program.code)
  })
  afterAll(async () => {
    await Child.killAll()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
    await db.dropAll()
  })

  it('every marked block is a program, and every program is marked', () => {
    expect(blocks.map(refusal).filter((why) => why !== undefined)).toEqual([])
    // What the programs must show running: workflows and steps, queues, messages and events, streams.
    expect(programs.length).toBeGreaterThanOrEqual(4)
    const all = programs.map((p) => p.code).join('\n')
    const shown = ['DBOS.registerWorkflow(', 'DBOS.runStep(', 'new WorkflowQueue(', 'DBOS.send(', 'DBOS.recv', 'DBOS.setEvent(', 'DBOS.getEvent', 'DBOS.writeStream(', 'DBOS.readStream', 'DBOSClient.create(']
    expect(shown.filter((call) => !all.includes(call))).toEqual([])
  })

  it('refuses a marked block that cannot run, and a program left unmarked', () => {
    const block = (code: string) => codeBlocks('doc.md', '```ts\n' + code + '```\n')
    const launch = "import { DBOS } from 'perdure'\nawait DBOS.launch()\n"
    expect(block(`// complete program\n${launch}await DBOS.shutdown()\n`).map(refusal)).toEqual([undefined])
    expect(block('// complete program\nawait DBOS.launch()\nawait DBOS.shutdown()\n').map(refusal)).toEqual([
      "doc.md:1 is marked // complete program but lacks import … from 'perdure'",
    ])
    expect(block(`// complete program\n${launch}`).map(refusal)).toEqual(['doc.md:1 is marked // complete program but lacks await DBOS.shutdown()'])
    expect(block(launch).map(refusal)).toEqual([
      "doc.md:1 imports 'perdure' and launches: mark it // complete program or cut it to a fragment",
    ])
  })

  // Running catches a misspelt function; only the types catch a misspelt option, which JavaScript ignores.
  // tsc is the same whatever runs the tests: once, on Node.
  if (onNode) {
    it('the programs type-check against Perdure\'s own types', async () => {
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { paths: { perdure: [join(root, 'adapters', 'auto', 'mod.ts')] }, typeRoots: [join(root, 'node_modules', '@types')] },
        include: ['*.ts'],
      }))
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
      const child = new Child('tsc on the programs', [process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', join(scratch, 'tsconfig.json')]], {
        stdin: 'ignore',
        timeoutMS: PROGRAM_TIMEOUT_MS,
      })
      expect((await child.exited).signal).toBeNull()
      // Only the programs' own diagnostics: the checkout's files have their own type check.
      const scratchName = scratch.split(/[\\/]/).pop() ?? scratch
      expect(child.stdout.split('\n').filter((line) => line.includes(scratchName))).toEqual([])
    })
  }

  for (const program of programs) {
    it(`${program.doc}:${program.line} runs to exit 0`, async () => {
      const child = new Child(`${program.doc}:${program.line}`, programCommand(programFile(scratch, program), importMap), {
        stdin: 'ignore',
        timeoutMS: PROGRAM_TIMEOUT_MS,
        // The admin port is the machine's; a test must not take it from the programs around it.
        env: { DBOS_SYSTEM_DATABASE_URL: db.fresh(), PERDURE_RUN_ADMIN_SERVER: 'false' },
      })
      await child.succeeded()
    })
  }
})
