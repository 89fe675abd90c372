"""Server-side rendering in a pool of warm Node worker processes.

Public names: ``SsrPool``, ``Abandoned`` (a queued render whose client left), ``RenderError``, ``BundleError`` (the bundle throws as it loads),
``RenderTimeout``, ``RenderQueueFull``, ``NoWorker`` (no worker runs: its failures are logged
sampled), ``RenderStream``; ``own_frames``, ``located`` and ``thrown_in_package``: where
in a project (or in which npm package) a render's stack points (the workers map the bundle's lines back to the sources).
Depends on nothing else in Pyxle but ``_loggable``: it takes the path of an SSR bundle (the bundler's output).

Each worker loads the bundle once and renders one request at a time (React's ``renderToString``
is synchronous), so the pool size is the render concurrency. A page that suspends (a
``<Suspense>`` child waiting for data) streams instead: its shell is the answer, and the rest
arrives on a ``RenderStream`` while the worker goes on with the next renders. Renders beyond what the workers take
wait in a bounded queue; a full queue refuses at once (``RenderQueueFull``), and a render whose
caller's client leaves while it waits there is dropped (``Abandoned``). A render's timeout
counts its own time only; a worker that overruns it or dies is killed and replaced, the render in
progress fails, and the rest are served normally. Missing workers are started in the background,
tried again with a growing pause while they fail to start. Console output during a render reaches
the ``pyxle.ssr`` logger, tagged with the page and logged in the context of the caller of ``render``
(so a filter that reads a context variable, such as a request id, sees that request's), and so does
an error the render scheduled and left uncaught, which stops nothing; what Node prints outside that
capture (its report of a fatal error) is logged there too.
"""

from __future__ import annotations

from pyxle.ssr._errors import Abandoned, BundleError, NoWorker, RenderError, RenderQueueFull, RenderTimeout
from pyxle.ssr._frames import located, own_frames, thrown_in_package
from pyxle.ssr._pool import SsrPool
from pyxle.ssr._stream import RenderStream

__all__ = ["Abandoned", "BundleError", "NoWorker", "RenderError", "RenderQueueFull", "RenderStream", "RenderTimeout", "SsrPool", "located",
           "own_frames", "thrown_in_package"]
