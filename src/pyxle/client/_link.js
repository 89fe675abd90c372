// <Link>: an <a> that navigates client-side and prefetches on hover and when scrolled into view.
// Modifier clicks, other targets, downloads, same-page hashes and what is no page (isPage: external
// URLs, API routes, files such as /report.pdf) stay native; a click on a javascript: (or data:) href
// does nothing (see refused). Only a page is ever prefetched, and not by a link that the browser
// follows itself (another target, a download).
import { createElement as h, forwardRef, useContext, useEffect, useSyncExternalStore } from 'react'
import { PageContext } from './_context.js'
import { useSharedRef } from './_refs.js'
import { currentPath, isPage, navigate, prefetch, prefetchInView, refused, subscribe } from './_router.js'
import { hrefOf } from './_url.js'

// `shallow` and `passHref` are accepted for Pyxle 0.9 code and kept off the <a>. `href` may be a
// Next.js UrlObject ({ pathname, query, hash }), formatted as Next.js does (see _url.js).
export const Link = /* @__PURE__ */ forwardRef(function Link({ href: to, prefetch: shouldPrefetch = true, prefetchTtl,
  replace = false, scroll = true, shallow, passHref, onClick, onMouseEnter, target, children, ...rest }, forwarded) {
  const href = hrefOf(to, '<Link>')
  const path = String(href) // what the router is given (a wrong href was named once, above)
  const [ref, setRef] = useSharedRef(forwarded)
  const native = (target && target !== '_self') || (rest.download != null && rest.download !== false)
  const prefetching = shouldPrefetch && !native
  useEffect(() => {
    if (!prefetching || typeof IntersectionObserver === 'undefined' || !ref.current) return undefined
    const seen = { task: null }
    const observer = new IntersectionObserver((entries) => {
      if (entries[entries.length - 1].isIntersecting) inView(seen, path, prefetchTtl, () => observer.disconnect())
      else outOfView(seen)
    })
    observer.observe(ref.current)
    return () => {
      observer.disconnect()
      outOfView(seen)
    }
  }, [path, prefetching, prefetchTtl])

  function handleClick(event) {
    if (onClick) onClick(event)
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    if (native) return
    const url = new URL(path, location.href)
    if (refused(url)) return event.preventDefault() // javascript: and the like (logged): nothing happens
    if (!isPage(url)) return // the browser loads (or downloads) it
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return
    event.preventDefault()
    navigate(url.href, { replace, scroll, shallow, prefetchTtl })
  }

  function handleMouseEnter(event) {
    if (onMouseEnter) onMouseEnter(event)
    if (prefetching) prefetch(path, { prefetchTtl })
  }

  return h('a', { ...rest, href, target, ref: setRef, onClick: handleClick, onMouseEnter: handleMouseEnter }, children)
})

// A link scrolled into view queues its prefetch (see _queue.js) and, once that is done, is watched no
// more; one dropped (the link left the screen, a navigation started) or failed is asked again when
// the link comes into view again.
function inView(seen, href, prefetchTtl, done) {
  if (seen.task) return
  const task = (seen.task = prefetchInView(href, { prefetchTtl }))
  task.promise.then((prefetched) => {
    if (prefetched) done()
    else if (seen.task === task) seen.task = null
  })
}

// Out of view before its turn: the prefetch waiting is dropped (one under way goes on).
function outOfView(seen) {
  if (seen.task) seen.task.drop()
  seen.task = null
}

// The current path: the request's path while rendering on the server, then the browser's,
// updated by client-side navigation.
export function usePathname() {
  const page = useContext(PageContext)
  return useSyncExternalStore(subscribe, currentPath, () => page.routePath)
}
