// Builds dist/pglite-template.tar.gz, the pre-initialized PGlite data directory a first launch on a new
// embedded directory starts from instead of running initdb (adapters/shared/pglite-template.ts). Run by
// `npm run build` after tsup, so `npm pack` ships it; never committed.
//
//   node scripts/pglite-template.mjs [output file]   (default dist/pglite-template.tar.gz)
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const output = process.argv[2] ?? join(root, 'dist', 'pglite-template.tar.gz')

// A fresh database and nothing else: the DBOS schema comes from the migrations at launch, as without a template.
const db = await PGlite.create()
const dump = await db.dumpDataDir('gzip')
await db.close()
mkdirSync(dirname(output), { recursive: true })
writeFileSync(output, Buffer.from(await dump.arrayBuffer()))
console.log(`PGlite template: ${output} (${Math.round(dump.size / 1024)} KiB)`)
