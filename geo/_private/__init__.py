"""Internals of geo: not a public API. Shortest-path kernels here are reached only through :mod:`geo.routing`."""
