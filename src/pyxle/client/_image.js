// <Image>: an <img> with its size, lazy loading, srcset from a loader, a placeholder and a fallback.
import { createElement as h, forwardRef, Fragment, useEffect, useRef, useState } from 'react'
import { Head } from './_head.js'
import { useSharedRef } from './_refs.js'

const WIDTHS = [640, 750, 828, 1080, 1200, 1920, 2048, 3840] // srcset candidates when `sizes` decides

// With a `loader`: a srcset of the loader's URLs, by width when `sizes` (or `fill`) says how wide
// the image shows, else for 1x and 2x screens; `src` is the largest candidate.
function sources(src, width, sizes, fill, loader, quality) {
  if (!loader) return { src, sizes }
  const fixed = !sizes && !fill && Number(width) > 0
  const candidates = fixed ? [[Number(width), '1x'], [2 * Number(width), '2x']] : WIDTHS.map((w) => [w, `${w}w`])
  const url = (w) => loader({ src, width: w, quality })
  return {
    src: url(candidates[candidates.length - 1][0]),
    srcSet: candidates.map(([w, descriptor]) => `${url(w)} ${descriptor}`).join(', '),
    sizes: sizes || (fill ? '100vw' : undefined),
  }
}

// 0.9.4's default placeholder colour: a blur placeholder without `blurDataURL` shows it.
const PLACEHOLDER_COLOR = '#e5e5e5'
const BLUR = 'blur(20px)' // how blurred `blurDataURL` shows, as in 0.9.4
const UNBLUR = 'filter 250ms ease-out' // kept on a blur image, so the blur fades once it has loaded

// While a placeholder="blur" image loads: `blurDataURL` blurred, or else the plain colour (the
// colour is not drawn under a `blurDataURL`, as in 0.9.4).
function placeholderStyle(blurDataURL, color = PLACEHOLDER_COLOR) {
  const fill = blurDataURL ? { backgroundImage: `url("${blurDataURL.replace(/"/g, '%22')}")` } : { backgroundColor: color }
  return { ...fill, backgroundSize: 'cover', backgroundPosition: 'center', backgroundRepeat: 'no-repeat',
           filter: blurDataURL ? BLUR : undefined }
}

// pyxle dev only (process.env.NODE_ENV is "production" in a production build, which drops this):
// an <Image> without alt shows as decorative, so it is named once per src, as Next.js requires alt.
let unnamed = null
function noAlt(src) {
  unnamed = unnamed || new Set()
  if (typeof window === 'undefined' || unnamed.has(src)) return
  unnamed.add(src)
  console.error(`Pyxle: <Image src="${src}"> has no alt, so it renders alt="" and screen readers skip it. ` +
    'Describe the image in alt, or give alt="" if it is decorative.')
}

// <Image src width height alt />: dimensions always set (no layout shift), lazy by default;
// `priority` loads it eagerly at high priority and preloads it from the head. `fill` covers the
// positioned parent instead. The <img> says how it went in data-pyxle-image-state: loading,
// loaded or error (after trying `fallbackSrc`).
export const Image = /* @__PURE__ */ forwardRef(function Image({ src, width, height, alt, priority = false,
  loading, lazy, fill = false, sizes, quality, loader, placeholder, blurDataURL, placeholderColor, fallbackSrc,
  objectFit, onLoad, onError, style, ...props }, forwarded) {
  if (process.env.NODE_ENV !== 'production' && alt === undefined) noAlt(src)
  const [shown, setShown] = useState({ src, fallback: false, status: 'loading' })
  const current = shown.src === src ? shown : { src, fallback: false, status: 'loading' } // a new src starts over
  if (current !== shown) setShown(current)
  const [img, setRef] = useSharedRef(forwarded)

  const chosen = current.fallback ? { src: fallbackSrc, sizes } : sources(src, width, sizes, fill, loader, quality)
  const settled = useRef(null) // the URL whose outcome is known: its load or error counts once
  function settle(status, event) {
    if (settled.current === chosen.src) return
    settled.current = chosen.src
    if (status === 'error' && fallbackSrc && !current.fallback) return setShown({ ...current, fallback: true })
    setShown({ ...current, status })
    const handler = status === 'loaded' ? onLoad : onError
    if (handler) handler(event)
  }
  useEffect(() => { // an image that settled before hydration fired its event before React listened
    const node = img.current
    if (!node || !node.complete) return
    settle(node.naturalWidth > 0 ? 'loaded' : 'error', { target: node, nativeEvent: null, fromCache: true })
  }, [chosen.src])
  const css = {
    ...(fill ? { position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: objectFit || 'cover' }
      : null),
    ...(!fill && objectFit ? { objectFit } : null),
    ...(placeholder === 'blur' && current.status === 'loading' ? placeholderStyle(blurDataURL, placeholderColor) : null),
    ...(placeholder === 'blur' ? { transition: UNBLUR } : null),
    ...style,
  }
  const element = h('img', {
    ...props, ref: setRef, src: chosen.src, srcSet: chosen.srcSet, sizes: chosen.sizes,
    width: fill ? undefined : width, height: fill ? undefined : height, alt: alt ?? '',
    loading: priority ? 'eager' : loading || (lazy === false ? 'eager' : 'lazy'),
    decoding: priority ? 'sync' : 'async',
    fetchPriority: priority ? 'high' : undefined,
    style: Object.keys(css).length ? css : undefined,
    'data-pyxle-image-state': current.status,
    onLoad: (event) => settle('loaded', event),
    onError: (event) => settle('error', event),
  })
  if (!priority) return element
  // Shaped as React 19's own hint for this <img> (no href beside a srcset, where the browser picks
  // from the srcset anyway), so the server's head merge keeps one; React 18 adds none.
  const preload = h('link', { rel: 'preload', as: 'image', href: chosen.srcSet ? undefined : chosen.src,
                              imageSrcSet: chosen.srcSet, imageSizes: chosen.sizes, crossOrigin: props.crossOrigin,
                              referrerPolicy: props.referrerPolicy, fetchPriority: 'high' })
  return h(Fragment, null, h(Head, null, preload), element)
})
