// The prefetch queue: prefetches run at most MAX_RUNNING at a time, as Next.js bounds its own. A page
// of links scrolled through would otherwise fire one request per link, and on HTTP/1.1 (six
// connections a host) the click's own request would wait behind them all. A task waiting is dropped
// when its link leaves the screen first (see _link.js), and every task gives way to a navigation
// (see makeWay). The queue knows nothing of pages: the router gives each task what it runs.
const MAX_RUNNING = 2
const waiting = []
const running = new Set()

// Queues `run(task)` (a promise of true or false) for `key`: `first` (a hover, prefetch()) ahead of
// the tasks waiting, else behind them. Answers the task: its `promise` resolves to what run
// resolved to, or false when it failed or was dropped; `drop()` takes it out of the queue while it
// waits. `run` may set `task.abort`, called when a navigation needs the connections (see makeWay).
export function enqueue(key, run, first = false) {
  let settle
  const task = { key, run, abort: null, promise: new Promise((resolve) => { settle = resolve }) }
  task.settle = settle
  task.drop = () => dropTask(task)
  if (first) waiting.unshift(task)
  else waiting.push(task)
  next()
  return task
}

function dropTask(task) {
  const at = waiting.indexOf(task)
  if (at < 0) return // under way, or done: it goes on
  waiting.splice(at, 1)
  task.settle(false)
}

// Starts tasks while fewer than MAX_RUNNING run; each that ends makes room for the next.
function next() {
  while (running.size < MAX_RUNNING && waiting.length) {
    const task = waiting.shift()
    running.add(task)
    Promise.resolve()
      .then(() => task.run(task))
      .catch(() => false)
      .then((done) => {
        running.delete(task)
        task.settle(done === true)
        next()
      })
  }
}

// A navigation to `key` starts: the tasks waiting are dropped and those under way aborted, so its
// requests go out first. One for `key` itself goes on, as the navigation takes its answer.
export function makeWay(key) {
  for (const task of waiting.splice(0)) task.settle(false)
  for (const task of running) {
    if (task.key !== key && task.abort) task.abort()
  }
}
