import { markSystemError } from '../internal/retry.ts'
import type { DatabasePort, Queryable } from '../ports/database.ts'

function mark<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    throw markSystemError(e)
  })
}

function guardQueryable<Q extends Queryable>(q: Q): Q {
  return { ...q, query: (text: string, params?: readonly unknown[]) => mark(q.query(text, params)) }
}

/**
 * The system database with its errors marked as its own, so the engine can tell an outage of the system
 * database (retry, replay) from an error a user's step threw (record it).
 */
export function guardDatabase(db: DatabasePort): DatabasePort {
  return {
    kind: db.kind,
    query: (text, params) => mark(db.query(text, params)),
    exec: (script) => mark(db.exec(script)),
    session: (fn) => mark(db.session((conn) => fn(guardQueryable(conn)))),
    transaction: (fn, isolation) => mark(db.transaction((tx) => fn(guardQueryable(tx)), isolation)),
    listen: (channel, onPayload) => mark(db.listen(channel, onPayload)),
    close: () => db.close(),
  }
}
