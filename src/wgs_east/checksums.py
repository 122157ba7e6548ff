"""`DIR/checksums.sha256`: the sha256 of every deliverable of a finished run, in `sha256sum` format
(``sha256sum -c checksums.sha256`` in DIR verifies it).

Deliverables are every file of the run directory except Snakemake's and wgs-east's own state
(``.snakemake/``, ``.wgs-east/``), intermediate files (``work/``), logs and job benchmarks. Files whose
size and mtime are unchanged since the last listing are not read again (cache in ``.wgs-east/``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from wgs_east.annotate.io import write_text_atomic
from wgs_east.config import file_sha256
from wgs_east.errors import Problem

NAME = "checksums.sha256"
NOT_DELIVERABLES = {".snakemake", ".wgs-east", "work", "logs", "benchmarks"}
CACHE = Path(".wgs-east") / "checksums.cache.json"


def deliverables(outdir: Path) -> list[str]:
    """Paths (relative to ``outdir``, sorted) of the run's deliverable files."""
    found = []
    for root, dirs, files in os.walk(outdir):
        rel_root = Path(root).relative_to(outdir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in NOT_DELIVERABLES]
        for name in files:
            rel = (rel_root / name).as_posix()
            if rel != NAME and not name.endswith(".tmp"):
                found.append(rel)
    return sorted(found)


def write_checksums(outdir: Path) -> Path:
    """Write ``outdir/checksums.sha256`` atomically; returns its path."""
    cache_path = outdir / CACHE
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    fresh: dict[str, list] = {}
    lines = []
    for rel in deliverables(outdir):
        st = (outdir / rel).stat()
        key = [st.st_size, st.st_mtime_ns]
        cached = cache.get(rel)
        digest = cached[2] if cached and cached[:2] == key else file_sha256(outdir / rel)
        fresh[rel] = [*key, digest]
        lines.append(f"{digest}  {rel}\n")
    out = outdir / NAME
    write_text_atomic(out, "".join(lines))
    if cache_path.parent.is_dir():
        write_text_atomic(cache_path, json.dumps(fresh))
    return out


def read_checksums(outdir: Path) -> dict[str, str]:
    """``relative path -> sha256`` of ``outdir/checksums.sha256``."""
    listed = {}
    for line in (outdir / NAME).read_text().splitlines():
        digest, sep, rel = line.partition("  ")
        if sep and len(digest) == 64:
            listed[rel] = digest
    return listed


def verify(outdir: Path, paths: list[str]) -> list[Problem]:
    """Problems (missing, not listed, checksum mismatch) of ``paths`` against ``outdir/checksums.sha256``."""
    if not (outdir / NAME).exists():
        return [Problem(NAME, "not found: the run did not finish (a complete run writes it); re-run it first")]
    listed = read_checksums(outdir)
    problems = []
    for rel in paths:
        if rel not in listed:
            problems.append(Problem(rel, f"not listed in {NAME}: the run is incomplete or was changed"))
        elif not (outdir / rel).is_file():
            problems.append(Problem(rel, "listed but missing"))
        elif file_sha256(outdir / rel) != listed[rel]:
            problems.append(Problem(rel, f"sha256 differs from {NAME}: the file changed after the run"))
    return problems
