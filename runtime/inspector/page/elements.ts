// The page's own elements (page.html), found once, and the two lines every part of the
// script may write: the connection status and the notice.

import { byId } from './dom'

export const list = byId('list')
export const pauseButton = byId<HTMLButtonElement>('pause')
export const clearButton = byId<HTMLButtonElement>('clear')
export const warningsEl = byId('warnings')
export const totalsEl = byId('totals')
export const emptyEl = byId('empty')
export const originEl = byId('origin')
export const exampleEl = byId('example')
const statusEl = byId('status')
const noticeEl = byId('notice')

export type ConnectionStatus = 'live' | 'connecting' | 'down'

export function setStatus(kind: ConnectionStatus, text: string): void {
  statusEl.className = 'status ' + kind
  statusEl.textContent = text
}

export function notice(text: string): void {
  noticeEl.hidden = false
  noticeEl.textContent = text
}

export function hideNotice(): void {
  noticeEl.hidden = true
}
