import type { ReactNode, ComponentType, ReactElement } from 'react'

/** Elements for the document head (title, meta, link...), from any layout or page. Page wins over layout. */
export function Head(props: { children?: ReactNode }): null
/** Renders what the page exports as `slots[name]` (a component or an element), or `fallback`. */
export function Slot(props: { name: string; fallback?: ReactNode; [prop: string]: unknown }): ReactElement | null
/** Renders `fallback` on the server and during hydration, then `children` in the browser. */
export function ClientOnly(props: { children?: ReactNode; fallback?: ReactNode }): ReactElement | null
