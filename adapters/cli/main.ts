#!/usr/bin/env node
// The `perdure` command (package bin): `npx perdure`, `bunx perdure`, `deno run -A npm:perdure`. It installs the
// adapter of whichever runtime runs it, hands argv, the environment and the output streams to core/cli, and
// exits with the code the command chose.
import { readFile } from 'node:fs/promises'
import process from 'node:process'
import { createInterface } from 'node:readline/promises'
import { Readable, Writable } from 'node:stream'
import { createRuntime } from '../auto/mod.ts'
import { runCli } from '../../core/cli/run.ts'

/** Resolves once `text` is handed to the stream, so that exiting right after loses none of a piped output. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve())
  })
}

/** A yes/no answer from the terminal; undefined when standard input is not one (a pipe, /dev/null, a CI job). */
async function confirm(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY) return undefined
  // The question goes to standard error, so that standard output stays the command's result alone.
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return ['y', 'yes'].includes((await rl.question(question)).trim().toLowerCase())
  } finally {
    rl.close()
  }
}

/** Resolves at the first SIGINT or SIGTERM, so that a serving command closes its database before exiting. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}

/**
 * A file of the package by its path from the package root: this file runs from adapters/cli/ in a checkout and
 * from dist/adapters/cli/ once built, so the root is two or three levels up.
 */
async function packageFile(path: string): Promise<string> {
  for (const up of ['../../', '../../../']) {
    try {
      return await readFile(new URL(`${up}${path}`, import.meta.url), 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
  }
  throw new Error(`${path} is missing from this installation of perdure`)
}

const pending: Promise<void>[] = []
const code = await runCli(process.argv.slice(2), {
  runtime: createRuntime(),
  out: (text) => void pending.push(write(process.stdout, text)),
  err: (text) => void pending.push(write(process.stderr, text)),
  confirm,
  stdio: () => ({
    input: Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    output: Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
  }),
  interrupted,
  packageFile,
})
await Promise.all(pending)
// Exit at once: a database driver may keep an idle timer alive for a while after its pool has closed.
process.exit(code)
