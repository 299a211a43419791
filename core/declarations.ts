import { freezeInstances } from './engine/configured-instance.ts'
import type { Registry } from './engine/registry.ts'
import { freezeQueues } from './queue/workflow-queue.ts'
import { freezeSchedules } from './scheduler/schedules.ts'

/**
 * Workflows, queues, schedules and configured instances are declared in code before launch: recovery, the
 * dispatcher and the scheduler work from what was declared then, so a declaration made while a launch runs
 * would never be found. A launch closes all four with one call once it has read them; its stop reopens them.
 */
export function freezeDeclarations(registry: Registry, frozen: boolean): void {
  registry.lock(frozen)
  freezeQueues(frozen)
  freezeSchedules(frozen)
  freezeInstances(frozen)
}
