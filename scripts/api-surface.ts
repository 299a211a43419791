// The public surface of a package entry as its type declarations describe it, read with the TypeScript
// compiler: the names the entry exports (and whether each is usable as a value), the members of the
// namespaces it exports, the static members of its class DBOS and the static and instance members of its
// class DBOSClient. scripts/check-api.ts compares DBOS Transact's surface with Perdure's.
import ts from 'typescript'

/** Qualified names: `name` for an export, `Ns.name` for a namespace member, `DBOS.name` for a static,
 * `DBOSClient.name` for a static and `DBOSClient#name` for an instance member. */
export interface ApiSurface {
  /** Every exported name, true when it can be used as a value (not a type-only export). */
  exports: Map<string, boolean>
  /** `Ns.member` for each member of each exported namespace (`export * as Ns`). */
  namespaceMembers: Set<string>
  /** `DBOS.member` for each public static member of the exported DBOS. */
  dbosStatics: Set<string>
  /** `DBOSClient.member` (static) and `DBOSClient#member` (instance) for the exported DBOSClient. */
  clientMembers: Set<string>
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
}

/**
 * A program rooted at one file. `files` (absolute path → text) are served before the file system, so a
 * test can describe a package in a few declarations.
 */
export function programFor(entry: string, files: Record<string, string> = {}): ts.Program {
  const host = ts.createCompilerHost(options, true)
  const { fileExists, readFile, getSourceFile, directoryExists } = host
  const holdsFiles = (dir: string) => Object.keys(files).some((path) => path.startsWith(`${dir}/`))
  host.fileExists = (path) => path in files || fileExists.call(host, path)
  host.directoryExists = (path) => holdsFiles(path) || (directoryExists?.call(host, path) ?? true)
  host.readFile = (path) => files[path] ?? readFile.call(host, path)
  host.getSourceFile = (path, language, onError, create) => {
    const text = files[path]
    if (text === undefined) return getSourceFile.call(host, path, language, onError, create)
    return ts.createSourceFile(path, text, language, true)
  }
  return ts.createProgram([entry], options, host)
}

/** Reads the surface of `entry` in `program`. */
export function surfaceOf(program: ts.Program, entry: string): ApiSurface {
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  if (!source) throw new Error(`${entry}: not found`)
  const module = checker.getSymbolAtLocation(source)
  if (!module) throw new Error(`${entry}: not a module`)

  const surface: ApiSurface = { exports: new Map(), namespaceMembers: new Set(), dbosStatics: new Set(), clientMembers: new Set() }
  for (const exported of checker.getExportsOfModule(module)) {
    const name = exported.getName()
    const target = resolved(checker, exported)
    surface.exports.set(name, (target.flags & ts.SymbolFlags.Value) !== 0 && !typeOnly(checker, exported))
    if (target.flags & ts.SymbolFlags.ValueModule && isNamespaceExport(exported)) {
      for (const member of checker.getExportsOfModule(target)) surface.namespaceMembers.add(`${name}.${member.getName()}`)
    }
    if (name === 'DBOS' || name === 'DBOSClient') {
      const statics = publicProperties(checker.getTypeOfSymbol(target)).filter((n) => n !== 'prototype')
      const into = name === 'DBOS' ? surface.dbosStatics : surface.clientMembers
      for (const member of statics) into.add(`${name}.${member}`)
      if (name === 'DBOSClient' && target.flags & ts.SymbolFlags.Class) {
        for (const member of publicProperties(checker.getDeclaredTypeOfSymbol(target))) into.add(`${name}#${member}`)
      }
    }
  }
  return surface
}

/** What an export finally names, through any chain of re-exports. */
function resolved(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
}

/** Whether some link of the re-export chain is `export type`/`import type`: then only the type is usable. */
function typeOnly(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  let current: ts.Symbol | undefined = symbol
  const seen = new Set<ts.Symbol>()
  while (current && current.flags & ts.SymbolFlags.Alias && !seen.has(current)) {
    seen.add(current)
    for (const declaration of current.declarations ?? []) {
      if (ts.isTypeOnlyImportOrExportDeclaration(declaration)) return true
    }
    current = checker.getImmediateAliasedSymbol(current)
  }
  return false
}

function isNamespaceExport(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.isNamespaceExport(d) || ts.isModuleDeclaration(d))
}

/** Names of a type's properties that callers can reach: no private, protected or #private members. */
function publicProperties(type: ts.Type): string[] {
  return type.getProperties()
    .filter((member) => !member.getName().startsWith('__#') && !member.getName().startsWith('#'))
    .filter((member) => !(member.declarations ?? []).some((d) =>
      ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) ||
      (ts.isClassElement(d) && d.name !== undefined && ts.isPrivateIdentifier(d.name))))
    .map((member) => member.getName())
}

/** One kind of name Perdure lacks, for printing. */
export interface MissingGroup {
  title: string
  names: string[]
}

/** An exclusion: a name of DBOS Transact's surface Perdure leaves out on purpose, and why. */
export interface Exclusion {
  name: string
  reason: string
}

export interface Comparison {
  /** Groups with at least one name, names sorted, exclusions left out. */
  missing: MissingGroup[]
  /** The exclusions that matched something missing. */
  excluded: Exclusion[]
  /** Exclusions naming nothing Perdure lacks: a typo, or Perdure has it now and the list is out of date. */
  stale: Exclusion[]
}

/** What `theirs` has that `ours` lacks, less the exclusions. */
export function compareSurfaces(theirs: ApiSurface, ours: ApiSurface, exclusions: Exclusion[]): Comparison {
  const lacking = (names: Iterable<string>, has: (name: string) => boolean) => [...names].filter((n) => !has(n)).sort()
  const groups: MissingGroup[] = [
    { title: 'exports', names: lacking(theirs.exports.keys(), (n) => ours.exports.has(n)) },
    {
      title: 'exported only as a type (5.3.0 exports a value)',
      names: lacking([...theirs.exports].filter(([n, value]) => value && ours.exports.has(n)).map(([n]) => n), (n) => ours.exports.get(n) === true),
    },
    { title: 'namespace members', names: lacking(theirs.namespaceMembers, (n) => ours.namespaceMembers.has(n)) },
    { title: 'DBOS static members', names: lacking(theirs.dbosStatics, (n) => ours.dbosStatics.has(n)) },
    { title: 'DBOSClient members', names: lacking(theirs.clientMembers, (n) => ours.clientMembers.has(n)) },
  ]
  const excludedNames = new Set(exclusions.map((e) => e.name))
  const allMissing = new Set(groups.flatMap((g) => g.names))
  return {
    missing: groups
      .map((g) => ({ title: g.title, names: g.names.filter((n) => !excludedNames.has(n)) }))
      .filter((g) => g.names.length > 0),
    excluded: exclusions.filter((e) => allMissing.has(e.name)),
    stale: exclusions.filter((e) => !allMissing.has(e.name)),
  }
}

/** The comparison as lines for a person: what is missing, grouped, then the exclusions and stale ones. */
export function report(comparison: Comparison, theirsLabel: string): string[] {
  const lines: string[] = []
  const count = comparison.missing.reduce((n, g) => n + g.names.length, 0)
  if (count > 0) {
    lines.push(`Perdure lacks ${count} name(s) of ${theirsLabel}:`)
    for (const group of comparison.missing) {
      lines.push(`  ${group.title} (${group.names.length}):`)
      for (const name of group.names) lines.push(`    ${name}`)
    }
  } else {
    lines.push(`Perdure has every name of ${theirsLabel} but the exclusions.`)
  }
  if (comparison.excluded.length > 0) {
    lines.push('Excluded on purpose:')
    for (const e of comparison.excluded) lines.push(`  ${e.name}: ${e.reason}`)
  }
  if (comparison.stale.length > 0) {
    lines.push('Exclusions that name nothing Perdure lacks (remove them):')
    for (const e of comparison.stale) lines.push(`  ${e.name}`)
  }
  return lines
}

/** Whether the check passes: nothing missing beyond the exclusions, and no stale exclusion. */
export function passes(comparison: Comparison): boolean {
  return comparison.missing.length === 0 && comparison.stale.length === 0
}

/** Reads and checks docs/api-exclusions.json's shape: `[{ "name": ..., "reason": ... }, ...]`. */
export function parseExclusions(text: string): Exclusion[] {
  const parsed: unknown = JSON.parse(text)
  if (!Array.isArray(parsed)) throw new Error('exclusions: expected an array')
  return parsed.map((entry: unknown, i) => {
    const e = entry as Partial<Exclusion> | null
    if (typeof e?.name !== 'string' || typeof e.reason !== 'string' || e.reason.trim() === '') {
      throw new Error(`exclusions[${i}]: expected { "name": string, "reason": non-empty string }`)
    }
    return { name: e.name, reason: e.reason }
  })
}
