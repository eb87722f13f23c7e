// The log line of one answered request (docs/relay.md "Logs, health and metrics"), a
// listener of the delivery feed: status, counts, time, the error or the first rejection,
// and with LD_LOG_CALLS each Segment call.

import { DeliveryRecord, skippedCount } from './feed'

export function requestLog(log: (line: string) => void, logCalls: boolean): (record: DeliveryRecord) => void {
  return (record) => {
    const parts = [record.time, record.method || '-', record.route || '-', String(record.status)]
    parts.push(`emitted=${record.emitted}`, `skipped=${skippedCount(record)}`, `rejected=${record.rejected.length}`)
    parts.push(`${record.ms.toFixed(1)}ms`)
    if (record.error) parts.push(`${record.error.error}: ${record.error.message}`)
    if (record.warning) parts.push(`warning: ${record.warning}`)
    // A failed delivery's error lists its rejections already.
    if (record.rejected.length && !record.error)
      parts.push(
        `first rejection: #${record.rejected[0].index} ${record.rejected[0].reason}${
          record.rejected.length > 1 ? ` (+${record.rejected.length - 1} more)` : ''
        }`
      )
    if (record.requests?.length)
      parts.push(`LaunchDarkly: ${record.requests.map((r) => `${r.method} ${r.url} ${r.status}`).join(', ')}`)
    log(parts.join(' '))
    if (logCalls) for (const call of record.calls) log(JSON.stringify({ type: call.type, ...call.message }))
  }
}
