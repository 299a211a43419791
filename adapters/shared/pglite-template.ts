// A new embedded database starts from a pre-initialized PGlite data directory when one is at hand, instead of
// running initdb. initdb is most of a first launch (measured on a loaded 2-core machine: 5.6-13.5 s to create a
// directory, 2.3-2.9 s from the template). The template is PGlite's own `dumpDataDir()` of a freshly created
// database, made at build time (scripts/pglite-template.mjs, run by `npm run build` and so by `npm pack`) into
// dist/; it is never committed. It holds initdb's output only: the DBOS schema comes from the migrations, as on
// a directory made by initdb, so the two are identical (test/integration/pglite-template.test.ts).
// Running from source (a checkout without a build, JSR), there is none, and initdb runs as before.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

/** The template's file name, beside the built chunk that holds this code (dist/). */
export const TEMPLATE_FILE = 'pglite-template.tar.gz'

/**
 * The template, if there is one: PERDURE_PGLITE_TEMPLATE (a path; tests set it), else dist/ beside this code once
 * built, else dist/ of a checkout that was built.
 */
export function readTemplate(): Blob | undefined {
  const configured = process.env.PERDURE_PGLITE_TEMPLATE
  const candidates = configured
    ? [configured]
    : [new URL(`./${TEMPLATE_FILE}`, import.meta.url), new URL(`../../dist/${TEMPLATE_FILE}`, import.meta.url)]
        .filter((url) => url.protocol === 'file:')
        .map((url) => fileURLToPath(url))
  for (const path of candidates) {
    try {
      return new Blob([readFileSync(path)])
    } catch {
      // Not there: try the next, or run initdb.
    }
  }
  return undefined
}

/** True when `dir` has no entries: the only directory a template may be unpacked into. */
export function isEmptyDirectory(dir: string): boolean {
  return readdirSync(dir).length === 0
}

/** Removes what a failed unpacking left in `dir`, which was empty before, so that initdb can run there. */
export function emptyDirectory(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true })
}
