// The slice of node-postgres the outbox tests use. pg is installed (the DBOS SDK of the interop tests depends
// on it) without its type package, so the types it needs are declared here.
declare module 'pg' {
  interface QueryResult<R> {
    rows: R[]
  }
  export class Client {
    constructor(config: { connectionString: string })
    connect(): Promise<void>
    query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>
    getTransactionStatus(): string | null
    end(): Promise<void>
  }
  export class Pool {
    constructor(config: { connectionString: string; max?: number })
    query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>
    end(): Promise<void>
  }
  const pg: { Client: typeof Client; Pool: typeof Pool }
  export default pg
}
