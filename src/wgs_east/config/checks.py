"""Cross-field and file-system checks of a batch that the models alone cannot express.

Every check returns a list of :class:`~wgs_east.errors.Problem` so that all problems of a batch are
reported at once.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from wgs_east.config.models import Batch, Sex
from wgs_east.errors import Problem


def check_unique_ids(batch: Batch) -> list[Problem]:
    problems = []
    for i, s in enumerate(batch.samples):
        if s.id == batch.batch:  # reports/{batch}.html is the batch overview
            problems.append(Problem(f"samples[{i}].id", f"sample id equals the batch id {batch.batch!r}"))
    counts = Counter(s.id for s in batch.samples)
    for i, s in enumerate(batch.samples):
        if counts[s.id] > 1:
            problems.append(Problem(f"samples[{i}].id", f"duplicate sample id {s.id!r}"))
        unit_counts = Counter(u.id for u in s.units)
        for j, u in enumerate(s.units):
            if unit_counts[u.id] > 1:
                problems.append(
                    Problem(f"samples[{i}].units[{j}].id", f"duplicate unit id {u.id!r} in sample {s.id}")
                )
    return problems


def check_pedigree(batch: Batch) -> list[Problem]:
    problems: list[Problem] = []
    by_id = {s.id: s for s in batch.samples}
    for i, s in enumerate(batch.samples):
        for role, allowed in (("father", {Sex.male, Sex.unknown}), ("mother", {Sex.female, Sex.unknown})):
            pid = getattr(s, role)
            if pid is None:
                continue
            loc = f"samples[{i}].{role}"
            parent = by_id.get(pid)
            if parent is None:
                problems.append(Problem(loc, f"{pid!r} is not a sample of this batch"))
                continue
            if pid == s.id:
                problems.append(Problem(loc, f"sample {s.id} cannot be its own {role}"))
                continue
            if parent.family != s.family:
                problems.append(
                    Problem(loc, f"{pid} is in family {parent.family}, but {s.id} is in family {s.family}")
                )
            if parent.sex not in allowed:
                problems.append(Problem(loc, f"{pid} is declared {parent.sex.value} and cannot be the {role}"))
        if s.father is not None and s.father == s.mother:
            problems.append(Problem(f"samples[{i}].mother", f"father and mother are the same sample {s.father!r}"))
    problems.extend(_pedigree_cycles(batch))
    return problems


def _pedigree_cycles(batch: Batch) -> list[Problem]:
    """Depth-first search over child -> parent edges; a back edge is a cycle."""
    parents = {s.id: [p for p in (s.father, s.mother) if p and p != s.id] for s in batch.samples}
    index = {s.id: i for i, s in enumerate(batch.samples)}
    state: dict[str, int] = {}  # absent: not visited, 1: on the current path, 2: done
    problems = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for p in parents[node]:
            if p not in parents:
                continue
            if state.get(p) == 1:
                cycle = " -> ".join([*path[path.index(p):], p])
                problems.append(Problem(f"samples[{index[p]}]", f"pedigree cycle: {cycle}"))
            elif p not in state:
                visit(p, [*path, p])
        state[node] = 2

    for sid in parents:
        if sid not in state:
            visit(sid, [sid])
    return problems


def _check_readable_file(path: Path, loc: str, what: str) -> Problem | None:
    if not path.exists():
        return Problem(loc, f"{what} not found: {path}")
    if not path.is_file():
        return Problem(loc, f"{what} is not a regular file: {path}")
    if not os.access(path, os.R_OK):
        return Problem(loc, f"{what} is not readable: {path}")
    if path.stat().st_size == 0:
        return Problem(loc, f"{what} is empty: {path}")
    return None


def check_files(batch: Batch) -> list[Problem]:
    """Existence and readability of every input file, distinct R1/R2, no FASTQ shared by two units."""
    problems = []
    p = _check_readable_file(batch.reference.fasta, "reference.fasta", "reference FASTA")
    if p:
        problems.append(p)
    if batch.qc.target_bed is not None:
        p = _check_readable_file(batch.qc.target_bed, "qc.target_bed", "target BED")
        if p:
            problems.append(p)
    seen: dict[tuple[int, int], str] = {}  # (device, inode): symlinks and hard links are the same file
    for i, s in enumerate(batch.samples):
        for j, u in enumerate(s.units):
            unit_loc = f"samples[{i}].units[{j}]"
            for field in ("fastq1", "fastq2"):
                loc = f"{unit_loc}.{field}"
                path: Path = getattr(u, field)
                p = _check_readable_file(path, loc, "FASTQ")
                if p:
                    problems.append(p)
                    continue
                st = path.stat()
                real = (st.st_dev, st.st_ino)
                if field == "fastq2" and seen.get(real) == f"{unit_loc}.fastq1":
                    problems.append(Problem(loc, f"fastq2 is the same file as fastq1: {path}"))
                elif real in seen:
                    problems.append(Problem(loc, f"the same FASTQ is already used at {seen[real]}: {path}"))
                else:
                    seen[real] = loc
    return problems
