"""The fields only the outputs of listed calls show, read for those calls alone.

The engine decides every class without the :data:`DISPLAY_COLUMNS` (they name things in the evidence trail,
the TSV, JSON and VCF: transcript, HGVS p., the ClinVar records, ...), and QUAL and ID are written only to
the per-sample VCF. The streaming reader (classify/reader.py) therefore leaves them out of its one pass over
the VCF (each printed INFO field costs ``bcftools query`` time on every record), and :class:`Source` reads
them afterwards for the few hundred calls that are listed: one more ``bcftools query`` restricted to those
positions (``--regions-file`` through the tabix/CSI index, or ``--targets-file`` streaming the file when it
has none), with the values printed as one ``;``-separated field (:func:`query_format`) and split by
:func:`unpack`. The values are the same as reading each field on its own: an INFO value cannot contain
``;`` (htslib ends an INFO entry there), QUAL is a number, and ID, which can, comes last.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wgs_east.errors import InputError, Problem

DISPLAY_COLUMNS: tuple[str, ...] = (
    "transcript", "hgvs_p", "popmax_pop", "clinvar_sig", "clinvar_same_aa", "clinvar_same_residue", "exon",
)  # fmt: skip
"""Engine input columns (String INFO fields of ``wgs_east.annotate.fields``) that no criterion's strength
reads: the outputs and the evidence trail name them."""
SEP = ";"
KEY = ("chrom", "pos", "ref", "alt")


def query_format(info_ids: Mapping[str, str | None]) -> str:
    """The ``bcftools query`` format of the packed field: each display column's INFO field (a literal
    ``.``, i.e. missing, when the VCF does not declare it), then QUAL and ID."""
    parts = [f"%INFO/{info_ids[c]}" if info_ids.get(c) else "." for c in DISPLAY_COLUMNS]
    return SEP.join([*parts, "%QUAL", "%ID"])


def unpack(packed: np.ndarray) -> dict[str, np.ndarray]:
    """The display columns (NaN where missing, percent-decoded like the annotation reader's), ``qual`` and
    ``vid`` (as written) of packed values. A value with another number of parts: :class:`InputError`."""
    from wgs_east.annotate.frame import ENCODED_COLUMNS
    from wgs_east.classify.reader import _decode

    k = len(DISPLAY_COLUMNS)
    parts = [str(v).split(SEP, k + 1) for v in np.asarray(packed, dtype=object).tolist()]
    bad = next((p for p in parts if len(p) != k + 2), None)
    if bad is not None:  # cannot happen with bcftools output: an INFO value has no ";"
        raise InputError("annotated VCF", [Problem("display fields (" + ", ".join((*DISPLAY_COLUMNS, "QUAL", "ID")) + ")",
                                                   f"{len(bad)} ';'-separated parts, expected {k + 2}: "
                                                   f"{SEP.join(bad)[:200]}")])  # fmt: skip
    columns = list(zip(*parts, strict=True)) if parts else [()] * (k + 2)
    out: dict[str, np.ndarray] = {}
    for c, values in zip(DISPLAY_COLUMNS, columns, strict=False):
        arr = np.array(values, dtype=object)
        arr[arr == "."] = np.nan
        out[c] = _decode(arr) if c in ENCODED_COLUMNS else arr
    out["qual"] = np.array(columns[k], dtype=object)
    out["vid"] = np.array(columns[k + 1], dtype=object)
    return out


def has_index(path: Path) -> bool:
    """A tabix (``.tbi``) or CSI (``.csi``) index next to ``path``."""
    return any(Path(f"{path}{ext}").exists() for ext in (".tbi", ".csi"))


@dataclass(frozen=True)
class Source:
    """Where the display columns, QUAL and ID of the calls come from: the annotated VCF itself, read again
    for the listed calls only (:meth:`fetch`)."""

    path: Path
    info_ids: Mapping[str, str | None]
    """Display column -> its INFO id (None: the VCF does not declare it)."""
    bcftools: str = "bcftools"

    def command(self, positions: Path) -> list[str]:
        """The ``bcftools query`` of :meth:`fetch` over a ``CHROM<TAB>POS`` file of positions."""
        where = "--regions-file" if has_index(self.path) else "--targets-file"
        fmt = "%CHROM\t%POS\t%REF\t%ALT\t" + query_format(self.info_ids) + "\n"
        return [self.bcftools, "query", where, str(positions), "--format", fmt, str(self.path)]

    def fetch(self, keys: pd.DataFrame) -> dict[str, np.ndarray]:
        """The display columns, ``qual`` and ``vid`` (:func:`unpack`) for the rows of ``keys`` (columns chrom, pos, ref, alt), aligned with them.

        Every key must be a record of the VCF (it was read from it); a key printed twice with different
        values (two records of one allele annotated differently) is refused rather than guessed."""
        n = len(keys)
        if not n:
            return unpack(np.zeros(0, dtype=object))
        chrom = keys["chrom"].astype(str).to_numpy(dtype=object)
        pos = keys["pos"].to_numpy(dtype=np.int64)
        ref = keys["ref"].astype(str).to_numpy(dtype=object)
        alt = keys["alt"].astype(str).to_numpy(dtype=object)
        wanted = list(zip(chrom.tolist(), pos.tolist(), ref.tolist(), alt.tolist(), strict=True))
        positions = sorted({(c, p) for c, p, _, _ in wanted})
        with tempfile.NamedTemporaryFile("w", suffix=".positions.tsv", prefix="wgs-east-display-") as fh:
            fh.write("".join(f"{c}\t{p}\n" for c, p in positions))
            fh.flush()
            proc = subprocess.run(self.command(Path(fh.name)), capture_output=True, text=True)
        if proc.returncode != 0:
            raise InputError(self.path, [Problem("bcftools query (display fields of the listed calls)",
                                                 proc.stderr.strip()[-500:] or f"exit code {proc.returncode}")])  # fmt: skip
        need = set(wanted)
        found: dict[tuple[str, int, str, str], str] = {}
        for line in proc.stdout.splitlines():
            c, p, r, a, packed = line.split("\t", 4)
            key = (c, int(p), r, a)
            if key not in need:
                continue  # another allele at the position, or a record overlapping it
            if found.setdefault(key, packed) != packed:
                raise InputError(self.path, [Problem(f"{c}:{p} {r}>{a}", "two records of this allele with different "
                                                     "annotations: remove duplicates first (bcftools norm "
                                                     "--rm-dup exact)")])  # fmt: skip
        lost = [k for k in wanted if k not in found]
        if lost:
            c, p, r, a = lost[0]
            raise InputError(self.path, [Problem(f"{c}:{p} {r}>{a}", "record not found when its display fields were "
                                                 "read again (was the VCF changed during the run?)")])  # fmt: skip
        return unpack(np.array([found[k] for k in wanted], dtype=object))


def expand(frame: pd.DataFrame, shown: Mapping[str, np.ndarray], input_order: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the display columns put in their places among the engine inputs (``input_order``)
    and ``qual``, ``vid`` after ``filter`` (the column order of calls read with every column at once)."""
    inputs = [c for c in input_order if c in frame.columns or c in shown]
    rest = [c for c in frame.columns if c not in inputs]
    at = rest.index("filter") + 1 if "filter" in rest else len(rest)
    order = [*inputs, *rest[:at], "qual", "vid", *rest[at:]]
    data = {c: (pd.Series(shown[c], dtype=object, index=frame.index) if c in shown else frame[c]) for c in order}
    return pd.DataFrame(data, index=frame.index, copy=False)
