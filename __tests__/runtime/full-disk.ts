// A full disk for a relay in a child process, where a tmpfs cannot be mounted: loaded with
// `--require` before the relay, it makes every write through a file handle of
// `fs/promises` (the append logs of the sink and the outboxes) fail with ENOSPC, after
// writing half of it, while the file named by LD_TEST_DISK_FULL exists. Deleting that
// file frees the disk. Nothing else is changed.

import { existsSync } from 'fs'

// The module object itself (an import would give a frozen namespace): the relay's modules read `open` from it at each call.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const promises = require('fs/promises') as typeof import('fs/promises')
const flag = process.env.LD_TEST_DISK_FULL
const open = promises.open.bind(promises)

if (flag) {
  Object.defineProperty(promises, 'open', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: async (...args: Parameters<typeof promises.open>) => {
      const handle = await open(...args)
      const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<{ bytesWritten: number }>
      Object.defineProperty(handle, 'write', {
        value: async (buffer: Buffer, offset = 0, length = buffer.length - offset, position?: number) => {
          if (!existsSync(flag)) return write(buffer, offset, length, position)
          await write(buffer, offset, Math.floor(length / 2), position)
          throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' })
        }
      })
      return handle
    }
  })
}
