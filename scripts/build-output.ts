// What every part of `npm run build` (scripts/build.ts) shares: its error, how an esbuild
// failure becomes one, and how a file is written.

import { rename, writeFile } from 'node:fs/promises'

export class BuildError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BuildError'
  }
}

type EsbuildFailure = { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }

/** esbuild's errors, each with its file and line, as one BuildError. */
export function esbuildFailed(error: EsbuildFailure): never {
  const details = (error.errors ?? []).map((e) =>
    e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text
  )
  throw new BuildError(`esbuild failed: ${details.join('; ') || String(error)}`)
}

/** Test workers may build at the same time; none of them must read a half-written file. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, file)
}
