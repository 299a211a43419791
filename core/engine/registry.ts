import { DBOSConflictingRegistrationError } from '../errors.ts'
import { recordRegistrationSite } from '../version-source.ts'

// deno-lint-ignore no-explicit-any
export type AnyFn = (...args: any[]) => Promise<unknown>

/** Options of `DBOS.registerWorkflow`. */
export interface WorkflowConfig {
  /** The workflow's durable name; defaults to the function's name. */
  name?: string
  /** Dead-letter the workflow after this many recovery attempts (default 100). */
  maxRecoveryAttempts?: number
  /** Store this workflow's inputs and outcome as `portable_json` (readable by every language). */
  serialization?: 'portable' | 'native'
}

/** A registered workflow function. */
export interface WorkflowRegistration {
  readonly name: string
  /** '' for free functions. */
  readonly className: string
  readonly fn: AnyFn
  readonly maxRecoveryAttempts: number
  readonly serialization: 'portable' | 'native' | undefined
  /** `this` of a static method (its class); undefined for free functions and instance methods. */
  readonly target?: unknown
  /** An instance method of a ConfiguredInstance: `this` is the instance named by the row's config_name. */
  readonly instanceMethod?: boolean
}

/** Registries locked by a launch: method decorators, which are handed no registry, check these. */
const launchedRegistries = new Set<Registry>()

/**
 * Refuses a decorated method (a workflow, a step, a schedule) while DBOS is launched, as DBOS 5.3 does.
 * @throws DBOSConflictingRegistrationError after launch
 */
export function checkRegistrationsOpen(what: string): void {
  for (const registry of launchedRegistries) registry.checkOpen(what)
}

/** Every registered workflow, by `<className>.<name>`, and by the wrapper handed back to the user. */
export class Registry {
  readonly #byKey = new Map<string, WorkflowRegistration>()
  readonly #byWrapper = new WeakMap<object, WorkflowRegistration>()
  #locked = false

  /** After launch, new registrations are refused: recovery could not have found them. */
  lock(locked: boolean): void {
    this.#locked = locked
    if (locked) launchedRegistries.add(this)
    else launchedRegistries.delete(this)
  }

  /**
   * Refuses a registration (of a workflow, a step or a decorated method) once DBOS is launched: recovery could not
   * find a workflow registered later, and DBOS 5.3 refuses steps alike.
   * @throws DBOSConflictingRegistrationError after launch
   */
  checkOpen(what: string): void {
    if (this.#locked) {
      throw new DBOSConflictingRegistrationError(
        `Cannot register ${what} after DBOS.launch(): register every workflow and step before launch ` +
          'so that recovery can find it (or call DBOS.shutdown() first)',
      )
    }
  }

  add(reg: WorkflowRegistration, wrapper: object): void {
    this.checkOpen(`workflow '${reg.name}'`)
    const key = `${reg.className}.${reg.name}`
    if (this.#byKey.has(key)) {
      throw new DBOSConflictingRegistrationError(
        `A workflow named '${reg.name}'${reg.className ? ` in class ${reg.className}` : ''} is already registered; ` +
          'give one of them another name with { name: "…" }',
      )
    }
    this.#byKey.set(key, reg)
    this.#byWrapper.set(wrapper, reg)
    // The default application version digests the file this registration came from (core/version-source.ts).
    recordRegistrationSite(reg)
  }

  find(className: string | null, name: string): WorkflowRegistration | undefined {
    return this.#byKey.get(`${className ?? ''}.${name}`)
  }

  ofWrapper(fn: object): WorkflowRegistration | undefined {
    return this.#byWrapper.get(fn)
  }

  all(): WorkflowRegistration[] {
    return [...this.#byKey.values()]
  }
}
