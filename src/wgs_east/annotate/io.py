"""Small I/O helpers shared by the annotation steps: atomic writes, gzip-aware reading, CLI wrapper."""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from wgs_east.errors import WgsEastError


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzip/bgzip text file."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gz else open(path)  # noqa: SIM115 - returned to the caller


def tmp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_text_atomic(path: Path, text: str) -> None:
    """Write under a temporary name in the same directory (created if needed), then rename; a failed write
    (full file system) leaves no temporary file behind. UTF-8. The one atomic text writer of the package."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def run_cli(main: Callable[[], int]) -> None:
    """Run a step's main(); a WgsEastError becomes a one-screen message and its exit code."""
    try:
        code = main()
    except WgsEastError as exc:
        print(f"wgs-east: error: {exc}", file=sys.stderr)
        code = exc.exit_code
    sys.exit(code)
