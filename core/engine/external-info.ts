// Registration hooks for libraries built on DBOS (event receivers and the like): lifecycle callbacks, and
// information such a library attaches to the classes and functions it drives.

/** A library's part in launch and shutdown (DBOS 5.3's DBOSLifecycleCallback). */
export interface DBOSLifecycleCallback {
  /** Called at the end of `DBOS.launch()`. */
  initialize?(): Promise<void>
  /** Called at the start of `DBOS.shutdown()`. */
  destroy?(): Promise<void>
  /** Called by `DBOS.logRegisteredEndpoints()`. */
  logRegisteredEndpoints?(): void
}

/** A function a library associated information with. */
export interface MethodRegistrationBase {
  name: string
  className: string
  isInstance: boolean
  /** The information each library (by its key) attached to this function. */
  externalRegInfo: Map<unknown, unknown>
  origFunction: Function
  registeredFunction: Function | undefined
  wrappedFunction: Function | undefined
  invoke(pthis: unknown, args: unknown[]): unknown
}

/** One function with the information a library attached to it and to its class. */
export interface ExternalRegistration {
  classConfig?: unknown
  methodConfig?: unknown
  methodReg: MethodRegistrationBase
}

/** How `DBOS.associateFunctionWithInfo` names a function. */
export interface FunctionName {
  name?: string
  className?: string
  /** The class (static methods) or its prototype (instance methods), whose name is the default class name. */
  ctorOrProto?: object
}

type ClassKey = Function | object | string

interface ClassInfo {
  readonly name: string
  readonly info: Map<unknown, object>
  readonly methods: Map<string, MethodRegistrationBase>
}

const callbacks: DBOSLifecycleCallback[] = []
const classes = new Map<string, ClassInfo>()

export function registerLifecycleCallback(callback: DBOSLifecycleCallback): void {
  callbacks.push(callback)
}

export function lifecycleCallbacks(): readonly DBOSLifecycleCallback[] {
  return callbacks
}

function classNameOf(cls: ClassKey | undefined): string {
  if (cls === undefined) return ''
  if (typeof cls === 'string') return cls
  if (typeof cls === 'function') return cls.name
  return (cls as { constructor?: { name?: string } }).constructor?.name ?? ''
}

function classInfo(name: string): ClassInfo {
  let c = classes.get(name)
  if (!c) classes.set(name, c = { name, info: new Map(), methods: new Map() })
  return c
}

/** The (mutable) information `external` keeps about a class, created empty on first use. */
export function associateClass(external: unknown, cls: ClassKey): object {
  const c = classInfo(classNameOf(cls))
  let info = c.info.get(external)
  if (!info) c.info.set(external, info = {})
  return info
}

/** Records `func` under its class and name, and returns it with the (mutable) information `external` keeps about it. */
export function associateFunction(
  external: unknown, func: Function, target: FunctionName,
): { registration: MethodRegistrationBase; regInfo: object } {
  const className = target.className ?? classNameOf(target.ctorOrProto)
  const name = target.name ?? func.name
  const c = classInfo(className)
  let reg = c.methods.get(name)
  if (!reg) {
    reg = {
      name, className, isInstance: typeof target.ctorOrProto === 'object', externalRegInfo: new Map(), origFunction: func,
      registeredFunction: func, wrappedFunction: func, invoke: (pthis, args) => func.apply(pthis, args),
    }
    c.methods.set(name, reg)
  }
  if (!reg.externalRegInfo.has(external)) reg.externalRegInfo.set(external, {})
  return { registration: reg, regInfo: reg.externalRegInfo.get(external) as object }
}

/** The functions `external` attached information to: of one class (and one name), or all. */
export function associatedInfo(external: unknown, cls?: ClassKey, funcName?: string): readonly ExternalRegistration[] {
  const scope = cls === undefined ? [...classes.values()] : [classes.get(classNameOf(cls))].filter((c) => c !== undefined)
  const found: ExternalRegistration[] = []
  for (const c of scope) {
    for (const reg of c.methods.values()) {
      if (funcName !== undefined && reg.name !== funcName) continue
      if (!reg.externalRegInfo.has(external)) continue
      found.push({ classConfig: c.info.get(external), methodConfig: reg.externalRegInfo.get(external), methodReg: reg })
    }
  }
  return found
}

/** Alerts from an operations service (DBOS 5.3's AlertHandler). */
export type AlertHandler = (name: string, message: string, metadata: Record<string, string>) => Promise<void>
