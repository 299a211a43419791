import { DBOSConflictingRegistrationError, DBOSError } from '../errors.ts'

const instances = new Map<string, Map<string, ConfiguredInstance>>()
let frozen = false

/**
 * Base class of objects whose methods are workflows. Each instance has a name, unique within its class, under
 * which recovery finds it again; create every instance before `DBOS.launch()`, which calls `initialize()`.
 * @example
 * class Mailer extends ConfiguredInstance {
 *   constructor(name: string, readonly from: string) { super(name) }
 *   @DBOS.workflow() async send(to: string) { … }
 * }
 * const mailer = new Mailer('support', 'help@example.com')
 */
export class ConfiguredInstance {
  readonly name: string

  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0) throw new DBOSError('A ConfiguredInstance needs a non-empty name')
    const className = new.target.name
    if (frozen) {
      throw new DBOSError(`Instance '${name}' of ${className} was created after DBOS.launch(): create instances before launch so recovery can find them`)
    }
    const byName = instances.get(className) ?? new Map<string, ConfiguredInstance>()
    if (byName.has(name)) {
      throw new DBOSConflictingRegistrationError(`An instance of ${className} named '${name}' already exists; instance names must be unique per class`)
    }
    this.name = name
    byName.set(name, this)
    instances.set(className, byName)
  }

  /** Called once at `DBOS.launch()`, before any workflow runs: validate configuration, open clients. */
  initialize(): Promise<void> | void {}
}

/** The instance of a class registered under a name, if any (recovery resolves `config_name` with it). */
export function findInstance(className: string, name: string | null): ConfiguredInstance | undefined {
  return name === null ? undefined : instances.get(className)?.get(name)
}

/** Every instance, for initialization at launch. */
export function allInstances(): ConfiguredInstance[] {
  return [...instances.values()].flatMap((m) => [...m.values()])
}

/** Launch freezes instance creation; shutdown thaws it. */
export function freezeInstances(value: boolean): void {
  frozen = value
}
