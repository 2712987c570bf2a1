"""This process's id without a system call per use: metrics (prometheus-client's multiprocess
values check it on every increment, about fifteen times a hook call) and the audit writer ask
for it on the request path, and `os.getpid()` is a system call each time."""

from __future__ import annotations

import os

_pid = os.getpid()


def _after_fork_in_child() -> None:
    global _pid  # the one value a fork must change
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork_in_child)


def current_pid() -> int:
    """`os.getpid()`, kept up to date across `os.fork()` (as gunicorn forks its workers)."""
    return _pid
