// Slot and ClientOnly.
import { createElement as h, Fragment, isValidElement, useContext, useEffect, useState } from 'react'
import { SlotContext } from './_context.js'

// <Slot name="header" fallback={...} />: renders what the page exports in `slots.header`.
export function Slot({ name, fallback = null, ...props }) {
  const content = useContext(SlotContext)[name]
  if (content == null) return fallback
  if (typeof content === 'function') return h(content, props)
  return isValidElement(content) ? content : h(Fragment, null, content)
}

// <ClientOnly fallback={...}>: the fallback on the server and during hydration, then children.
export function ClientOnly({ children, fallback = null }) {
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  return mounted ? h(Fragment, null, children) : fallback
}
