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
  | { ok: false; error: string; data?: Record<string, unknown>; aborted?: boolean }

export interface FormProps extends Omit<FormHTMLAttributes<HTMLFormElement>, 'action' | 'onError'> {
  /** The `@action` name on the page. */
  action: string
  /** The page the action lives on (default: the current page), e.g. "blog/new". */
  pagePath?: string
  onSuccess?: (result: { ok: true } & Record<string, unknown>) => void
  onError?: (message: string, result: ActionResult) => void
  /** Reset the form after a successful action (default true). */
  resetOnSuccess?: boolean
}
/** A real `<form method="post">` to the page's action: works before hydration and without JavaScript. */
export function Form(props: FormProps): ReactElement

export interface ActionFunction<P = unknown, T = Record<string, unknown>> {
  (payload?: P | FormData, options?: { signal?: AbortSignal }): Promise<ActionResult<T>>
  pending: boolean
  error: string | null
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
