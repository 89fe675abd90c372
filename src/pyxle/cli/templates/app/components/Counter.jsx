import { useState } from 'react'
import styles from './Counter.module.css'

export default function Counter({ start = 0 }) {
  const [count, setCount] = useState(start)
  return (
    <div className={styles.counter}>
      <button type="button" onClick={() => setCount(count - 1)} aria-label="decrement">−</button>
      <output>{count}</output>
      <button type="button" onClick={() => setCount(count + 1)} aria-label="increment">+</button>
    </div>
  )
}
