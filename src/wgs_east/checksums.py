"""`DIR/checksums.sha256`: the sha256 of every deliverable of a finished run, in `sha256sum` format
(``sha256sum -c checksums.sha256`` in DIR verifies it).

Deliverables are every file of the run directory except Snakemake's and wgs-east's own state
(``.snakemake/``, ``.wgs-east/``), intermediate files (``work/``), logs and job benchmarks. Files whose
size, mtime, ctime and inode are unchanged since the last listing are not read again (cache in
``.wgs-east/``; the ctime changes with every edit, even one whose mtime is restored afterwards).

:func:`verify_run` is what `wgs-east provenance` checks before it calls a run complete: every deliverable
the batch must have (:func:`required`) is listed, and every listed file is present with its digest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


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
        key = _stamp(outdir / rel)
        cached = cache.get(rel)
        digest = cached[-1] if cached and cached[:-1] == key else file_sha256(outdir / rel)
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


def required(batch: Any) -> list[str]:
    """The deliverables a complete run of ``batch`` has (the workflow's targets, workflow/rules/common.smk)."""
    name = batch.batch
    affected = [s.id for s in batch.samples if s.affected]
    rels = [f"variants/{name}.vcf.gz", f"variants/{name}.vcf.gz.tbi", "provenance/tools.json"]
    rels += [f"alignments/{s}.{ext}" for s in batch.sample_ids for ext in ("cram", "cram.crai")]
    rels += [f"gvcf/{s}.{ext}" for s in batch.sample_ids for ext in ("g.vcf.gz", "g.vcf.gz.tbi")]
    rels += [f"qc/{name}.{ext}" for ext in ("qc.tsv", "qc.json", "relatedness.tsv")] + ["qc/multiqc.html"]
    if batch.resources is not None:
        rels += [f"annotated/{name}.vcf.gz", f"annotated/{name}.vcf.gz.tbi"]
        rels += [f"classified/{s}.{ext}" for s in affected for ext in ("tsv", "json", "vcf.gz", "vcf.gz.tbi")]
    return rels + [f"reports/{name}.html"] + [f"reports/{s}.html" for s in affected]


def verify_run(outdir: Path, required_files: list[str], *, rehash: bool = False) -> list[Problem]:
    """Problems of a finished run directory: a required deliverable not listed in checksums.sha256, a listed
    file missing or with another sha256. A file is re-read unless its size, mtime, ctime and inode are
    those recorded when the list was written (``rehash``: always re-read). Nothing is written."""
    if not (outdir / NAME).exists():
        return [Problem(NAME, "not found: the run did not finish (a complete run writes it); re-run it")]
    listed = read_checksums(outdir)
    try:
        cache = {} if rehash else json.loads((outdir / CACHE).read_text())
    except (OSError, ValueError):
        cache = {}
    problems = [Problem(rel, f"missing: not listed in {NAME}") for rel in required_files if rel not in listed]
    for rel, digest in listed.items():
        path = outdir / rel
        if not path.is_file():
            problems.append(Problem(rel, f"listed in {NAME} but missing"))
            continue
        cached = cache.get(rel)
        if cached and cached[:-1] == _stamp(path):
            actual = cached[-1]
        else:
            actual = file_sha256(path)
        if actual != digest:
            problems.append(Problem(rel, f"sha256 differs from {NAME}: the file changed after the run"))
    return problems
