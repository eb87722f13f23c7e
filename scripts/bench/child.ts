// A measurement in a process of its own: its heap, garbage and peak memory are its own,
// not those of the bench process that has loaded every other section's modules.

import { spawn } from 'node:child_process'
import { pathToFileURL } from 'node:url'

/** Runs `node --import tsx <file> --child ...args` and resolves to the JSON of its last stdout line. */
export function inChild<T>(file: string, args: readonly string[]): Promise<T> {
  const loader = pathToFileURL(require.resolve('tsx')).href
  const proc = spawn(process.execPath, ['--import', loader, file, '--child', ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  return new Promise((resolve, reject) => {
    proc.on('error', reject)
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the bench child ${file} exited with ${code}`))
      else resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as T)
    })
  })
}

/** In the child: prints what `measure` resolves to as one JSON line. */
export function answerParent(measure: (args: string[]) => Promise<unknown>): void {
  measure(process.argv.slice(3)).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
