// LaunchDarkly as doctor sees it, scripted over the tests' stand-in (__tests__/stand-in.ts):
// the REST API paths the source function reads (projects, paged; a project; a project's
// flags) behind an access token, and the client-side SDK service's goals path, which
// answers 404 for an unknown client-side ID. A test's script may answer any request itself
// ('hold': never answer).

import { Answer, Received, standIn } from '../../stand-in'

export const TOKEN = 'api-7f3e9c1a-4b2d-4e8f-9a6c-0d1e2f3a4b5c'
export const PROJECT = { _id: '5f0c1a2b3c4d5e6f7a8b9c0d', key: 'shop', name: 'Shop' }
export const OTHER_PROJECT = { _id: '60aa11bb22cc33dd44ee55ff', key: 'other', name: 'Other' }
export const CLIENT_SIDE_ID = '5f0c1a2b3c4d5e6f7a8b9c99'
/** An environment of OTHER_PROJECT. */
export const OTHER_CLIENT_SIDE_ID = '60aa11bb22cc33dd44ee5500'
export const FLAG_COUNT = 3
/** Environments as the API lists them: with their SDK and mobile keys, which doctor must never show. */
export const ENVIRONMENTS = [
  {
    _id: CLIENT_SIDE_ID,
    key: 'production',
    name: 'Production',
    apiKey: 'sdk-5b1e0c7d-90aa-4f1e-8c3b-6a2d9e4f7b10',
    mobileKey: 'mob-8e2f4a6c-1b3d-4e5f-9a7b-2c4d6e8f0a1b'
  },
  {
    _id: '5f0c1a2b3c4d5e6f7a8b9c98',
    key: 'test',
    name: 'Test',
    apiKey: 'sdk-3c5e7a9b-1d2f-4a6c-8e0b-9f7d5c3a1e2b',
    mobileKey: 'mob-6a4c2e0f-8b9d-4c1e-a3f5-7d9b1c3e5f70'
  }
]

export type { Received }

export type Reply = Answer

export interface LaunchDarklyStandIn {
  readonly url: string
  readonly received: Received[]
  close(): Promise<void>
}

function answer(request: Received): Answer {
  const { pathname, searchParams } = new URL(request.path, 'http://stand-in')
  const goals = /^\/sdk\/goals\/([^/]+)$/.exec(pathname)
  if (goals) {
    const id = decodeURIComponent(goals[1])
    return [...ENVIRONMENTS.map((e) => e._id), OTHER_CLIENT_SIDE_ID].includes(id)
      ? { status: 200, body: [] }
      : { status: 404 }
  }
  if (!pathname.startsWith('/api/v2/')) return { status: 404 }
  if (request.headers.authorization !== TOKEN)
    return { status: 401, body: { code: 'unauthorized', message: 'invalid token' } }
  if (pathname === '/api/v2/projects') {
    // Two pages, as the API pages with `_links.next`: the function has to follow it.
    return searchParams.get('offset') === '1'
      ? { status: 200, body: { items: [PROJECT], totalCount: 2, _links: {} } }
      : {
          status: 200,
          body: {
            items: [OTHER_PROJECT],
            totalCount: 2,
            _links: { next: { href: '/api/v2/projects?limit=1&offset=1' } }
          }
        }
  }
  const project = /^\/api\/v2\/projects\/([^/]+)$/.exec(pathname)
  if (project) {
    const found = [PROJECT, OTHER_PROJECT].find((p) => p.key === decodeURIComponent(project[1]))
    return found ? { status: 200, body: found } : { status: 404 }
  }
  if (pathname === `/api/v2/projects/${PROJECT.key}/environments`)
    return { status: 200, body: { items: ENVIRONMENTS, totalCount: ENVIRONMENTS.length } }
  const flags = /^\/api\/v2\/flags\/([^/]+)$/.exec(pathname)
  if (flags && decodeURIComponent(flags[1]) === PROJECT.key)
    return { status: 200, body: { items: [{ key: 'new-checkout' }], totalCount: FLAG_COUNT } }
  return { status: 404, body: { code: 'not_found', message: 'Unknown project key' } }
}

export async function launchDarklyStandIn(
  script: (request: Received) => Reply | undefined = () => undefined
): Promise<LaunchDarklyStandIn> {
  const stand = await standIn((request) => script(request) ?? answer(request))
  return { url: stand.url, received: stand.requests, close: stand.close }
}
