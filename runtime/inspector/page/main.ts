// The inspector page's script (docs/inspector.md): the entry that scripts/build-inspector.ts
// bundles into one IIFE, inlined in page.html. It reads the relay's stream (passing on the
// page's ?token=) and shows each record as a card.

import { clearButton, exampleEl, originEl, pauseButton } from './elements'
import { clear, onHello, onRecord, renderPause, renderTotals, togglePause } from './list'
import { watch } from './stream'

const token = new URLSearchParams(location.search).get('token')
const streamUrl = '/inspector/stream' + (token ? '?token=' + encodeURIComponent(token) : '')

pauseButton.addEventListener('click', togglePause)
clearButton.addEventListener('click', clear)

originEl.textContent = location.origin
exampleEl.textContent =
  'curl -X POST ' +
  location.origin +
  "/bulk -H 'Content-Type: application/json' \\\n" +
  '  --data \'[{"kind":"custom","key":"signed-up","creationDate":1767225600000,"context":{"kind":"user","key":"user-1"}}]\''
renderTotals()
renderPause()
watch(streamUrl, { hello: onHello, record: onRecord })
