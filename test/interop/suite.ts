// The interop suite: Perdure in this process and an official @dbos-inc/dbos-sdk 5.3.0 executor in a child
// process share one Postgres system database, each as its own named application (test/interop/apps.ts).
import { DBOSClient as OfficialClient } from '@dbos-inc/dbos-sdk'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import type { TestDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { clientChecks } from './client-checks.ts'
import { executorChecks } from './executor-checks.ts'
import { peerChecks } from './peer-checks.ts'
import type { Peers } from './peers.ts'
import { scheduleChecks } from './schedule-checks.ts'
import { prepareSchemas, type SchemaObservations, schemaChecks } from './schema-checks.ts'
import { queueRowChecks } from './queue-row-checks.ts'
import { rewindChecks } from './rewind-checks.ts'
import { versionChecks } from './version-checks.ts'
import { connect } from './world.ts'
// Perdure's workflows and queues must be declared before prepareSchemas launches it.
import './perdure-app.ts'

const { DBOS, DBOSClient } = perdure

/** Declares the whole suite; `db` hands out the fresh databases. */
export function declareInterop(db: TestDatabase): void {
  let schemas: SchemaObservations | undefined
  let peers: Peers | undefined
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the interop set-up failed; see the before-all hook')
    return value
  }

  beforeAll(async () => {
    schemas = await prepareSchemas(db)
    const url = schemas.url
    peers = {
      url,
      official: await OfficialClient.create({ systemDatabaseUrl: url }),
      client: await DBOSClient.create({ systemDatabaseUrl: url }),
      sql: connect(url),
    }
  })

  afterAll(async () => {
    await Child.killAll()
    await peers?.official.destroy()
    await peers?.client.destroy()
    await peers?.sql.end({ timeout: 5 })
    await DBOS.shutdown()
    await db.dropAll()
  })

  schemaChecks(() => ready(schemas))
  scheduleChecks(() => ready(peers))
  clientChecks(() => ready(peers))
  executorChecks(() => ready(peers))
  peerChecks(() => ready(peers))
  queueRowChecks(() => ready(peers))
  versionChecks(() => ready(peers))
  rewindChecks(() => ready(peers))

  it('the 5.3.0 executor shuts down cleanly after all this', async () => {
    await ready(schemas).executor.stop()
    expect((await ready(schemas).executor.exited).code).toBe(0)
  })
}
