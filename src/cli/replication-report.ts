// What `sync` and `serve` say about a replication session: the summary at its end (lines for people, one
// JSON object with --json), a progress bar while it runs, and what an interrupted sync kept.
import type { ReplicationStats } from '../index.js'
import { out } from './context.js'
import { counted } from './output.js'
import { progressBar, type ProgressBar } from './progress.js'

const entries = (n: number): string => counted(n, 'entry', 'entries')

/** Bytes for people: `512 bytes`, `1.5 KiB`, `2.0 MiB`. */
export function byteSize (bytes: number): string {
  if (bytes < 1024) return counted(bytes, 'byte', 'bytes')
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

/** The summary as JSON: the session's stats, where the peer is, and how long the session ran. */
export function summaryJson (peer: string, stats: ReplicationStats, ms: number): Record<string, unknown> {
  return { peer, ...stats, ms }
}

/** The summary as lines: sent, received (new and held already), rejected, bytes, round trips, time. */
export function summaryLines (peer: string, stats: ReplicationStats, ms: number): string[] {
  const how = stats.mode === 'changes' ? 'what changed since the last sync' : stats.mode === 'reconciled' ? 'feed tips reconciled' : 'not started'
  const inSync = stats.syncMs === null ? 'never in sync' : `in sync after ${seconds(stats.syncMs)}`
  return [
    `peer:        ${peer}`,
    `sent:        ${entries(stats.sent.entries)} (${counted(stats.sent.segments, 'segment', 'segments')}, ${byteSize(stats.sent.bytes)})`,
    `received:    ${entries(stats.received.entries)} (${counted(stats.received.segments, 'segment', 'segments')}, ${byteSize(stats.received.bytes)}): ${stats.stored} new, ${stats.duplicates} held already`,
    `rejected:    ${counted(stats.rejected, 'segment', 'segments')}`,
    `wire:        ${byteSize(stats.wireBytes.sent)} sent, ${byteSize(stats.wireBytes.received)} received`,
    `round trips: ${stats.roundTrips} (${how})`,
    `time:        ${seconds(ms)} (${inSync})`
  ]
}

export async function printSummary (peer: string, stats: ReplicationStats, ms: number, json: boolean): Promise<void> {
  if (json) await out.json(summaryJson(peer, stats, ms))
  else await out.lines(summaryLines(peer, stats, ms))
  await out.flush()
}

/** What an interrupted or failed sync kept: everything it received was stored as it came. */
export function keptText (stats: ReplicationStats | null): string {
  if (stats === null || stats.received.entries === 0) return 'nothing was received'
  return `the ${entries(stats.received.entries)} received (${stats.stored} new) are kept and the store is consistent`
}

/** A bar on a terminal's stderr that follows a session's counts (null elsewhere). */
export async function replicationBar (peer: string): Promise<{ bar: ProgressBar | null, onProgress: (stats: ReplicationStats) => void }> {
  const bar = await progressBar(`${peer} | received {received} | sent {sent} | {bytes}`)
  const onProgress = (stats: ReplicationStats): void => {
    bar?.update(stats.received.entries, 0, {
      received: entries(stats.received.entries),
      sent: entries(stats.sent.entries),
      bytes: byteSize(stats.received.bytes + stats.sent.bytes)
    })
  }
  return { bar, onProgress }
}
