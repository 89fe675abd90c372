// Types for `pyxle/client`, the browser runtime of Pyxle pages.
import type { AnchorHTMLAttributes, FormHTMLAttributes, ImgHTMLAttributes, ReactElement, ReactNode } from 'react'

/** Elements for the document head (title, meta, link...), from any layout or page. Page wins over layout. */
export function Head(props: { children?: ReactNode }): null
/** Renders what the page exports as `slots[name]` (a component or an element), or `fallback`. */
export function Slot(props: { name: string; fallback?: ReactNode; [prop: string]: unknown }): ReactElement | null
/** Renders `fallback` on the server and during hydration, then `children` in the browser. */
export function ClientOnly(props: { children?: ReactNode; fallback?: ReactNode }): ReactElement | null

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  href: string
  /** Prefetch on hover and when scrolled into view (default true). */
  prefetch?: boolean
  /** Replace the current history entry instead of pushing one. */
  replace?: boolean
  /** Scroll to the top (or to the #hash) after navigating (default true). */
  scroll?: boolean
}
/** An `<a>` that navigates client-side; modifier clicks, targets, downloads and external URLs stay native. */
export function Link(props: LinkProps): ReactElement
/** The current path, updated by client-side navigation (null during server rendering). */
export function usePathname(): string | null

/** Navigate client-side through the page's navigation JSON; falls back to a full load on failure. */
export function navigate(path: string, options?: { replace?: boolean; scroll?: boolean }): Promise<void>
/** Fetch a page's navigation JSON and module ahead of time (cached for `prefetchTtl`, 30 s by default). */
export function prefetch(path: string): Promise<void>
/** Re-fetch the current page's data and re-render it. */
export function refresh(): Promise<void>
/** Drop the cached navigation data of `path`, or of every page. */
export function invalidate(path?: string): void
export function configure(options: { prefetchTtl?: number }): void

export type ActionResult<T = Record<string, unknown>> =
  | ({ ok: true; /** set when the action returned a redirect; the page is already navigating there */ redirect?: string } & T)
  | { ok: false; error: string; data?: Record<string, unknown>; fields?: FieldErrors; aborted?: boolean }

/** Field path (`"title"`, `"items.0.qty"`) -> messages, from a typed action body that failed validation. */
export type FieldErrors = Record<string, string[]>

/** The `action` prop of a page re-rendered after a no-JS form post whose fields failed validation. */
export interface ActionProp {
  name: string
  ok: false
  error: string
  fields: FieldErrors
  /** The submitted text fields, so inputs can keep what the user typed. */
  values: Record<string, string | string[]>
}

export interface FormProps extends Omit<FormHTMLAttributes<HTMLFormElement>, 'action' | 'onError'> {
  /** The `@action` name on the page. */
  action: string
  /** The page the action lives on (default: the current page), e.g. "blog/new". */
  pagePath?: string
  onSuccess?: (result: { ok: true } & Record<string, unknown>) => void
  onError?: (message: string, fields: FieldErrors | null, result: ActionResult) => void
  /** Reset the form after a successful action (default true). */
  resetOnSuccess?: boolean
}
/** A real `<form method="post">` to the page's action: works before hydration and without JavaScript. */
export function Form(props: FormProps): ReactElement

export interface ActionFunction<P = unknown, T = Record<string, unknown>> {
  (payload?: P | FormData, options?: { signal?: AbortSignal }): Promise<ActionResult<T>>
  pending: boolean
  error: string | null
  fields: FieldErrors | null
  data: ActionResult<T> | null
}
/** Call an `@action`: resolves to `{ ok, ... }` and never throws on an ActionError. */
export function useAction<P = unknown, T = Record<string, unknown>>(
  name: string,
  options?: { pagePath?: string; onMutate?: (payload: P) => void },
): ActionFunction<P, T>

export interface ScriptProps {
  src: string
  strategy?: 'beforeInteractive' | 'afterInteractive' | 'lazyOnload'
  onLoad?: (event: Event) => void
  onError?: (event: Event) => void
  [attribute: string]: unknown
}
/** A third-party script: in the head before hydration, after hydration (default), or when idle. */
export function Script(props: ScriptProps): ReactElement | null

export interface ImageProps extends Omit<ImgHTMLAttributes<HTMLImageElement>, 'src' | 'width' | 'height'> {
  src: string
  width: number
  height: number
  /** Load eagerly at high priority and preload from the head (for the largest image above the fold). */
  priority?: boolean
}
/** An `<img>` with dimensions (no layout shift), lazy by default. */
export function Image(props: ImageProps): ReactElement

export type WebSocketStatus = 'connecting' | 'open' | 'closed'
export interface WebSocketOptions<M = unknown> {
  /** Parse text messages as JSON (those that are not JSON stay strings). Default true. */
  json?: boolean
  /** Reconnect after a drop, with exponential backoff and jitter. Default true. */
  reconnect?: boolean
  /** Give up after this many reconnects in a row. Default 10. */
  maxRetries?: number
  /** The first delay before reconnecting, in ms (doubling up to maxDelay). Default 500. */
  minDelay?: number
  maxDelay?: number
  protocols?: string | string[]
  /** false: no socket (yet). Default true. */
  enabled?: boolean
  onOpen?: (event: Event) => void
  /** Every message, in order (lastMessage holds only the latest after React batches renders). */
  onMessage?: (message: M, event: MessageEvent) => void
  onClose?: (event: CloseEvent) => void
}
export interface WebSocketHandle<M = unknown> {
  status: WebSocketStatus
  /** Strings and binary data as they are, anything else as JSON; false when the socket is not open. */
  send: (data: string | ArrayBufferLike | Blob | ArrayBufferView | object | number | boolean | null) => boolean
  lastMessage: M | null
  /** Reconnects tried since the socket was last open. */
  retries: number
}
export function useWebSocket<M = unknown>(url: string | null, options?: WebSocketOptions<M>): WebSocketHandle<M>

/** The signed-in user as pyxle-auth describes it (never a password hash). */
export interface AuthUser {
  id: string
  email: string | null
  username?: string | null
  emailVerified: boolean
  plan: string
  createdAt: string
}
export interface AuthResult {
  ok: boolean
  user?: AuthUser | null
  error?: string
  code?: string
}
export interface UseAuthResult {
  /** The signed-in user, or null. */
  user: AuthUser | null
  isAuthenticated: boolean
  /** True during the server render and hydration, and while a request to the plugin is in flight. */
  loading: boolean
  /** The last error message from login or signup, or null. */
  error: string | null
  /** POST {prefix}/login with `{ email, password }` (or `{ username, password }`). */
  login(credentials: { password: string; email?: string; username?: string }): Promise<AuthResult>
  /** POST {prefix}/signup: creates the account and signs it in. */
  signup(credentials: { password: string; email?: string; username?: string }): Promise<AuthResult>
  /** POST {prefix}/logout. */
  logout(): Promise<void>
  /** GET {prefix}/me: the user as the server sees it now. */
  refresh(): Promise<AuthUser | null>
}
/** The signed-in user of an app using the pyxle-auth plugin, shared by every component. */
export function useAuth(): UseAuthResult
