"""Read the annotated VCF into the ACMG engine's input frame, in chunks.

    from wgs_east.annotate.frame import read_annotated
    for df in read_annotated("DIR/annotated/B001.vcf.gz", region="chr17"):
        ...

One row per record (the batch VCF is biallelic), columns ``COLUMNS`` (``FRAME_DTYPES`` gives the
types). Missing values: NaN for floats and strings, ``<NA>`` for the population counts (pandas
``Int64``: absent from the resource stays distinguishable from AC 0), -1 for ``aa_pos`` and the ClinVar
star columns (-1 = no record), False for the flags.

The reader runs ``bcftools query`` (htslib parsing) and pandas' C CSV parser (object strings: 3x
faster to build than arrow strings) on blocks of ``chunk_rows`` records: no Python code runs per record
except the percent-decoding of the few values that need it. Measured on this machine (2 cores, 300,000
records): cyvcf2 with one ``INFO.get`` per field reads 40-50 k records/s for these 30 fields; this
reader 156 k records per CPU second, bcftools and pandas together (``tests/test_annotate_frame.py``
asserts >= 100 k).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from wgs_east.annotate.fields import FIELDS
from wgs_east.errors import InputError, Problem

BASE_COLUMNS = ("chrom", "pos", "ref", "alt", "filter")
_FIELD_OF = {f.column: f for f in FIELDS if f.column}
COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "filter", "gene", "transcript", "consequence", "hgvs_c", "hgvs_p", "aa_pos",
    "aa_ref", "aa_alt", "nmd_escape", "in_repeat", "pop_af", "pop_an", "pop_nhom", "pop_nhemi", "popmax_af",
    "popmax_an", "popmax_pop", "clinvar_sig", "clinvar_stars", "clinvar_same_aa_stars", "clinvar_same_aa",
    "clinvar_same_residue_stars", "clinvar_same_residue", "revel", "spliceai", "gene_moi", "lof_mechanism",
    "loeuf", "pli", "pop_faf", "pop_filter", "clinvar_same_aa_p_stars", "clinvar_same_residue_p_stars",
    "exon", "ptc_aa", "prot_removed", "skip_exon_len",
)  # fmt: skip
"""The ACMG input contract (acmg/inputs.py) plus ``filter`` and the ClinVar evidence columns."""
FLOAT_COLUMNS = ("pop_af", "popmax_af", "revel", "spliceai", "loeuf", "pli", "pop_faf", "prot_removed")
COUNT_COLUMNS = ("pop_an", "pop_nhom", "pop_nhemi", "popmax_an")  # Int64, <NA> = not in the resource
SENTINEL_COLUMNS = ("aa_pos", "clinvar_stars", "clinvar_same_aa_stars", "clinvar_same_residue_stars",
                    "clinvar_same_aa_p_stars", "clinvar_same_residue_p_stars", "ptc_aa", "skip_exon_len")  # -1
_FALLBACK = {"clinvar_same_aa_p_stars": "clinvar_same_aa_stars",
             "clinvar_same_residue_p_stars": "clinvar_same_residue_stars"}
"""A VCF annotated before the P-only star fields: every comparator counts as Pathogenic (as then)."""
FLAG_COLUMNS = ("nmd_escape", "in_repeat", "lof_mechanism")
CATEGORY_COLUMNS = ("gene", "consequence", "gene_moi")  # few distinct values; the ACMG engine factorises them
FRAME_DTYPES: dict[str, str] = {
    **{c: "object" for c in COLUMNS}, "pos": "int64", **{c: "float64" for c in FLOAT_COLUMNS},
    **{c: "Int64" for c in COUNT_COLUMNS}, **{c: "int64" for c in SENTINEL_COLUMNS},
    **{c: "bool" for c in FLAG_COLUMNS}, **{c: "category" for c in CATEGORY_COLUMNS},
}  # fmt: skip
DEFAULT_CHUNK_ROWS = 200_000
_INFO_ID = re.compile(r"^##INFO=<ID=([^,>]+)", re.M)
ENCODED_COLUMNS = ("hgvs_c", "hgvs_p", "clinvar_same_aa", "clinvar_same_residue", "clinvar_sig")
_DECODE = (("%3D", "="), ("%3B", ";"), ("%2C", ","), ("%25", "%"))
"""INFO values are percent-encoded where VCF forbids a character (``p.Leu114=`` is ``p.Leu114%3D``)."""


def _decode(text: str) -> str:
    for code, char in _DECODE:
        text = text.replace(code, char)
    return text


def _info_tags(bcftools: str, path: Path) -> set[str]:
    """INFO ids declared in the header (``bcftools view -h``: no htslib warnings on stderr)."""
    proc = subprocess.run([bcftools, "view", "-h", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise InputError(path, [Problem("", f"not a readable VCF: {proc.stderr.strip()[:300]}")])
    return {m.group(1) for m in _INFO_ID.finditer(proc.stdout)}


def query_format(tags: set[str]) -> tuple[str, list[str]]:
    """The ``bcftools query`` format and the columns it prints (fields absent from the header are
    filled later)."""
    cols = ["chrom", "pos", "ref", "alt", "filter"]
    parts = ["%CHROM", "%POS", "%REF", "%ALT", "%FILTER"]
    for col in COLUMNS[5:]:
        f = _FIELD_OF[col]
        if f.id in tags:
            cols.append(col)
            parts.append(f"%INFO/{f.id}")
    return "\t".join(parts) + "\n", cols


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Types and missing-value conventions of the contract, column by column (vectorised)."""
    n = len(df)
    # read_csv numbers the rows of a later chunk from where the previous one ended: without this, the
    # Series kept as they are below would be aligned to RangeIndex(n) and become NaN in every chunk but the first
    df = df.reset_index(drop=True)
    out: dict[str, object] = {}
    for col in COLUMNS:
        if col not in df.columns and col in _FALLBACK and _FALLBACK[col] in df.columns:
            out[col] = df[_FALLBACK[col]].fillna(-1).to_numpy(dtype=np.int64)
            continue
        if col not in df.columns:
            kind = FRAME_DTYPES[col]
            if kind == "float64":
                out[col] = np.full(n, np.nan)
            elif kind == "Int64":
                out[col] = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
            elif kind == "int64":
                out[col] = np.full(n, -1, dtype=np.int64)
            elif kind == "bool":
                out[col] = np.zeros(n, dtype=bool)
            elif kind == "category":
                out[col] = pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=[])
            else:
                out[col] = np.full(n, np.nan, dtype=object)
            continue
        s = df[col]
        if col in SENTINEL_COLUMNS:
            out[col] = s.fillna(-1).to_numpy(dtype=np.int64)
        elif col in FLAG_COLUMNS:
            out[col] = s.to_numpy(dtype=np.float64, na_value=0.0) == 1.0
        elif col in CATEGORY_COLUMNS:
            out[col] = s.astype("category")
        elif col in ENCODED_COLUMNS:
            encoded = s.str.contains("%", regex=False, na=False).to_numpy()
            if encoded.any():  # decode only the few values that need it (p.Leu114%3D ...)
                s = s.copy()
                s[encoded] = [_decode(v) for v in s[encoded]]
            out[col] = s
        else:
            out[col] = s
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def read_annotated(
    vcf_path: str | Path, region: str | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Stream an annotated VCF (optionally one region, ``chr1`` or ``chr1:100-200``) as frames of at
    most ``chunk_rows`` rows with exactly ``COLUMNS``."""
    path = Path(vcf_path)
    if not path.exists():
        raise InputError(path, [Problem("", "annotated VCF not found")])
    bcftools = shutil.which("bcftools")
    if bcftools is None:
        raise InputError(path, [Problem("", "bcftools is not on PATH (the reader uses bcftools query)")])
    fmt, cols = query_format(_info_tags(bcftools, path))
    cmd = [bcftools, "query", "-f", fmt]
    if region:
        cmd += ["-r", region]
    cmd.append(str(path))
    dtypes: dict[str, object] = {c: object for c in cols}  # object: 3x faster to build than arrow strings
    dtypes["pos"] = np.int64
    for c in cols[5:]:
        kind = FRAME_DTYPES[c]
        if kind in ("float64", "int64", "bool"):
            dtypes[c] = np.float64
        elif kind == "Int64":
            dtypes[c] = "Int64"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        reader = pd.read_csv(
            proc.stdout, sep="\t", header=None, names=cols, dtype=dtypes, na_values=["."], keep_default_na=False,
            quoting=csv.QUOTE_NONE, chunksize=chunk_rows, engine="c",
        )  # fmt: skip
        for chunk in reader:
            yield _finish(chunk)
    except pd.errors.EmptyDataError:
        pass
    except ValueError as exc:
        proc.kill()
        raise InputError(path, [Problem("", f"unexpected INFO values (a multi-allelic record?): {exc}")]) from None
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace")
        code = proc.wait()
    if code != 0:
        raise InputError(path, [Problem(region or "", f"bcftools query failed: {err.strip()[:500]}")])


def read_all(vcf_path: str | Path, region: str | None = None) -> pd.DataFrame:
    """The whole (region of the) annotated VCF as one frame (small files, tests)."""
    frames = list(read_annotated(vcf_path, region))
    if not frames:
        return _finish(pd.DataFrame(columns=list(BASE_COLUMNS)))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
