import type { WorkflowHandle } from './engine/handle.ts'
import { checkRegistrationsOpen } from './engine/registry.ts'

/** A standard (TC39) method decorator. */
export type StandardMethodDecorator = <T extends (...args: never[]) => unknown>(
  method: T,
  context: ClassMethodDecoratorContext,
) => T

/** The methods of a class or instance that `DBOS.startWorkflow(target)` can start, returning handles. */
export type StartableMethods<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<WorkflowHandle<R>> : never
}

type Build = (
  method: (...args: unknown[]) => unknown,
  name: string,
  className: string,
  isStatic: boolean,
  target: unknown,
) => { wrapper: (...args: unknown[]) => unknown; register: (key: object) => void }

function isStandardContext(x: unknown): x is ClassMethodDecoratorContext {
  return typeof x === 'object' && x !== null && 'kind' in x && 'addInitializer' in x
}

/**
 * One decorator for both decorator dialects. Legacy decorators see the class (static) or its prototype at
 * definition time; standard ones register from an initializer, which runs with the class as `this` for static
 * methods and with the instance at construction for instance methods (first construction wins). Either way, a
 * class decorated while DBOS is launched is refused (DBOSConflictingRegistrationError), as in DBOS 5.3.
 */
export function methodDecorator(build: Build): MethodDecorator & StandardMethodDecorator {
  function decorate(target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): unknown {
    checkRegistrationsOpen(`method ${String(isStandardContext(keyOrContext) ? keyOrContext.name : keyOrContext)}`)
    if (isStandardContext(keyOrContext)) {
      const context = keyOrContext
      const method = target as (...args: unknown[]) => unknown
      let built: ReturnType<Build> | undefined
      const proxy = function (this: unknown, ...args: unknown[]) {
        return (built ?? define(this)).wrapper.apply(this, args)
      }
      const define = (self: unknown) => {
        const isStatic = context.static
        const className = isStatic ? (self as { name: string }).name : (self as object).constructor.name
        built = build(method, String(context.name), className, isStatic, self)
        // The class holds `proxy`, so that is what startWorkflow(target).method looks up.
        built.register(proxy)
        return built
      }
      context.addInitializer(function (this: unknown) {
        if (built) return
        // A static initializer runs while the class is still being defined, when transpilers may not have
        // given it its final name yet: register once the definition has finished.
        if (context.static) queueMicrotask(() => built ?? define(this))
        else define(this)
      })
      return proxy
    }
    const isStatic = typeof target === 'function'
    const className = isStatic ? (target as { name: string }).name : (target as object).constructor.name
    const built = build(descriptor!.value, String(keyOrContext), className, isStatic, target)
    built.register(built.wrapper)
    descriptor!.value = built.wrapper
    return descriptor
  }
  return decorate as MethodDecorator & StandardMethodDecorator
}
