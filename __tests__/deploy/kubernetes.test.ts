// deploy/kubernetes/ (docs/operations.md "Kubernetes"): every manifest is valid against the
// Kubernetes API's schema (kubernetes-models' validators, compiled from the API's OpenAPI
// schema, with unknown fields refused as `kubectl apply` refuses them), and what the relay
// reads from it (variables, ports, probe paths, the data folder, the secrets, the grace
// period) matches the relay's own declarations: the configuration table, STATUS_PATHS,
// the stop budget and the Dockerfile.

import { existsSync, readdirSync, readFileSync } from 'fs'
import { join } from 'path'
import { parseAllDocuments } from 'yaml'
import { configFromEnv } from '../../runtime/config/parse'
import { startupRefusal } from '../../runtime/config/report'
import { fileVariableOf, isSecret, VARIABLES } from '../../runtime/config/variables'
import { STATUS_PATHS } from '../../runtime/http/routes'
import { STOP_BUDGET_MS } from '../../runtime/relay'

const ROOT = join(__dirname, '..', '..')
const DIR = join(ROOT, 'deploy', 'kubernetes')

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are read as plain JSON */
type Doc = Record<string, any>

interface Manifest {
  file: string
  doc: Doc
}

const manifests: Manifest[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((parsed) => {
      // Any YAML problem (a tab, a duplicate key) fails here, as kubectl would.
      if (parsed.errors.length) throw new Error(`${file}: ${parsed.errors[0].message}`)
      return { file, doc: parsed.toJSON() as Doc }
    })
  )

const one = (kind: string, name?: string): Doc => {
  const found = manifests.filter((m) => m.doc.kind === kind && (name === undefined || m.doc.metadata.name === name))
  expect(found).toHaveLength(1)
  return found[0].doc
}

/** The API's validator for a manifest's apiVersion and kind. */
function validatorOf(doc: Doc): (data: unknown) => void {
  const [group, version] = String(doc.apiVersion).includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion]
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const models = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${doc.kind}`)
  const Model = models[doc.kind] as new (data: unknown) => { validate(): void }
  return (data) => new Model(data).validate()
}

const pathErrors = (validate: (data: unknown) => void, data: unknown): string[] => {
  try {
    validate(data)
    return []
  } catch (error) {
    return ((error as { errors?: Array<{ instancePath: string }> }).errors ?? []).map((e) => e.instancePath)
  }
}

/**
 * Fields the schema does not know. The API's schema allows any property (kubectl's strict
 * field validation is what refuses them), so each field is tried with a value no schema
 * accepts: a known field then fails at its own path, an unknown one nowhere.
 */
function unknownFields(validate: (data: unknown) => void, doc: Doc): string[] {
  const unknown: string[] = []
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, [...path, String(i)]))
    if (node === null || typeof node !== 'object') return
    for (const key of Object.keys(node)) {
      const where = [...path, key]
      const mutated = structuredClone(doc)
      let parent: any = mutated
      for (const step of path) parent = parent[step]
      parent[key] = Symbol('no schema accepts this')
      // A map's values (labels, annotations, stringData) are strings: a key there is data, not a field.
      const pointer = where.map((step) => '/' + step.replace(/~/g, '~0').replace(/\//g, '~1')).join('')
      if (!pathErrors(validate, mutated).includes(pointer)) unknown.push(where.join('.'))
      else visit((node as Doc)[key], where)
    }
  }
  visit(doc, [])
  return unknown
}

test('every manifest is valid against the Kubernetes API schema, with no unknown field', () => {
  expect(manifests.map((m) => `${m.file}: ${m.doc.kind}`).sort()).toEqual([
    'poddisruptionbudget.yaml: PodDisruptionBudget',
    'replay-job.yaml: Job',
    'replay-job.yaml: PersistentVolumeClaim',
    'secret.example.yaml: Secret',
    'service.yaml: Service',
    'service.yaml: Service',
    'statefulset.yaml: StatefulSet'
  ])
  for (const { file, doc } of manifests) {
    const validate = validatorOf(doc)
    expect([file, pathErrors(validate, doc)]).toEqual([file, []])
    expect([file, unknownFields(validate, doc)]).toEqual([file, []])
  }
})

test('the strict check finds a misspelt field, and the schema a wrong type', () => {
  const sts = structuredClone(one('StatefulSet'))
  const container = sts.spec.template.spec.containers[0]
  container.readinessProbes = container.readinessProbe
  const validate = validatorOf(sts)
  expect(unknownFields(validate, sts)).toEqual(['spec.template.spec.containers.0.readinessProbes'])
  container.ports[0].containerPort = '8787'
  expect(pathErrors(validate, sts)).toEqual(['/spec/template/spec/containers/0/ports/0/containerPort'])
})

test('kustomization.yaml lists the manifests to apply, and each exists', () => {
  const kustomization = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0].toJSON() as Doc
  expect(kustomization.resources).toEqual(['statefulset.yaml', 'service.yaml', 'poddisruptionbudget.yaml'])
  for (const file of kustomization.resources as string[]) expect(existsSync(join(DIR, file))).toBe(true)
})

describe('the StatefulSet runs the relay as its configuration table says', () => {
  const sts = one('StatefulSet')
  const pod = sts.spec.template.spec
  const container = pod.containers[0]
  const env = Object.fromEntries(container.env.map((e: Doc): [string, string] => [e.name, e.value])) as Record<
    string,
    string
  >
  const secret = one('Secret')
  const secretMount = container.volumeMounts.find((m: Doc) => m.name === 'secrets')
  const port = (name: string): number => container.ports.find((p: Doc) => p.name === name).containerPort

  test('every variable it sets is one the relay reads, and the whole parses and may start', () => {
    const known = new Set(VARIABLES.flatMap((v) => [v.name, fileVariableOf(v)]).filter(Boolean))
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([])
    // Each *_FILE names a key of the Secret, at the Secret's mount.
    const files: Record<string, string> = {}
    for (const [name, value] of Object.entries(env))
      if (name.endsWith('_FILE')) {
        expect(value.startsWith(secretMount.mountPath + '/')).toBe(true)
        const key = value.slice(secretMount.mountPath.length + 1)
        expect(Object.keys(secret.stringData)).toContain(key)
        files[value] = secret.stringData[key]
      }
    const config = configFromEnv(env, '/app', (path) => files[path])
    expect(startupRefusal(config)).toBeUndefined()
    expect(config).toMatchObject({ host: '0.0.0.0', sink: 'segment', segmentWriteKey: 'your-segment-write-key' })
  })

  test('ports and probes: PORT and LD_METRICS_PORT, /livez for liveness and startup, /readyz for readiness', () => {
    expect(port('http')).toBe(Number(env.PORT))
    expect(port('metrics')).toBe(Number(env.LD_METRICS_PORT))
    expect(container.livenessProbe.httpGet).toEqual({ path: STATUS_PATHS.live, port: 'http' })
    expect(container.startupProbe.httpGet).toEqual({ path: STATUS_PATHS.live, port: 'http' })
    expect(container.readinessProbe.httpGet).toEqual({ path: STATUS_PATHS.ready, port: 'http' })
  })

  test('the data folder: LD_SEGMENT_DATA_DIR is the volume of each replica, the Dockerfile VOLUME, writable by its user', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    const mount = container.volumeMounts.find((m: Doc) => m.mountPath === env.LD_SEGMENT_DATA_DIR)
    expect(sts.spec.volumeClaimTemplates.map((t: Doc) => t.metadata.name)).toEqual([mount.name])
    expect(dockerfile).toContain(`VOLUME ${env.LD_SEGMENT_DATA_DIR}\n`)
    expect(dockerfile).toContain(`LD_SEGMENT_DATA_DIR=${env.LD_SEGMENT_DATA_DIR}`)
    const user = /^USER (\d+):(\d+)$/m.exec(dockerfile)
    expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup]).toEqual([
      Number(user?.[1]),
      Number(user?.[2]),
      Number(user?.[2])
    ])
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
  })

  test("the grace period covers the pre-stop sleep, LD_DRAIN_SECONDS and the relay's own stop", () => {
    const budget = (STOP_BUDGET_MS.inflight + STOP_BUDGET_MS.forwards + STOP_BUDGET_MS.outboxFlush) / 1000
    const needed = container.lifecycle.preStop.sleep.seconds + Number(env.LD_DRAIN_SECONDS) + budget
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed)
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(needed + 10)
  })

  test('the Secret example holds every secret variable of the table, and nothing else', () => {
    expect(Object.keys(secret.stringData).sort()).toEqual(
      VARIABLES.filter(isSecret)
        .map((v) => v.name)
        .sort()
    )
    expect(pod.volumes.find((v: Doc) => v.name === 'secrets').secret.secretName).toBe(secret.metadata.name)
  })

  test('the Services and the PodDisruptionBudget select its pods; the Services reach its ports by name', () => {
    const labels = sts.spec.template.metadata.labels
    expect(sts.spec.selector.matchLabels).toEqual(labels)
    for (const selected of [
      one('Service', 'ld-segment-relay').spec.selector,
      one('PodDisruptionBudget').spec.selector.matchLabels
    ])
      expect(selected).toEqual(labels)
    const headless = one('Service', sts.spec.serviceName)
    expect(headless.spec.clusterIP).toBe('None')
    for (const service of [one('Service', 'ld-segment-relay'), headless])
      for (const p of service.spec.ports) expect(container.ports.map((c: Doc) => c.name)).toContain(p.targetPort)
  })
})

test('the replay Job: Indexed, one shard per index, the compiled replay of the same image, its own folder per shard', () => {
  const job = one('Job')
  const container = job.spec.template.spec.containers[0]
  expect(job.spec.completionMode).toBe('Indexed')
  expect(job.spec.parallelism).toBe(job.spec.completions)
  expect(container.image).toBe(one('StatefulSet').spec.template.spec.containers[0].image)
  expect(container.command).toEqual(['node', 'dist/scripts/replay/index.js'])
  // `npm run build` compiles it (tsconfig.runtime.json); the image copies dist/.
  expect(existsSync(join(ROOT, 'dist', 'scripts', 'replay', 'index.js'))).toBe(true)
  expect(container.args).toEqual(['/replay/input/shard-$(JOB_COMPLETION_INDEX)', '--to', 'segment', '--resume'])
  const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e])) as Record<string, Doc>
  expect(env.JOB_COMPLETION_INDEX.valueFrom.fieldRef.fieldPath).toBe(
    "metadata.annotations['batch.kubernetes.io/job-completion-index']"
  )
  expect(env.LD_SEGMENT_DATA_DIR.value).toBe('/replay/work/shard-$(JOB_COMPLETION_INDEX)')
  const known = new Set(VARIABLES.map((v) => v.name))
  expect(Object.keys(env).filter((name) => name !== 'JOB_COMPLETION_INDEX' && !known.has(name))).toEqual([])
  expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
    one('PersistentVolumeClaim').metadata.name
  )
})
