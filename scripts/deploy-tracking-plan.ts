/**
 * `npm run deploy -- --tracking-plan <name>`: the tracking plan the build derived from the
 * export schema (dist/tracking-plan.json) put into the workspace through the Public API:
 * find the plan by name or create it (`POST /tracking-plans`, a live plan), replace its
 * rules with the built ones (`PUT /tracking-plans/{id}/rules`: rules edited in Segment
 * are overwritten, as the function's code is), and connect it to the source function's
 * source unless it is (`POST /tracking-plans/{id}/sources`).
 */

import type { TrackingPlan } from '../shared'
import { DeployError, PublicApi } from './deploy-api'

export interface TrackingPlanResult {
  action: 'created' | 'updated'
  id: string
  /** Whether the source was connected by this run (false: it already was). */
  connected: boolean
}

export async function ensureTrackingPlan(
  api: PublicApi,
  options: { name: string; plan: TrackingPlan; sourceId: string; log?: (line: string) => void }
): Promise<TrackingPlanResult> {
  const log = options.log ?? (() => undefined)
  const found = await api.list('/tracking-plans', 'trackingPlans', (p) => p.name === options.name)
  let id: string
  let action: TrackingPlanResult['action']
  if (found && typeof found.id === 'string' && found.id !== '') {
    log(`found tracking plan "${options.name}" (${found.id}); replacing its rules`)
    id = found.id
    action = 'updated'
  } else {
    log(`no tracking plan named "${options.name}"; creating it`)
    const data = await api.request('POST', '/tracking-plans', {
      name: options.name,
      description: "LaunchDarkly's Segment export schema, as the LaunchDarkly Events source function emits it.",
      type: 'LIVE'
    })
    const plan = data.trackingPlan as Record<string, unknown> | undefined
    if (typeof plan?.id !== 'string' || plan.id === '') {
      throw new DeployError(
        'bad_response',
        'unexpected response from the Segment Public API for POST /tracking-plans: data.trackingPlan.id is missing'
      )
    }
    id = plan.id
    action = 'created'
  }
  const path = `/tracking-plans/${encodeURIComponent(id)}`
  await api.request('PUT', `${path}/rules`, { rules: options.plan.rules })
  const connected = await api.list(`${path}/sources`, 'sources', (s) => s.id === options.sourceId)
  if (connected) {
    log(`the tracking plan is already connected to the source (${options.sourceId})`)
    return { action, id, connected: false }
  }
  log(`connecting the tracking plan to the source (${options.sourceId})`)
  await api.request('POST', `${path}/sources`, { sourceId: options.sourceId })
  return { action, id, connected: true }
}
