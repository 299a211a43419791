// npm run check:api — compares the public API of the installed @dbos-inc/dbos-sdk (its package entry's
// exports, DBOS's static members, DBOSClient's members, read from its type declarations) with Perdure's
// package entry, prints what Perdure lacks, and exits 1 unless every missing name is listed with its reason
// in docs/api-exclusions.json (and every listed name is still missing).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareSurfaces, parseExclusions, passes, programFor, report, surfaceOf } from './api-surface.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

interface PackageJson {
  version?: string
  types?: string
  exports?: Record<string, string | Record<string, string>>
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
}

/** The declarations file of a package's "." entry: its "types" condition, else the top-level "types". */
function typesEntry(pkg: PackageJson): string {
  const dot = pkg.exports?.['.']
  const types = typeof dot === 'object' ? dot.types : undefined
  const entry = types ?? pkg.types
  if (!entry) throw new Error('package.json names no types for its "." entry')
  return entry
}

const sdkDir = join(root, 'node_modules', '@dbos-inc', 'dbos-sdk')
const sdkPackage = readPackage(sdkDir)
const sdkEntry = resolve(sdkDir, typesEntry(sdkPackage))

// Perdure's "." declarations are built from source into dist/: read the source they are built from, so the
// check needs no build.
const ownEntry = resolve(root, typesEntry(readPackage(root)).replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts'))
if (!existsSync(ownEntry)) throw new Error(`${ownEntry}: the source of Perdure's "." types entry is missing`)

const exclusionsFile = join(root, 'docs', 'api-exclusions.json')
const exclusions = parseExclusions(readFileSync(exclusionsFile, 'utf8'))

const theirs = surfaceOf(programFor(sdkEntry), sdkEntry)
const ours = surfaceOf(programFor(ownEntry), ownEntry)
const comparison = compareSurfaces(theirs, ours, exclusions)
const lines = report(comparison, `@dbos-inc/dbos-sdk ${sdkPackage.version ?? '(unknown version)'}`)
if (passes(comparison)) {
  console.log(lines.join('\n'))
} else {
  console.error(lines.join('\n'))
  console.error('check:api failed: add the missing names to Perdure, or list them with a reason in docs/api-exclusions.json')
  process.exit(1)
}
