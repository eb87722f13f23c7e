// The relay's stdout log lines: written together once per turn of the event loop, in
// order, and never lost when the process exits before that turn ends.

import { spawnSync } from 'child_process'
import { join } from 'path'
import { writeLine } from '../../runtime/stdout-lines'

const ROOT = join(__dirname, '..', '..')

test('lines of one turn reach stdout in one write, in order', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined)
  try {
    writeLine('first')
    writeLine('second')
    expect(log).not.toHaveBeenCalled()
    await new Promise((resolve) => setImmediate(resolve))
    expect(log.mock.calls).toEqual([['first\nsecond']])
    writeLine('third')
    await new Promise((resolve) => setImmediate(resolve))
    expect(log.mock.calls).toEqual([['first\nsecond'], ['third']])
  } finally {
    log.mockRestore()
  }
})

test('lines still waiting when the process exits are written', () => {
  const script = `const { writeLine } = require('./runtime/stdout-lines'); writeLine('a'); writeLine('b'); process.exit(3)`
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' })
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 3, stdout: 'a\nb\n' })
})
