// The sign-in and sign-up forms: the same fields, a different call to useAuth().
import { useState } from 'react'
import { navigate, useAuth } from 'pyxle/client'

export default function CredentialsForm({ kind, title }) {
  const auth = useAuth()
  const [message, setMessage] = useState(null)

  async function submit(event) {
    event.preventDefault()
    const fields = Object.fromEntries(new FormData(event.currentTarget))
    const result = await auth[kind]({ email: fields.email, password: fields.password })
    if (result.ok) navigate('/account')
    else setMessage(result.error)
  }

  return (
    <form onSubmit={submit}>
      <h1>{title}</h1>
      <label>Email <input name="email" type="email" required autoComplete="email" /></label>
      <label>Password <input name="password" type="password" required minLength={10} /></label>
      <button type="submit" disabled={auth.loading}>{title}</button>
      {message && <p className="error" role="alert">{message}</p>}
    </form>
  )
}
