// Fails when package.json and jsr.json drift apart: same version, same export keys, each JSR export the
// source of the npm export with the same key (npm "." picks by condition; JSR "." is auto), and the
// same dependency versions.
import { existsSync, readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const jsr = JSON.parse(readFileSync('jsr.json', 'utf8'))
const problems = []

if (pkg.version !== jsr.version) problems.push(`version: package.json ${pkg.version}, jsr.json ${jsr.version}`)
const npmKeys = Object.keys(pkg.exports).sort()
const jsrKeys = Object.keys(jsr.exports).sort()
if (npmKeys.join() !== jsrKeys.join()) problems.push(`export keys: npm [${npmKeys}] vs jsr [${jsrKeys}]`)

for (const [key, source] of Object.entries(jsr.exports)) {
  if (!existsSync(source)) problems.push(`jsr export ${key}: ${source} does not exist`)
  const target = pkg.exports[key]
  const built = typeof target === 'string' ? target : target?.default
  const expected = source.replace(/^\.\//, './dist/').replace(/\.ts$/, '.js')
  if (built !== expected) problems.push(`export ${key}: npm ${built} is not the build of jsr ${source} (${expected})`)
}

// Deno resolves the bare imports of the JSR sources through jsr.json's import map: keep it on package.json's
// dependency versions.
for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
  if (jsr.imports?.[name] !== `npm:${name}@${range}`) {
    problems.push(`import map: ${name} should map to npm:${name}@${range}, not ${jsr.imports?.[name]}`)
  }
}

if (problems.length > 0) {
  console.error(`package.json and jsr.json disagree:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`exports: OK (${jsrKeys.length} entry points, version ${pkg.version})`)
