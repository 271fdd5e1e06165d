// A stand-in for `ssh host logbook serve --stdio` in the transport suite: copies its stdin to a loopback
// socket and the socket to its stdout, so the peer it reaches runs in the test's own process.
import { connect } from 'node:net'

const socket = connect({ host: '127.0.0.1', port: Number(process.argv[2]) })
process.stdin.pipe(socket)
socket.pipe(process.stdout)
socket.on('error', () => process.exit(1))
socket.on('close', () => process.exit(0))
// The client went away: nothing left to relay.
process.stdout.on('error', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
