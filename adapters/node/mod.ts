// Entry point for Node: installs the Node runtime, then exposes the shared API.
import { installRuntime } from '../../core/runtime.ts'
import { installSourceReader } from '../../core/version-source.ts'
import { readSource } from '../shared/read-source.ts'
import { createRuntime } from './runtime.ts'
import { serve } from './serve.ts'

installRuntime(createRuntime())
installSourceReader(readSource)

export * from '../../core/mod.ts'
export { createRuntime, serve }
