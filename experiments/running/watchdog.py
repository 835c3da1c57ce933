"""Worker processes end when the process that started them dies.

A pool's workers are forked from a forkserver (or spawned): killing only the main process
of a sweep, a plan search or a calibration (as an out-of-memory killer does) would leave
them running, busy with runs nobody will read, even after the command is run again and
finishes. `end_with_parent` starts a thread in each worker that checks, every
`CHECK_SECONDS`, that the worker's parent process is the one it started under and that the
main process is still alive, and ends the worker at once when not.
"""

from __future__ import annotations

import os
import sys
import threading
import time

CHECK_SECONDS = 0.5
"""How often a worker checks that its parent is alive."""


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would end the process there; the parent id suffices
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_with_parent(main: int) -> None:
    """End this worker process when `main` (the process that made its pool) is gone.

    Call it in the pool's initializer, with `os.getpid()` of the main process passed in.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if os.getppid() != parent or not _alive(main):
                # A worker keeps nothing of its own: its results go through the parent.
                os._exit(1)

    threading.Thread(target=watch, name="eachcustomer-parent-watch", daemon=True).start()
