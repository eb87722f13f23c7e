// The relay's floor (relay.ts): a server that does only what any server in the relay's
// place must do for an SDK's /bulk request, and does it as the relay does. It reads the
// body, parses it, writes one line per event to a file, and answers only once those lines
// are on disk. Requests that arrive while a write is under way are written and synced
// together (group commit: one write and one fdatasync for all of them, then all their
// answers), as the relay's append log does. Anything the relay costs beyond this is what
// the relay adds.
//
// Plain JavaScript, run as `node -e FLOOR_SERVER <data dir>`: a process of its own,
// without the TypeScript loader, as the relay runs from dist/.

export const FLOOR_SERVER = `
'use strict'
const { createServer } = require('http')
const fs = require('fs')
const fd = fs.openSync(require('path').join(process.argv[1], 'floor.ndjson'), 'a')
let pending = []
let writing = false

function answer(group, error) {
  for (const res of group.answers) {
    res.writeHead(error ? 503 : 202, { 'Content-Type': 'application/json' })
    res.end(error ? '{"error":"SinkWriteFailed"}' : '{}')
  }
}

function writeAll(data, done, callback) {
  fs.write(fd, data, done, data.length - done, null, (error, written) => {
    if (error) return callback(error)
    if (done + written < data.length) return writeAll(data, done + written, callback)
    fs.fdatasync(fd, callback)
  })
}

function flush() {
  writing = true
  const group = { answers: pending.map((p) => p.res), data: Buffer.concat(pending.map((p) => p.data)) }
  pending = []
  writeAll(group.data, 0, (error) => {
    answer(group, error)
    if (pending.length) flush()
    else writing = false
  })
}

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const events = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    let lines = ''
    for (const event of events) lines += JSON.stringify(event) + '\\n'
    pending.push({ res, data: Buffer.from(lines) })
    if (!writing) flush()
  })
})
server.listen(0, '127.0.0.1', () => console.log('floor on http://127.0.0.1:' + server.address().port))
`
