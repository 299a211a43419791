/** AsyncLocalStorage's shape: a value that follows async continuations started inside `run`. */
export interface ContextStorage<T> {
  run<R>(store: T, fn: () => R): R
  getStore(): T | undefined
}

/** Creates a context storage; adapters build it from `node:async_hooks`, which all three runtimes provide. */
export type ContextFactory = <T>() => ContextStorage<T>
