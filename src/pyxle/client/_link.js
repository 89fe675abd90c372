// <Link>: an <a> that navigates client-side and prefetches on hover and when scrolled into view.
// Modifier clicks, other targets, downloads, external URLs and same-page hashes stay native.
import { createElement as h, useEffect, useRef, useSyncExternalStore } from 'react'
import { currentPath, navigate, prefetch, subscribe } from './_router.js'

export function Link({ href, prefetch: shouldPrefetch = true, replace = false, scroll = true, onClick, onMouseEnter,
                       target, children, ...rest }) {
  const ref = useRef(null)
  useEffect(() => {
    if (!shouldPrefetch || typeof IntersectionObserver === 'undefined' || !ref.current) return undefined
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        prefetch(href)
        observer.disconnect()
      }
    })
    observer.observe(ref.current)
    return () => observer.disconnect()
  }, [href, shouldPrefetch])

  function handleClick(event) {
    if (onClick) onClick(event)
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    if ((target && target !== '_self') || rest.download !== undefined) return
    const url = new URL(href, location.href)
    if (url.origin !== location.origin) return
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return
    event.preventDefault()
    navigate(url.href, { replace, scroll })
  }

  function handleMouseEnter(event) {
    if (onMouseEnter) onMouseEnter(event)
    if (shouldPrefetch) prefetch(href)
  }

  return h('a', { ...rest, href, target, ref, onClick: handleClick, onMouseEnter: handleMouseEnter }, children)
}

export function usePathname() {
  return useSyncExternalStore(subscribe, currentPath, () => null)
}
