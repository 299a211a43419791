// Entry point for Bun: installs the Bun runtime, then exposes the shared API.
import { installRuntime } from '../../core/runtime.ts'
import { createRuntime } from './runtime.ts'
import { serve } from './serve.ts'

installRuntime(createRuntime())

export * from '../../core/mod.ts'
export { createRuntime, serve }
