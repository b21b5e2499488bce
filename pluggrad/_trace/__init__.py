"""Tracing a function of Tensors for :func:`pluggrad.compile`: what every backend's compiler
shares (:mod:`.calls`: the cache key, the stand-in tensors, what a traced call writes back), and
the compiler of the backends without their own (:mod:`.record`, :mod:`.program`,
:mod:`.compiled`: one call recorded as a flat program of the backend's kernel calls, planned
and replayed without the tape)."""
