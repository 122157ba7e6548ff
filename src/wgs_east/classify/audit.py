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
import pyarrow as pa
import pyarrow.csv as pacsv

AUDIT_COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "gene", "consequence", "genotype", "filter", "classification",
    "classification_2015", "points", "criteria", "stopped_by_ba1",
)  # fmt: skip

SITE_FIELDS: tuple[str, ...] = ("chrom", "pos", "ref", "alt", "gene", "consequence")
"""Engine input columns the audit shows."""

_CLASS_NAMES = np.array(["Benign", "Likely benign", "Uncertain significance", "Likely pathogenic", "Pathogenic"],
                        dtype=object)  # fmt: skip


def _text(values: object, n: int) -> np.ndarray:
    """A column as strings (object array), missing values empty: one conversion per distinct value."""
    arr = np.asarray(values, dtype=object)
    if arr.shape == ():
        return np.full(n, str(arr), dtype=object)
    codes, uniques = pd.factorize(arr, sort=False, use_na_sentinel=True)
    table = np.array([*map(str, uniques), ""], dtype=object)  # code -1 (missing) -> ""
    return table[codes]


def _dictionary(values: object, n: int) -> pa.DictionaryArray:
    """A column as an Arrow dictionary of its distinct values as strings (missing: null, written empty)."""
    arr = np.asarray(values, dtype=object)
    if arr.shape == ():
        arr = np.full(n, arr.item(), dtype=object)
    codes, uniques = pd.factorize(arr, sort=False, use_na_sentinel=True)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0),
                                          pa.array([str(u) for u in uniques], pa.string()))  # fmt: skip


_CSV = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")


def _arrow_rows(sites: Mapping[str, np.ndarray], n: int, tail_codes: np.ndarray, tail_fields: list[tuple[str, ...]]) -> bytes:
    """The audit rows as TSV bytes, written by Arrow's C++ CSV writer (no quoting: a value with a tab or
    newline raises ``ArrowInvalid``). The per-call part (genotype .. stopped_by_ba1) is one dictionary entry
    per distinct combination (``tail_codes``)."""
    idx = pa.array(np.asarray(tail_codes, dtype=np.int32))
    columns = {
        "chrom": _dictionary(sites["chrom"], n),
        "pos": pa.array(np.asarray(sites["pos"], dtype=np.int64)),
        "ref": pa.array(np.asarray(sites["ref"], dtype=object), pa.string()),
        "alt": pa.array(np.asarray(sites["alt"], dtype=object), pa.string()),
        "gene": _dictionary(sites["gene"], n),
        "consequence": _dictionary(sites["consequence"], n),
    }
    for j, name in enumerate(AUDIT_COLUMNS[6:]):
        columns[name] = pa.DictionaryArray.from_arrays(idx, pa.array([t[j] for t in tail_fields], pa.string()))
    buf = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(columns), buf, _CSV)
    return buf.getvalue().to_pybytes()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


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
        self, sites: Mapping[str, np.ndarray], *, gt: np.ndarray, filters: np.ndarray, codes: pd.Categorical,
        klass: np.ndarray, klass_2015: np.ndarray, points: np.ndarray, ba1: np.ndarray | bool,
    ) -> None:  # fmt: skip
        """Rows aligned with ``sites`` (arrays of the :data:`SITE_FIELDS`); ``codes`` the criteria as a
        categorical (class, 2015 class and points are functions of the codes: they are formatted once per
        distinct combination of codes, genotype, filter and BA1 flag); ``klass``/``klass_2015`` class codes."""
        n = len(sites["pos"])
        if not n:
            return
        ba1_arr = np.broadcast_to(np.asarray(ba1, dtype=bool), (n,))
        key = np.asarray(codes.codes, dtype=np.int64) + 1
        for part in (gt, filters):
            c, u = pd.factorize(np.asarray(part, dtype=object), sort=False, use_na_sentinel=False)
            key = key * (len(u) + 1) + c
        key = key * 2 + ba1_arr
        tail_codes, tail_keys = pd.factorize(key, sort=False)
        first = np.zeros(len(tail_keys), dtype=np.int64)
        first[tail_codes[::-1]] = np.arange(n)[::-1]
        names = np.asarray(codes.categories, dtype=object)
        code_ids = np.asarray(codes.codes)
        tail_fields = [
            ("" if _missing(gt[i]) else str(gt[i]), "" if _missing(filters[i]) else str(filters[i]),
             _CLASS_NAMES[klass[i]], _CLASS_NAMES[klass_2015[i]], str(int(points[i])),
             str(names[code_ids[i]]) if code_ids[i] >= 0 else "", "yes" if ba1_arr[i] else "no")
            for i in first.tolist()
        ]  # fmt: skip
        try:
            self._fh.write(_arrow_rows(sites, n, tail_codes, tail_fields))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value with a tab or newline: Python's formatting (no quoting either way)
            tails = np.array(["\t".join(t) for t in tail_fields], dtype=object)[tail_codes]
            cols = [
                _text(sites["chrom"], n).tolist(), list(map(str, np.asarray(sites["pos"]).tolist())),
                np.asarray(sites["ref"], dtype=object).tolist(), np.asarray(sites["alt"], dtype=object).tolist(),
                _text(sites["gene"], n).tolist(), _text(sites["consequence"], n).tolist(), tails.tolist(),
            ]  # fmt: skip
            self._fh.write(("\n".join(map("\t".join, zip(*cols, strict=True))) + "\n").encode())
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
