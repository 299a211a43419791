// The two applications that share a system database in the interop tests, one per engine. Distinct names,
// executor IDs and versions keep each engine's dispatch, recovery and version bookkeeping to its own rows.

/** The official DBOS 5.3.0 executor (test/interop/dbos-executor.ts). */
export const DBOS_APP = { name: 'dbos-app', executorID: 'dbos-executor', version: 'dbos-v1', queue: 'q5' } as const

/** Perdure, running in the test process. */
export const PERDURE_APP = { name: 'perdure-app', executorID: 'perdure-executor', version: 'perdure-v1', queue: 'q' } as const

/**
 * Perdure in child processes (test/interop/perdure-peer.ts), for the checks that need several Perdure
 * processes or a crash. A separate application, so that neither this process nor the official executor ever
 * claims its rows, and it claims none of theirs.
 */
export const PEER_APP = { name: 'perdure-peer', version: 'peer-v1', queue: 'peer-q' } as const
