// Application versions (DBOS 5.3's API): both engines list the same `application_versions` rows, agree on the
// latest, and each reads what the other promotes. The promotions act for a third application, `versions-app`,
// so that neither running executor's latest version (and with it what it dequeues) changes.
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { DBOS_APP, PERDURE_APP } from './apps.ts'
import type { Peers } from './peers.ts'

const { DBOS, DBOSError } = perdure
const OTHER = 'versions-app'

export function versionChecks(peers: () => Peers): void {
  it('both list the same versions, latest first; Perdure sees its own and agrees on its latest', async () => {
    const { official, client, sql } = peers()
    // What a launch of `versions-app` at va-1 and then at va-2 would have registered.
    await sql`
      INSERT INTO dbos.application_versions (version_id, version_name, version_timestamp, created_at, application_name)
      VALUES ('va-1-id', 'va-1', 1000, 1000, ${OTHER}), ('va-2-id', 'va-2', 2000, 2000, ${OTHER})`
    const all = await official.listApplicationVersions()
    expect(await client.listApplicationVersions()).toEqual(all)
    expect(all.map((v) => [v.versionName, v.applicationName])).toEqual(expect.arrayContaining([
      [PERDURE_APP.version, PERDURE_APP.name], [DBOS_APP.version, DBOS_APP.name], ['va-2', OTHER], ['va-1', OTHER],
    ]))
    expect(all.find((v) => v.versionName === 'va-1')).toEqual({
      versionId: 'va-1-id', versionName: 'va-1', versionTimestamp: 1000, createdAt: 1000, applicationName: OTHER,
    })
    const stamps = all.map((v) => v.versionTimestamp)
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a))
    expect(await client.getLatestApplicationVersion()).toEqual(await official.getLatestApplicationVersion())
    // Perdure's own scope: its application's rows and unclaimed ones.
    const mine = all.filter((v) => v.applicationName === undefined || v.applicationName === PERDURE_APP.name)
    expect(await DBOS.listApplicationVersions()).toEqual(mine)
    expect((await DBOS.getLatestApplicationVersion()).versionName).toBe(PERDURE_APP.version)
  })

  it('a version the 5.3.0 client promotes is the latest Perdure reads, and the reverse', async () => {
    const { official, client } = peers()
    await official.setLatestApplicationVersion('va-1', { applicationName: OTHER })
    const promoted = await client.getLatestApplicationVersion()
    expect(promoted).toMatchObject({ versionName: 'va-1', applicationName: OTHER })
    expect(promoted.versionTimestamp).toBeGreaterThan(2000)

    await client.setLatestApplicationVersion('va-2', { applicationName: OTHER })
    const back = await official.getLatestApplicationVersion()
    expect(back).toMatchObject({ versionName: 'va-2', applicationName: OTHER })
    expect(back.versionTimestamp).toBeGreaterThanOrEqual(promoted.versionTimestamp)
    expect((await official.listApplicationVersions()).filter((v) => v.applicationName === OTHER).map((v) => v.versionName))
      .toEqual(['va-2', 'va-1'])
  })

  it("Perdure re-promotes its own version, which 5.3.0 reads; promoting another application's version fails on both sides", async () => {
    const { official } = peers()
    const before = await official.listApplicationVersions()
    const stampOf = (list: typeof before, name: string) => list.find((v) => v.versionName === name)!.versionTimestamp
    await DBOS.setLatestApplicationVersion(PERDURE_APP.version)
    const after = await official.listApplicationVersions()
    expect(stampOf(after, PERDURE_APP.version)).toBeGreaterThanOrEqual(stampOf(before, PERDURE_APP.version))
    expect(stampOf(after, PERDURE_APP.version)).toBeGreaterThanOrEqual(stampOf(after, 'va-2'))

    await expect(DBOS.setLatestApplicationVersion(DBOS_APP.version)).rejects.toThrow(DBOSError)
    await expect(official.setLatestApplicationVersion(PERDURE_APP.version, { applicationName: DBOS_APP.name })).rejects.toThrow()
    const unchanged = await official.listApplicationVersions()
    expect(stampOf(unchanged, DBOS_APP.version)).toBe(stampOf(after, DBOS_APP.version))
    expect(stampOf(unchanged, PERDURE_APP.version)).toBe(stampOf(after, PERDURE_APP.version))
  })
}
