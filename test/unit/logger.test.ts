import { ConsoleLogger } from '../../core/logger.ts'
import { describe, expect, it } from '../harness.ts'

function capture(fn: () => void): string[] {
  const lines: string[] = []
  const saved = { log: console.log, warn: console.warn, error: console.error }
  console.log = (line: string) => lines.push(line)
  console.warn = (line: string) => lines.push(line)
  console.error = (line: string) => lines.push(line)
  try {
    fn()
  } finally {
    Object.assign(console, saved)
  }
  return lines
}

describe('ConsoleLogger', () => {
  it('drops messages below the configured level', () => {
    const logger = new ConsoleLogger()
    logger.setLevel('warn')
    const lines = capture(() => {
      logger.debug('d')
      logger.info('i')
      logger.warn('w')
      logger.error(new Error('boom'))
    })
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/\[perdure\] WARN: w$/)
    expect(lines[1]).toMatch(/\[perdure\] ERROR: Error: boom/)
  })

  it('logs info and above by default, debug when asked', () => {
    const logger = new ConsoleLogger()
    expect(capture(() => logger.debug('hidden'))).toEqual([])
    expect(capture(() => logger.info('shown'))).toHaveLength(1)
    logger.setLevel('debug')
    expect(capture(() => logger.debug('now shown'))).toHaveLength(1)
  })
})
