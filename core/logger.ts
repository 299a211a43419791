import { LOG_LEVELS, type LogLevel } from './config.ts'

/** The logger behind `DBOS.logger`. */
export interface DBOSLogger {
  debug(message: unknown, ...rest: unknown[]): void
  info(message: unknown, ...rest: unknown[]): void
  warn(message: unknown, ...rest: unknown[]): void
  error(message: unknown, ...rest: unknown[]): void
}

/** A console logger with a level threshold; the level can change at launch. */
export class ConsoleLogger implements DBOSLogger {
  #threshold = LOG_LEVELS.indexOf('info')

  setLevel(level: LogLevel): void {
    this.#threshold = LOG_LEVELS.indexOf(level)
  }

  #emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LOG_LEVELS.indexOf(level) < this.#threshold) return
    const line = `${new Date().toISOString()} [perdure] ${level.toUpperCase()}: ${
      message instanceof Error ? (message.stack ?? message.message) : String(message)
    }`
    // Errors and warnings go to stderr so that a program's own stdout stays clean.
    if (level === 'error') console.error(line, ...rest)
    else if (level === 'warn') console.warn(line, ...rest)
    else console.log(line, ...rest)
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.#emit('debug', message, rest)
  }
  info(message: unknown, ...rest: unknown[]): void {
    this.#emit('info', message, rest)
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.#emit('warn', message, rest)
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.#emit('error', message, rest)
  }
}
