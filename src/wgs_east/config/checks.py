"""Cross-field and file-system checks of a batch that the models alone cannot express.

Every check returns a list of :class:`~wgs_east.errors.Problem` so that all problems of a batch are
reported at once.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from wgs_east.config.models import Batch, Sex
from wgs_east.errors import InputError, Problem

MAX_FILE_PROBLEMS = 10
_GENE_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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


def _text_lines(path: Path, loc: str, what: str) -> tuple[list[str], list[Problem]]:
    """The lines of a small text input (plain or gzip); a binary or unreadable file is one problem."""
    from wgs_east.reference import open_maybe_gzip

    try:
        with open_maybe_gzip(path) as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        return [], [Problem(loc, f"{what} cannot be read: {exc} ({path})")]
    if b"\0" in data:
        return [], [Problem(loc, f"{what} is a binary file, not text: {path}")]
    try:
        return data.decode("utf-8").splitlines(), []
    except UnicodeDecodeError as exc:
        return [], [Problem(loc, f"{what} is not UTF-8 text (byte {exc.start}): {path}")]


def check_acmg_file(batch: Batch) -> list[Problem]:
    """``acmg:`` given as a settings file: readable, YAML, known keys and valid values (what the
    classification step will load), and its BA1 exception list present."""
    if not isinstance(batch.acmg, Path):
        return []
    p = _check_readable_file(batch.acmg, "acmg", "ACMG settings file")
    if p:
        return [p]
    from wgs_east.acmg.settings import load_settings

    try:
        settings = load_settings(batch.acmg)
    except InputError as exc:
        return [Problem(f"acmg: {exc.source}", str(p)) for p in exc.problems]
    extra = settings.ba1_exception_list
    if extra is not None:
        p = _check_readable_file(Path(extra), f"acmg: {batch.acmg}: ba1_exception_list", "BA1 exception list")
        if p:
            return [p]
    return []


def check_panel_file(batch: Batch) -> list[Problem]:
    """``classification.panel_file``: a readable text file of gene symbols, one per line."""
    path = batch.classification.panel_file
    if path is None:
        return []
    loc = "classification.panel_file"
    p = _check_readable_file(path, loc, "panel file")
    if p:
        return [p]
    lines, problems = _text_lines(path, loc, "panel file")
    for lineno, line in enumerate(lines, start=1):
        symbol = line.split("#", 1)[0].strip()
        if symbol and not _GENE_SYMBOL.match(symbol):
            problems.append(Problem(f"{loc}: {path}: line {lineno}", f"not a gene symbol: {symbol[:40]!r}"))
        if len(problems) >= MAX_FILE_PROBLEMS:
            break
    return problems


def check_target_bed(batch: Batch, contigs: dict[str, int] | None) -> list[Problem]:
    """``qc.target_bed``: BED lines of chrom, 0-based start < end within the reference contig (what
    mosdepth ``--by`` will read); header lines (``#``, ``track``, ``browser``) and blank lines are skipped."""
    path = batch.qc.target_bed
    if path is None:
        return []
    loc = "qc.target_bed"
    lines, problems = _text_lines(path, loc, "target BED")
    n_regions = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        where = f"{loc}: {path}: line {lineno}"
        fields = line.rstrip("\r").split("\t")
        if len(fields) < 3:
            problems.append(Problem(where, f"{len(fields)} tab-separated column(s), a BED line needs chrom, start, end"))
        elif not (fields[1].isdigit() and fields[2].isdigit()):
            problems.append(Problem(where, "start and end must be whole numbers >= 0"))
        elif int(fields[1]) >= int(fields[2]):
            problems.append(Problem(where, f"start {fields[1]} is not below end {fields[2]} (BED is 0-based, half-open)"))
        elif contigs and fields[0] not in contigs:
            problems.append(Problem(where, f"contig {fields[0][:40]!r} is not in the reference FASTA"))
        elif contigs and int(fields[2]) > contigs[fields[0]]:
            problems.append(Problem(where, f"end {fields[2]} is beyond the end of {fields[0]} ({contigs[fields[0]]})"))
        else:
            n_regions += 1
        if len(problems) >= MAX_FILE_PROBLEMS:
            break
    if not problems and n_regions == 0:
        problems.append(Problem(loc, f"target BED has no region: {path}"))
    return problems
