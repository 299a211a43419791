import type { StepInfo } from '../../engine/steps-info.ts'
import { displayText, errorText } from '../../admin/workflow-json.ts'
import { duration, workflowLink } from './format.ts'
import { h, type Html } from './html.ts'
import { jsonTree } from './json-tree.ts'

/** Width of the timeline's drawing, in SVG units (the bar stretches to its cell). */
const SPAN = 1000
/** The narrowest bar drawn, so that a step of a millisecond still shows. */
const MIN_WIDTH = 3

/** The time range the timeline covers: from the workflow's creation to its last recorded moment (or now). */
export interface TimelineRange {
  start: number
  end: number
}

/** The range covering a workflow and all its steps' times. */
export function timelineRange(createdAt: number, lastMoment: number, steps: readonly StepInfo[]): TimelineRange {
  let start = createdAt
  let end = lastMoment
  for (const s of steps) {
    if (s.startedAtEpochMs !== undefined) start = Math.min(start, s.startedAtEpochMs)
    if (s.completedAtEpochMs !== undefined) end = Math.max(end, s.completedAtEpochMs)
  }
  return { start, end: Math.max(end, start + 1) }
}

function bar(step: StepInfo, range: TimelineRange, now: number): Html {
  if (step.startedAtEpochMs === undefined) return h`<span class="bar muted">no times recorded</span>`
  const scale = SPAN / (range.end - range.start)
  const finish = step.completedAtEpochMs ?? Math.min(now, range.end)
  const x = Math.max(0, Math.min(SPAN - MIN_WIDTH, (step.startedAtEpochMs - range.start) * scale))
  const width = Math.max(MIN_WIDTH, Math.min(SPAN - x, (finish - step.startedAtEpochMs) * scale))
  return h`<svg class="bar" viewBox="0 0 ${SPAN} 10" preserveAspectRatio="none" aria-hidden="true"><rect x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="10" rx="2"></rect></svg>`
}

function outcome(step: StepInfo): Html | '' {
  if (step.error !== null) return h`<details class="out"><summary>error</summary>${jsonTree(errorText(step.error))}</details>`
  if (step.output === null || step.output === undefined) return ''
  return h`<details class="out"><summary>output</summary>${jsonTree(displayText(step.output))}</details>`
}

/**
 * A workflow's steps as a timeline: one row per recorded operation in ID order, each with a bar placed by its
 * start and end times, its child workflow linked, its output or error folded below, and a button to fork
 * the workflow from it (when `forkable`).
 */
export function timeline(steps: readonly StepInfo[], range: TimelineRange, now: number, forkable: boolean): Html {
  if (steps.length === 0) return h`<p class="muted">No steps recorded yet.</p>`
  const rows = steps.map((step) => {
    const state = step.error !== null ? 'err' : step.completedAtEpochMs === undefined && step.startedAtEpochMs !== undefined ? 'running' : 'ok'
    const took = step.startedAtEpochMs !== undefined && step.completedAtEpochMs !== undefined
      ? duration(step.completedAtEpochMs - step.startedAtEpochMs)
      : state === 'running' ? 'running' : ''
    const child = step.childWorkflowID ? h`<span class="child">→ ${workflowLink(step.childWorkflowID)}</span>` : ''
    const fork = forkable
      ? h`<button class="small" data-action="fork" data-step="${String(step.functionID)}" title="Fork a new workflow that runs again from this step">Fork here</button>`
      : ''
    return h`<li class="step ${state}" data-step="${String(step.functionID)}">
<span class="sid">${String(step.functionID)}</span><span class="sname">${step.name}${child}</span>${bar(step, range, now)}<span class="sdur">${took}</span>${fork}${outcome(step)}</li>`
  })
  return h`<div class="axis"><span class="range"><span>0</span><span>${duration(range.end - range.start)}</span></span></div><ol class="timeline">${rows}</ol>`
}
