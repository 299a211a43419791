// Which file a workflow was registered from, read off a stack: the default application version digests it.
import { callerLocation } from '../../core/version-source.ts'
import { describe, expect, it } from '../harness.ts'

/** A stack as V8 (Node, Deno) and JavaScriptCore in Bun's V8-style format print it, from Perdure's file down. */
function stack(own: string, caller: string): string {
  return [
    'Error',
    `    at recordRegistrationSite (${own}/core/version-source.ts:29:17)`,
    `    at Registry.add (${own}/core/engine/registry.ts:59:5)`,
    `    at Function.registerWorkflow (${own}/core/dbos.ts:120:20)`,
    `    at ${caller}:12:25`,
    '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
  ].join('\n')
}

describe('registration site', () => {
  it('is the first file outside Perdure, from a checkout and from an installed package', () => {
    expect(callerLocation(stack('/repo', '/app/src/flows.ts'))).toBe('/app/src/flows.ts')
    expect(callerLocation(stack('/app/node_modules/perdure/dist', '/app/src/flows.ts').replaceAll('/core/', '/'))).toBe('/app/src/flows.ts')
    expect(callerLocation(stack('/repo', 'file:///app/src/flows.ts'))).toBe('file:///app/src/flows.ts')
  })

  it('keeps an @ inside a path (scoped packages, folders named @something)', () => {
    expect(callerLocation(stack('/repo', '/app/node_modules/@org/flows/wf.js'))).toBe('/app/node_modules/@org/flows/wf.js')
    expect(callerLocation(stack('/repo', '/home/me/@work/app/wf.ts'))).toBe('/home/me/@work/app/wf.ts')
    const named = stack('/repo', '/x').replace('    at /x:12:25', '    at main (/home/me/@work/app/wf.ts:3:4)')
    expect(callerLocation(named)).toBe('/home/me/@work/app/wf.ts')
  })

  it('reads the function@location frames of other engines', () => {
    const frames = ['recordRegistrationSite@/repo/core/version-source.ts:29:17', 'main@/app/@work/wf.ts:3:4'].join('\n')
    expect(callerLocation(frames)).toBe('/app/@work/wf.ts')
  })

  it('is unknown when no frame names a file outside Perdure', () => {
    expect(callerLocation('Error\n    at recordRegistrationSite (/repo/core/version-source.ts:29:17)')).toBeUndefined()
    expect(callerLocation('Error\n    at <anonymous>')).toBeUndefined()
  })
})
