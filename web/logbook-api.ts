// The one place the app names the library: everything it uses of logbook comes through here, and only
// what the public API offers. Types and values the page needs, nothing of the store's internals.
export { Logbook, Identity, LogbookError, isLogbookError, kvView, useDefaultViews, connectWebSocket, KV_TYPE, MAX_LINKS } from '../src/index.js'
export type { View, LogEntry, LogReader, LogPage, KvApi, KvResult, KvValue, ForkReport, PendingReport, ViewStatus, ViewProgress, ReplicationStream, ConnectOptions } from '../src/index.js'
