import type { Engine } from '../engine/engine.ts'
import type { Signals } from '../engine/signals.ts'
import type { LocalEffects } from '../management/control.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/**
 * What the MCP server needs, without an engine: `perdure mcp` runs it alone on a system database another
 * process writes. Each is looked up per request, since a launched process's change across shutdown and relaunch.
 */
export interface McpDeps {
  /** The system database: every tool reads and acts through it. */
  sys(): SystemDatabase
  /** Decodes stored inputs, outputs, errors, events and stream values; encodes sent messages. */
  serialization(): Serialization
  /** Whether the write tools (cancel, resume, fork, send) are listed and run. */
  writes(): boolean
  /** Wakes a receiver waiting in this process at once when a message is sent. */
  signals?(): Signals
  /** The engine's local effects of cancel, resume and fork; absent when nothing runs workflows here. */
  effects?(): LocalEffects
}

/** The dependencies of the admin server's `/mcp` inside a launched process, over its engine. */
export function mcpDepsOf(engine: () => Engine, writes: boolean): McpDeps {
  return {
    sys: () => engine().settings.sys,
    serialization: () => engine().settings.serialization,
    writes: () => writes,
    signals: () => engine().signals,
    effects: () => engine(),
  }
}
