import { defineConfig } from 'tsup'

// One line per published entry point. The key is the output path under dist/, so
// 'adapters/node/mod' becomes dist/adapters/node/mod.js and .d.ts, matching package.json exports.
const entry: Record<string, string> = {
  'adapters/node/mod': 'adapters/node/mod.ts',
  'adapters/bun/mod': 'adapters/bun/mod.ts',
  'adapters/deno/mod': 'adapters/deno/mod.ts',
  'adapters/auto/mod': 'adapters/auto/mod.ts',
  'adapters/browser/mod': 'adapters/browser/mod.ts',
  // The `perdure` command, package.json's bin.
  'adapters/cli/main': 'adapters/cli/main.ts',
}

// Runtime dependencies stay imports in dist/; the consumer's package manager installs them.
const external: (string | RegExp)[] = [
  'postgres',
  '@electric-sql/pglite',
  'hono',
  '@hono/node-server',
  'valibot',
  'croner',
  /^@opentelemetry\//,
  'superjson',
  'serialize-error',
  /^node:/,
]

export default defineConfig({
  entry,
  format: ['esm'],
  dts: true,
  // Entries share one core chunk instead of each bundling its own copy.
  splitting: true,
  // 'neutral' picks no runtime's builtins or conditions; adapters import node: modules explicitly.
  platform: 'neutral',
  // tsup 8 strips `node:` by default; Deno needs the prefix, and it costs Node and Bun nothing.
  removeNodeProtocol: false,
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  external,
})
