"""Snakemake's own CLI, run as the child of `wgs-east run`, which stops the whole run when told to.

`wgs-east run` starts this in a session (process group) of its own, with the kernel asked to send
``STOP`` when wgs-east dies, even by SIGKILL (PR_SET_PDEATHSIG); wgs-east sends the same signal when it is
interrupted (Ctrl-C, SIGTERM). On ``STOP``:

- local executor: every process of the run (Snakemake and all its job processes, which share its process
  group) is terminated at once. A job cut short leaves its output marked incomplete in Snakemake's
  metadata, so the next run redoes it (``--rerun-incomplete``); deliverables are written under a temporary
  name and renamed, so none looks complete while partial.
- cluster executor: Snakemake is interrupted as by Ctrl-C, which makes it cancel its cluster jobs.

SIGTERM is deliberately not the stop signal: Snakemake's own SIGTERM handler takes a non-reentrant lock
that the scheduler may hold at that moment, and then waits forever (seen as a run that never stops).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

STOP = signal.SIGHUP
REMOTE_ENV = "WGS_EAST_REMOTE_EXECUTOR"


def _stop(signum: int, frame: FrameType | None) -> None:
    if os.environ.get(REMOTE_ENV) == "1":
        raise KeyboardInterrupt
    print(
        "wgs-east: run stopped: terminating all its jobs; re-run the same command to resume", file=sys.stderr
    )
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.getpgrp() == os.getpid():  # the leader of the run's own process group, as wgs-east starts it
        os.killpg(0, signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str]) -> None:
    signal.signal(STOP, _stop)
    from snakemake.cli import main as snakemake_main

    snakemake_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
