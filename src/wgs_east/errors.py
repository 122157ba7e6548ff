"""One exception hierarchy. The CLI turns every WgsEastError into a one-screen message and exit 2."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where it is (a field path or line) and what is wrong."""

    loc: str
    msg: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.msg}" if self.loc else self.msg


class WgsEastError(Exception):
    """An expected failure with a message meant for the user (no traceback)."""

    exit_code = 2


class InputError(WgsEastError):
    """One or more problems in one input file (config, FASTQ, reference, VCF, resource)."""

    def __init__(self, source: str | Path, problems: Iterable[Problem | str]) -> None:
        self.source = str(source)
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''} found"
        lines = [head] + [f"  {p}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  ... and {n - MAX_LISTED} more")
        return "\n".join(lines)


class RunError(WgsEastError):
    """A run could not start: the output directory is locked by another run, or similar."""


class WorkflowFailed(WgsEastError):
    """The workflow started but a job failed; exit code 1 (bad input is 2)."""

    exit_code = 1


class Interrupted(WgsEastError):
    """The run was stopped by a signal (Ctrl-C: exit code 130, SIGTERM: 143, as a shell reports it)."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + signum


class OutputError(WgsEastError):
    """The output directory cannot be written (full file system, quota, read-only): exit code 2."""
