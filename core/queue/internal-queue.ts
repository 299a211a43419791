/** The unlimited queue every executor dispatches: recovery, resume and fork land here (docs/sysdb.md §5). */
export const INTERNAL_QUEUE = '_dbos_internal_queue'
