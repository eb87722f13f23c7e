// What of shared/ the Actions destination reaches. The destination reaches the core module
// through one file, its mapping.ts, which re-exports names from shared/'s front door; the
// front door re-exports everything, the source function's code included. So the graph is
// computed from the names: the file that declares each name mapping.ts re-exports, then
// everything those files import, type-only imports included (a type checker needs them).

import { readFileSync } from 'fs'
import { dirname, join, relative, resolve } from 'path'
import ts from 'typescript'

export const ROOT = join(__dirname, '..', '..')
export const DESTINATION_DIR = join(ROOT, 'destinations', 'launchdarkly-events')
export const SHARED_DIR = join(ROOT, 'shared')
/** The destination's one door to shared/, and the specifier it opens it with. */
export const MAPPING_FILE = join(DESTINATION_DIR, 'mapping.ts')
export const SHARED_SPECIFIER = '../../shared'

export interface ReExport {
  readonly name: string
  /** The shared/ file that declares it. */
  readonly file: string
  /** A type only (re-exported with `export type`, as isolatedModules requires). */
  readonly typeOnly: boolean
}

export interface SharedReach {
  /** Every name mapping.ts re-exports from shared/, with the file that declares it. */
  readonly names: readonly ReExport[]
  /** The shared/ files the destination needs, sorted: the declaring files and all they import. */
  readonly files: readonly string[]
}

export class GraphError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GraphError'
  }
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  types: []
}

/** The relative module specifiers a TypeScript file imports or re-exports (type-only ones included). */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, false)
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.'))
}

/** `./x` from `from`: x.ts, else x/index.ts, as Node's resolution of TypeScript sources finds it. */
export function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier)
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (ts.sys.fileExists(candidate)) return candidate
  }
  throw new GraphError(`${relative(ROOT, from)} imports ${specifier}, which is no TypeScript file`)
}

function declaringFile(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  const declaration = target.declarations?.[0]
  if (!declaration) throw new GraphError(`no declaration for ${symbol.name}`)
  return declaration.getSourceFile().fileName
}

/** The names mapping.ts re-exports, each with the shared/ file that declares it. */
function reExports(): ReExport[] {
  const program = ts.createProgram([MAPPING_FILE], COMPILER_OPTIONS)
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(MAPPING_FILE)
  const moduleSymbol = source && checker.getSymbolAtLocation(source)
  if (!moduleSymbol) throw new GraphError('mapping.ts is not a module')
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = checker.getAliasedSymbol(symbol)
    const file = resolve(declaringFile(checker, symbol))
    if (!file.startsWith(SHARED_DIR + '/')) {
      throw new GraphError(`mapping.ts re-exports ${symbol.name} from ${relative(ROOT, file)}, outside shared/`)
    }
    return { name: symbol.name, file, typeOnly: (target.flags & ts.SymbolFlags.Value) === 0 }
  })
}

/** What of shared/ mapping.ts, and so the destination, reaches. */
export function sharedReach(): SharedReach {
  const specifiers = importsOf(MAPPING_FILE)
  if (specifiers.some((s) => s !== SHARED_SPECIFIER)) {
    throw new GraphError(`mapping.ts must import only '${SHARED_SPECIFIER}', found ${specifiers.join(', ')}`)
  }
  const names = reExports()
  const reached = new Set<string>()
  const pending = names.map((n) => n.file)
  while (pending.length) {
    const file = pending.pop() as string
    if (reached.has(file)) continue
    reached.add(file)
    for (const specifier of importsOf(file)) {
      const target = resolveImport(file, specifier)
      if (!target.startsWith(SHARED_DIR + '/')) {
        throw new GraphError(`${relative(ROOT, file)} imports ${specifier}: shared/ must be self-contained`)
      }
      pending.push(target)
    }
  }
  return { names, files: [...reached].sort() }
}
