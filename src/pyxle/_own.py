"""``OWN_REQUEST``: the scope key of a request the server makes of its own app (a stored page
rendered again, ``pages._cached.regenerate``). It is no visitor's, so per-client limits neither
count it nor refuse it (``ratelimit``). Only Pyxle sets it: a client cannot put keys in a scope."""

OWN_REQUEST = "pyxle.own_request"
