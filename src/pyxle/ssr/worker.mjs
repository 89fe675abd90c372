// A warm SSR worker: loads the project's SSR bundle once, then renders one request per line.
//   node worker.mjs /abs/path/ssr.mjs
// Protocol (JSON lines): in {id, page, props, routePath}; out {id, html, head} or {id, error, stack}.
// The first line out is {"ready": true}. Answers to the lines of one input chunk leave in one write.
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'

const bundle = await import(pathToFileURL(process.argv[2]).href)
let out = []
const flush = () => {
  process.stdout.write(out.join(''))
  out = []
}
const send = (message) => {
  if (out.length === 0) process.nextTick(flush)
  out.push(JSON.stringify(message) + '\n')
}

createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
    send({ id: request.id, ...bundle.render(request) })
  } catch (error) {
    send({ id: request ? request.id : null, error: String((error && error.message) || error), stack: error && error.stack })
  }
})
process.stdin.on('end', () => process.exit(0))
send({ ready: true })
