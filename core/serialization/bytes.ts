/**
 * Byte-buffer helpers shared by the superjson recipe and the legacy reviver. Core may not import
 * `node:buffer`, so Buffer is reached through `globalThis` and plain `Uint8Array` stands in where
 * the runtime has no Buffer.
 */

interface BufferLike {
  isBuffer(value: unknown): boolean
  from(bytes: readonly number[]): Uint8Array
}

function runtimeBuffer(): BufferLike | undefined {
  const candidate = (globalThis as { Buffer?: BufferLike }).Buffer
  return typeof candidate === 'function' ? candidate : undefined
}

/** True for a Node-style Buffer (Node, Bun and Deno's npm compatibility all provide one). */
export function isBuffer(value: unknown): value is Uint8Array {
  if (typeof value !== 'object' || value === null) return false
  return runtimeBuffer()?.isBuffer(value) ?? false
}

/** Builds a Buffer from a list of bytes, or a Uint8Array where the runtime has no Buffer. */
export function bytesFrom(bytes: readonly number[]): Uint8Array {
  return runtimeBuffer()?.from(bytes) ?? Uint8Array.from(bytes)
}
