import type { DBOSConfig, LogLevel } from './config.ts'
import { allInstances } from './engine/configured-instance.ts'
import { freezeDeclarations } from './declarations.ts'
import { Dispatcher } from './engine/dispatcher.ts'
import { Engine } from './engine/engine.ts'
import { Notifier, QUEUE_CHANNEL } from './engine/notifier.ts'
import { EVENTS_CHANNEL, MESSAGES_CHANNEL, STREAMS_CHANNEL } from './engine/signals.ts'
import type { Registry } from './engine/registry.ts'
import { Watchdog } from './engine/watchdog.ts'
import { Tracing } from './telemetry/tracing.ts'
import { Scheduler } from './scheduler/scheduler.ts'
import type { Frame } from './engine/workflow-context.ts'
import { applicationVersion, prepareDatabase } from './startup.ts'
import { openSystemDatabase, resolveDatabaseUrl } from './sysdb/connect.ts'
import type { ConsoleLogger } from './logger.ts'
import type { ContextStorage } from './ports/context.ts'
import type { DatabasePort, Subscription } from './ports/database.ts'
import type { HttpServer } from './ports/http.ts'
import { adminDeps, createAdminApp } from './admin/app.ts'
import { isLoopbackHost } from './admin/hosts.ts'
import { declaredQueues } from './queue/workflow-queue.ts'
import { currentRuntime } from './runtime.ts'
import { Serialization } from './serialization/serializer.ts'
import { guardDatabase } from './sysdb/guarded.ts'
import { shareEmbedded } from './sysdb/embedded.ts'
import { SystemDatabase } from './sysdb/system-database.ts'

/** Everything one launch started; `stop()` undoes it in order. */
export interface Launched {
  readonly engine: Engine
  /**
   * The database port under the engine's SystemDatabase. Only tests and diagnostics read it (row counts, a
   * column the API does not show); everything Perdure does goes through `engine.settings.sys`.
   */
  readonly db: DatabasePort
  readonly dispatcher: Dispatcher
  readonly watchdog: Watchdog
  stop(): Promise<void>
}

/**
 * Launch (docs/sysdb.md §3.6): open and migrate the system database, register the version, recover this executor's
 * unfinished workflows, publish queues, then start dispatching, the timeout sweep and notifications.
 */
export async function launchSystem(
  config: DBOSConfig,
  registry: Registry,
  logger: ConsoleLogger,
  context: ContextStorage<Frame>,
): Promise<Launched> {
  const runtime = currentRuntime()
  logger.setLevel((config.logLevel as LogLevel | undefined) ?? 'info')
  const executorID = config.executorID ?? runtime.env('DBOS__VMID') ?? 'local'
  const appVersion = await applicationVersion(config, runtime, registry)
  const url = resolveDatabaseUrl(config, runtime, logger)
  const db = guardDatabase(await openSystemDatabase(runtime, config, url, logger))
  const sys = SystemDatabase.on(db, config.systemDatabaseSchemaName ?? 'dbos', config.name ?? null)
  const unshare = sys.kind === 'pglite' ? shareEmbedded(url, db) : () => {}
  const subscriptions: Subscription[] = []
  let tracing: Tracing | undefined
  let admin: HttpServer | undefined
  try {
    const { isLatestVersion } = await prepareDatabase(sys, runtime, executorID, appVersion, logger)
    const queues = declaredQueues().map((q) => ({ name: q.name, limits: q.limits() }))
    await sys.publishQueues(queues, isLatestVersion, runtime.timer.now())
    tracing = config.enableOTLP ? await Tracing.create(config.otlpTracesEndpoints ?? [], logger) : Tracing.disabled()
    const engine = new Engine({
      runtime, config, sys, executorID, appVersion, appName: sys.appName, logger,
      serialization: new Serialization(config.serializer), context, tracing,
    })
    // One process on PGlite: local wake-ups are all there is to deliver.
    const notifier = sys.kind === 'postgres' ? new Notifier(sys, logger) : undefined
    const dispatcher = new Dispatcher(engine, registry, isLatestVersion, {
      ...(notifier ? { notifier } : {}),
      ...(config.listenQueues ? { listenQueues: config.listenQueues.map((q) => q.name) } : {}),
    })
    const watchdog = new Watchdog(engine)
    const scheduler = new Scheduler(engine, registry, { isLatestVersion })
    await scheduler.publish()
    engine.onEnqueue = (queueName) => dispatcher.enqueued(queueName)
    engine.onLaunch = (exec, done) => {
      if (exec.deadline === undefined) return
      // Cancel right at the deadline rather than at the next sweep.
      const cancel = runtime.timer.schedule(Math.max(0, exec.deadline - runtime.timer.now()), () => {
        watchdog.sweep(exec.workflowID).catch((e: unknown) => {
          // The watchdog's periodic sweep cancels it a little later.
          logger.debug(`Cancelling ${exec.workflowID} at its deadline failed: ${(e as Error).message}`)
        })
      })
      // Whoever awaits `done` sees its failure; this chain only clears the timer.
      void done.finally(cancel).catch(() => {})
    }
    engine.notifier = notifier
    // One LISTEN per channel: DBOS's three (docs/sysdb.md §1.2) wake local waiters; ours wakes the dispatcher.
    for (const channel of [MESSAGES_CHANNEL, EVENTS_CHANNEL, STREAMS_CHANNEL]) {
      subscriptions.push(await sys.listen(channel, (payload) => engine.signals.signal(channel, payload)))
    }
    if (sys.kind === 'postgres') {
      subscriptions.push(await sys.listen(QUEUE_CHANNEL, (queueName) => dispatcher.wake(queueName)))
    }
    // Instances are configured before any workflow (recovered ones included) can run on them.
    for (const instance of allInstances()) await instance.initialize()
    freezeDeclarations(registry, true)
    dispatcher.start()
    watchdog.start()
    scheduler.start()
    const runAdmin = config.runAdminServer ?? runtime.env('PERDURE_RUN_ADMIN_SERVER') !== 'false'
    const hostname = config.adminHost ?? '127.0.0.1'
    // Without a token only the browser guard stands in the way, and a program sets whatever Host it likes: beyond
    // loopback anyone on the network could cancel, fork or garbage-collect. Refuse, but keep the application up.
    const exposed = runAdmin && !config.adminToken && !isLoopbackHost(hostname)
    if (exposed) {
      logger.warn(`Admin server not started, the application runs on without it: adminHost ${JSON.stringify(hostname)} ` +
        'is reachable beyond this machine and no adminToken is set; set adminToken, or bind adminHost to 127.0.0.1')
    }
    if (runAdmin && !exposed) {
      const app = createAdminApp(adminDeps(engine, dispatcher, { deactivate: () => scheduler.stop() }), {
        ...(config.adminToken ? { token: config.adminToken } : {}),
        ...(config.adminCors ? { cors: config.adminCors } : {}),
        mcpWrites: config.adminMcpWrites === true,
        // The name it listens on is one it may be addressed by (a wildcard address names none).
        hosts: [...(config.adminAllowedHosts ?? []), ...(config.adminHost ? [config.adminHost] : [])],
      })
      const port = config.adminPort ?? 3001
      // A port already taken must not stop the application (docs/sysdb.md D13): the admin API is an extra.
      admin = await runtime.http.serve(app.fetch, { port, hostname }).catch((e: unknown) => {
        logger.warn(`Admin server not started, the application runs on without it: ${(e as Error).message}`)
        return undefined
      })
    }
    logger.debug(`Launched executor ${executorID}, application version ${appVersion}`)
    return {
      engine,
      db,
      dispatcher,
      watchdog,
      async stop() {
        await admin?.close().catch((e: unknown) => logger.debug(`Closing the admin server failed: ${(e as Error).message}`))
        freezeDeclarations(registry, false)
        await scheduler.stop()
        await dispatcher.stop()
        await watchdog.stop()
        await unlistenAll(subscriptions, logger)
        engine.close()
        await notifier?.close()
        await tracing?.close().catch((e: unknown) => logger.warn(`Flushing traces failed: ${(e as Error).message}`))
        unshare()
        await sys.close()
      },
    }
  } catch (e) {
    freezeDeclarations(registry, false)
    await unlistenAll(subscriptions, logger)
    unshare()
    // The launch's own error is the one to report.
    await sys.close().catch((closing: unknown) => logger.debug(`Closing the system database failed: ${(closing as Error).message}`))
    throw e
  }
}

/** Ends the subscriptions; one that fails is already gone with its connection, which the pool closes next. */
async function unlistenAll(subscriptions: readonly Subscription[], logger: ConsoleLogger): Promise<void> {
  await Promise.all(subscriptions.map((sub) => sub.unlisten().catch((e: unknown) => {
    logger.debug(`UNLISTEN failed: ${(e as Error).message}`)
  })))
}
