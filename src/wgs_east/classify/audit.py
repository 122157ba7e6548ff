"""``classified/{sample}.benign.tsv.gz``: every call the sample carries that is classified Benign or
Likely benign (by points or by the 2015 rules) or stopped by BA1, with its codes, so that no false
Benign is invisible (issue 24 item 7).

Columns: :data:`AUDIT_COLUMNS`. ``criteria`` are the codes that decided the class: site evidence plus
PS2/PM6 for calls final after pass 1, every criterion for calls finished in pass 2; a BA1 call carries its
site codes only (BA1 is stand-alone: the sample's evidence cannot change its class). Rows are written
chunk by chunk as the VCF streams (genome order within each pass: calls final after pass 1 first, then
the calls pass 2 finished), gzip level 1, under a temporary name renamed on :meth:`BenignAudit.close`.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

AUDIT_COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "genotype", "filter", "classification",
    "classification_2015", "points", "criteria", "stopped_by_ba1",
)  # fmt: skip

SITE_FIELDS: tuple[str, ...] = ("chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c")
"""Engine input columns the audit shows."""

_CLASS_NAMES = np.array(["Benign", "Likely benign", "Uncertain significance", "Likely pathogenic", "Pathogenic"],
                        dtype=object)  # fmt: skip


def _text(values: object, n: int) -> list[str]:
    """A column as strings, missing values empty."""
    arr = np.asarray(values, dtype=object)
    if arr.shape == ():
        return [str(arr)] * n
    missing = pd.isna(arr)
    if missing.any():
        arr = np.where(missing, "", arr)
    return list(map(str, arr.tolist()))


class BenignAudit:
    """Streams the audit rows of one sample to ``path`` (gzip)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = gzip.open(self.tmp, "wb", compresslevel=1)
        self._fh.write(("\t".join(AUDIT_COLUMNS) + "\n").encode())
        self.rows = 0
        self.ba1 = 0

    def add(
        self, sites: Mapping[str, np.ndarray], *, gt: np.ndarray, filters: np.ndarray, klass: np.ndarray, klass_2015: np.ndarray,
        points: np.ndarray, codes: np.ndarray, ba1: np.ndarray | bool,
    ) -> None:  # fmt: skip
        """Rows aligned with ``sites`` (arrays of the :data:`SITE_FIELDS`); ``klass``/``klass_2015`` are class
        codes."""
        n = len(sites["pos"])
        if not n:
            return
        ba1_arr = np.broadcast_to(np.asarray(ba1, dtype=bool), (n,))
        cols = [
            _text(sites["chrom"], n), list(map(str, np.asarray(sites["pos"]).tolist())), _text(sites["ref"], n),
            _text(sites["alt"], n), _text(sites["gene"], n), _text(sites["consequence"], n), _text(sites["hgvs_c"], n),
            _text(gt, n),
            _text(filters, n), _CLASS_NAMES[np.asarray(klass, dtype=np.int64)].tolist(),
            _CLASS_NAMES[np.asarray(klass_2015, dtype=np.int64)].tolist(), list(map(str, np.asarray(points).tolist())),
            _text(codes, n), np.where(ba1_arr, "yes", "no").tolist(),
        ]  # fmt: skip
        text = "\n".join(map("\t".join, zip(*cols, strict=True))) + "\n"
        self._fh.write(text.encode())
        self.rows += n
        self.ba1 += int(np.count_nonzero(ba1_arr))

    def close(self) -> None:
        self._fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._fh.close()
        finally:
            self.tmp.unlink(missing_ok=True)
