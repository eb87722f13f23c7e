// The relay's log lines on stdout, written together once per turn of the event loop rather
// than one write per line: stdout to a pipe or file is a synchronous system call, and under
// load a call per request was a noticeable share of the relay's CPU (docs/performance.md).
// A line waits at most until the current turn ends, and lines still waiting when the
// process exits are written then.

let waiting: string[] = []
let scheduled = false
let hooked = false

function flush(): void {
  scheduled = false
  if (waiting.length === 0) return
  const text = waiting.join('\n')
  waiting = []
  // console.log, not process.stdout.write: it ignores a closed stdout (EPIPE) as before.
  console.log(text)
}

/** Queues one line (no trailing newline) for stdout. */
export function writeLine(line: string): void {
  waiting.push(line)
  if (!hooked) {
    hooked = true
    // process.exit() skips pending immediates; stdout writes are synchronous, so this lands.
    process.once('exit', flush)
  }
  if (scheduled) return
  scheduled = true
  setImmediate(flush)
}
