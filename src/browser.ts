// logbook in a browser: the same API as in Node (src/api.ts), stores in IndexedDB, replication over the
// page's WebSocket. Bundlers pick this entry through the package's "browser" export condition.
export * from './api.js'
