// The clients every check uses, connected to the database Perdure created and both engines serve.
import type { DBOSClient as OfficialClient } from '@dbos-inc/dbos-sdk'
import type postgres from 'postgres'
import type { perdure } from '../support/perdure.ts'

export interface Peers {
  url: string
  /** The official 5.3.0 DBOSClient, with no application name, as the checklist uses it. */
  official: OfficialClient
  /** Perdure's DBOSClient, with no application name. */
  client: Awaited<ReturnType<typeof perdure.DBOSClient.create>>
  /** Direct SQL, for what no client shows. */
  sql: postgres.Sql
}
