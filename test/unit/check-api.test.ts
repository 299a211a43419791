// npm run check:api's pieces (scripts/api-surface.ts): the surface read off small declaration files, and the
// comparison that decides the exit code.
import { type ApiSurface, compareSurfaces, parseExclusions, passes, programFor, report, surfaceOf } from '../../scripts/api-surface.ts'
import { describe, expect, it } from '../harness.ts'

/** A package described by declaration files under /fixture/<name>/, read from its index.d.ts. */
function surface(name: string, files: Record<string, string>): ApiSurface {
  const dir = `/fixture/${name}`
  const rooted = Object.fromEntries(Object.entries(files).map(([path, text]) => [`${dir}/${path}`, text]))
  return surfaceOf(programFor(`${dir}/index.d.ts`, rooted), `${dir}/index.d.ts`)
}

// Shaped like DBOS Transact's declarations: re-exports, an `export type` of a class, a namespace of errors.
const theirs = surface('theirs', {
  'index.d.ts': [
    "export { DBOS, RecvOptions } from './dbos';",
    "export { DBOSClient } from './client';",
    "export type { WorkflowQueue } from './queue';",
    "export * as Error from './error';",
    "export { StatusString } from './status';",
  ].join('\n'),
  'dbos.d.ts': [
    'export interface RecvOptions { timeoutSeconds?: number }',
    'export declare function getExecutor(): unknown;',
    'export declare class DBOS {',
    '    #private;',
    '    static launch(): Promise<void>;',
    '    static get workflowID(): string | undefined;',
    '    static waitFirst(): Promise<void>;',
    '    private static clearRegistry;',
    '    protected static hidden(): void;',
    '    listAll(): void;',
    '}',
  ].join('\n'),
  'client.d.ts': [
    'export declare class DBOSClient {',
    '    #private;',
    '    readonly serializer: unknown;',
    '    private readonly systemDatabase;',
    '    private constructor();',
    '    static create(): Promise<DBOSClient>;',
    '    enqueue(): Promise<void>;',
    '    sendInTransaction(): Promise<void>;',
    '}',
  ].join('\n'),
  'queue.d.ts': 'export declare class WorkflowQueue { name: string }',
  'error.d.ts': 'export declare class DBOSError extends Error {}\nexport declare const QueryTimeout = 35;',
  'status.d.ts': "export declare const StatusString: { readonly PENDING: 'PENDING' };",
})

describe('API surface', () => {
  it('reads exports through re-exports, with type-only exports and interfaces marked as types', () => {
    expect([...theirs.exports].sort()).toEqual([
      ['DBOS', true], ['DBOSClient', true], ['Error', true], ['RecvOptions', false], ['StatusString', true], ['WorkflowQueue', false],
    ])
  })

  it("reads the members of an exported namespace, DBOS's public statics and DBOSClient's public members", () => {
    expect([...theirs.namespaceMembers].sort()).toEqual(['Error.DBOSError', 'Error.QueryTimeout'])
    expect([...theirs.dbosStatics].sort()).toEqual(['DBOS.launch', 'DBOS.waitFirst', 'DBOS.workflowID'])
    expect([...theirs.clientMembers].sort()).toEqual([
      'DBOSClient#enqueue', 'DBOSClient#sendInTransaction', 'DBOSClient#serializer', 'DBOSClient.create',
    ])
  })

  it('reads TypeScript source with .ts imports, `export *`, and a DBOS that is a class there', () => {
    const ours = surface('ours', {
      'index.d.ts': "export * from './core.ts'\nexport type { Handle } from './core.ts'",
      'core.ts': [
        'export class DBOS { static async launch() {} static get workflowID() { return undefined } }',
        'export type Handle = { id: string }',
        'export const StatusString = 1',
      ].join('\n'),
    })
    expect([...ours.exports].sort()).toEqual([['DBOS', true], ['Handle', false], ['StatusString', true]])
    expect([...ours.dbosStatics].sort()).toEqual(['DBOS.launch', 'DBOS.workflowID'])
  })
})

describe('API comparison', () => {
  const ours = surface('partial', {
    'index.d.ts': [
      'export declare class DBOS { static launch(): Promise<void>; static get workflowID(): string | undefined }',
      'export declare class DBOSClient { static create(): Promise<DBOSClient>; enqueue(): Promise<void> }',
      'declare class Queue {}',
      'export type { Queue as WorkflowQueue }',
      'export type StatusString = string',
    ].join('\n'),
  })

  it('groups what is missing, including a value exported only as a type', () => {
    const comparison = compareSurfaces(theirs, ours, [])
    expect(comparison.missing).toEqual([
      { title: 'exports', names: ['Error', 'RecvOptions'] },
      { title: 'exported only as a type (5.3.0 exports a value)', names: ['StatusString'] },
      { title: 'namespace members', names: ['Error.DBOSError', 'Error.QueryTimeout'] },
      { title: 'DBOS static members', names: ['DBOS.waitFirst'] },
      { title: 'DBOSClient members', names: ['DBOSClient#sendInTransaction', 'DBOSClient#serializer'] },
    ])
    expect(passes(comparison)).toBe(false)
    const lines = report(comparison, 'theirs 1.0')
    expect(lines[0]).toBe('Perdure lacks 8 name(s) of theirs 1.0:')
    expect(lines).toContain('    DBOSClient#sendInTransaction')
  })

  it('passes when every missing name is excluded, and lists the exclusions with their reasons', () => {
    const exclusions = ['Error', 'RecvOptions', 'StatusString', 'Error.DBOSError', 'Error.QueryTimeout', 'DBOS.waitFirst',
      'DBOSClient#sendInTransaction', 'DBOSClient#serializer'].map((name) => ({ name, reason: `no ${name}` }))
    const comparison = compareSurfaces(theirs, ours, exclusions)
    expect(comparison.missing).toEqual([])
    expect(comparison.stale).toEqual([])
    expect(passes(comparison)).toBe(true)
    expect(report(comparison, 'theirs 1.0')).toContain('  DBOS.waitFirst: no DBOS.waitFirst')
  })

  it('fails on an exclusion that names nothing missing', () => {
    const comparison = compareSurfaces(theirs, theirs, [{ name: 'DBOS.launch', reason: 'had it once' }])
    expect(comparison.missing).toEqual([])
    expect(comparison.stale).toEqual([{ name: 'DBOS.launch', reason: 'had it once' }])
    expect(passes(comparison)).toBe(false)
  })

  it('refuses an exclusion without a reason', () => {
    expect(parseExclusions('[{ "name": "DBOS.span", "reason": "tracing" }]')).toEqual([{ name: 'DBOS.span', reason: 'tracing' }])
    expect(() => parseExclusions('[{ "name": "DBOS.span" }]')).toThrow('exclusions[0]')
    expect(() => parseExclusions('{}')).toThrow('expected an array')
  })
})
