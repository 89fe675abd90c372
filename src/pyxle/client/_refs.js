// A component's own ref to its element that also fills the ref its caller passed (forwardRef).
import { useCallback, useRef } from 'react'

export function useSharedRef(forwarded) {
  const own = useRef(null)
  const set = useCallback((node) => {
    own.current = node
    if (typeof forwarded === 'function') forwarded(node)
    else if (forwarded) forwarded.current = node
  }, [forwarded])
  return [own, set]
}
