/**
 * `npm run deploy -- --dry-run`: a stand-in for fetch that prints each call the deploy
 * would make to the Segment Public API, and answers as a workspace that has none of it
 * yet (so the create path is shown), except the source named with --source. Code is
 * shown by its size, settings declarations by their names, secret setting values never.
 */

type Call = { method: string; path: string; body: Record<string, unknown> | undefined }

export interface DryRunOptions {
  /** Setting names whose values are not printed. */
  sensitive: ReadonlySet<string>
  /** The source --source names: the one thing shown as already in the workspace. */
  sourceSlug?: string
}

function shown(body: Record<string, unknown>, sensitive: ReadonlySet<string>): string {
  const printable: Record<string, unknown> = { ...body }
  if (typeof body.code === 'string') printable.code = `<${Buffer.byteLength(body.code)} bytes of built code>`
  if (Array.isArray(body.rules)) {
    const named = body.rules.map((r: { type?: unknown; key?: unknown }) => [r.type, r.key].filter(Boolean).join(' '))
    printable.rules = `<${named.length} rules from dist/tracking-plan.json: ${named.join(', ')}>`
  }
  const settings = body.settings
  if (Array.isArray(settings)) {
    printable.settings = `<${settings.length} setting declarations: ${settings
      .map((s: { name?: unknown }) => String(s.name))
      .join(', ')}>`
  } else if (typeof settings === 'object' && settings !== null) {
    printable.settings = Object.fromEntries(
      Object.entries(settings).map(([name, value]) => [name, sensitive.has(name) ? '<redacted>' : value])
    )
  }
  return JSON.stringify(printable)
}

/** What the workspace answers, as if it had none of this yet. */
function answer({ method, path, body }: Call, options: DryRunOptions): Record<string, unknown> {
  const route = path.split('?')[0]
  if (method === 'GET' && route === '/functions') return { functions: [], pagination: {} }
  if (method === 'POST' && route === '/functions') {
    const kind = String(body?.resourceType).toLowerCase()
    return { function: { id: `<new ${kind} function ID>`, catalogId: `<${kind} function catalog ID>` } }
  }
  if (method === 'GET' && route === '/sources') {
    const slug = options.sourceSlug
    return { sources: slug ? [{ id: `<ID of source ${slug}>`, slug }] : [], pagination: {} }
  }
  if (method === 'POST' && route === '/sources') return { source: { id: '<new source ID>', slug: body?.slug } }
  if (method === 'GET' && route.endsWith('/connected-destinations')) return { destinations: [], pagination: {} }
  if (method === 'POST' && route === '/destinations') return { destination: { id: '<new destination ID>' } }
  if (method === 'GET' && route === '/tracking-plans') return { trackingPlans: [], pagination: {} }
  if (method === 'POST' && route === '/tracking-plans') return { trackingPlan: { id: '<new tracking plan ID>' } }
  if (method === 'GET' && route.endsWith('/sources')) return { sources: [], pagination: {} }
  return {}
}

export function dryRunFetch(print: (line: string) => void, options: DryRunOptions): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined
    const target = `${url.origin}${decodeURI(url.pathname)}${decodeURI(url.search)}`
    print(`would call: ${method} ${target}${body ? ` ${shown(body, options.sensitive)}` : ''}`)
    const data = answer({ method, path: `${url.pathname}${url.search}`, body }, options)
    return new Response(JSON.stringify({ data }), { status: 200, headers: { 'content-type': 'application/json' } })
  }
}
