// The one place the app names the library (by its package name: a bundle resolves it to the browser entry,
// Node's tests to the Node one): everything it uses of logbook comes through here, and only
// what the public API offers. Types and values the page needs, nothing of the store's internals.
export { Logbook, spaceIdOf, Identity, LogbookError, isLogbookError, kvView, useDefaultViews, connectWebSocket, KV_TYPE, MAX_LINKS } from 'logbook'
export type { View, LogEntry, LogReader, LogPage, KvApi, KvResult, KvValue, ForkReport, PendingReport, ViewStatus, ViewProgress, ReplicationStream, ConnectOptions } from 'logbook'
