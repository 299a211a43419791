// Entry point that installs the adapter of whichever runtime loads it: runtime-neutral code and JSR's "."
// use it. The npm package's "." picks an adapter by export condition instead, loading only that one.
import type { HttpPort } from '../../core/ports/http.ts'
import type { Runtime } from '../../core/ports/runtime.ts'
import { installRuntime } from '../../core/runtime.ts'
import { installSourceReader } from '../../core/version-source.ts'
import { readSource } from '../shared/read-source.ts'
import * as bun from '../bun/runtime.ts'
import * as deno from '../deno/runtime.ts'
import * as node from '../node/runtime.ts'

const g = globalThis as { Bun?: unknown; Deno?: unknown }

/** Creates the Runtime of the current runtime (Bun, Deno, else Node). */
export const createRuntime: typeof node.createRuntime = g.Bun
  ? bun.createRuntime
  : g.Deno
    ? deno.createRuntime
    : node.createRuntime

const runtime: Runtime = createRuntime()
installRuntime(runtime)
installSourceReader(readSource)

/** Serves a fetch handler on the current runtime; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, options) => runtime.http.serve(handler, options)

export * from '../../core/mod.ts'
