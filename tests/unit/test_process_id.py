"""`current_pid` is the process's id, in a forked child too (gunicorn forks its workers; the
multiprocess metrics files are named by it)."""

from __future__ import annotations

import os

from cds_service.process_id import current_pid


def test_the_id_follows_a_fork() -> None:
    assert current_pid() == os.getpid()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports its view and leaves without running pytest's exit
        os.write(write, f"{current_pid()} {os.getpid()}".encode())
        os._exit(0)
    os.close(write)
    reported = os.read(read, 100).decode().split()
    os.close(read)
    os.waitpid(child, 0)
    assert reported[0] == reported[1] == str(child)
    assert current_pid() == os.getpid() != child
