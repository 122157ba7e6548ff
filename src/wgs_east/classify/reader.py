"""Stream an annotated VCF as :class:`~wgs_east.classify.sample.Chunk` objects: engine input rows
(from the annotation stage's reader, ``wgs_east.annotate.frame.read_annotated``) joined with the
genotypes (GT, DP) of the samples classified and their parents.

Genotypes come from ``bcftools query`` parsed by pandas' C reader in blocks, so no Python code runs
per record. Both streams read the same file in the same order; every row is checked to be the same
allele on both sides (a mismatch is an error, never a silent shift).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wgs_east.acmg.inputs import REQUIRED_COLUMNS
from wgs_east.annotate.frame import ENCODED_COLUMNS
from wgs_east.classify import display
from wgs_east.classify.display import DISPLAY_COLUMNS
from wgs_east.classify.genotypes import parse_genotypes
from wgs_east.classify.sample import Chunk
from wgs_east.errors import InputError, Problem

SitesReader = Callable[[Path, str | None], Iterable[pd.DataFrame]]

GATE_FORMATS: tuple[str, ...] = ("GQ", "AD", "FT")
"""FORMAT fields the genotype quality gates read when the VCF has them (acmg/quality.py)."""


def _sample_format(has_dp: bool, formats: Sequence[str]) -> tuple[str, list[str]]:
    """The per-sample part of a ``bcftools query`` format and its field names (GT, DP, GQ, AD, FT)."""
    ids = ["GT", *(["DP"] if has_dp else []), *(f for f in GATE_FORMATS if f in formats)]
    return "[" + "".join(f"\t%{f}" for f in ids) + "]", [f.lower() for f in ids]


def _gate_columns(block: pd.DataFrame, samples: Sequence[str], kinds: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
    """``{"gq": {sample: floats}, "ad": {sample: strings}, "ft": {...}}`` of the fields read."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for k in ("gq", "ad", "ft"):
        if k not in kinds:
            continue
        if k == "gq":
            out[k] = {s: pd.to_numeric(block[f"gq:{s}"], errors="coerce").to_numpy(dtype=np.float64) for s in samples}
        else:
            out[k] = {s: block[f"{k}:{s}"].to_numpy(dtype=object) for s in samples}
    return out

GT_BLOCK = 100_000


@dataclass(frozen=True)
class VcfHeader:
    samples: list[str]
    contigs: dict[str, int | None]
    lines: list[str]
    """The ``##`` lines."""
    has_dp: bool
    info_ids: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)
    """FORMAT ids the header declares."""

    @property
    def gate_formats(self) -> tuple[str, ...]:
        """The genotype-quality FORMAT fields (:data:`GATE_FORMATS`) this VCF has."""
        return tuple(f for f in GATE_FORMATS if f in self.formats)


def read_header(path: Path) -> VcfHeader:
    """Samples, contigs (with lengths when declared) and meta lines of a VCF."""
    import pysam

    if not Path(path).exists():
        raise InputError(path, [Problem("", "VCF not found")])
    try:
        with pysam.VariantFile(str(path)) as vcf:
            header = vcf.header
            samples = list(header.samples)
            contigs = {name: c.length for name, c in header.contigs.items()}
            lines = [line for line in str(header).splitlines() if line.startswith("##")]
            has_dp = "DP" in header.formats
            info_ids = set(header.info)
            formats = set(header.formats)
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a readable VCF: {exc}")]) from None
    return VcfHeader(samples, contigs, lines, has_dp, info_ids, formats)


def default_sites_reader() -> SitesReader:
    """The annotation stage's reader (``wgs_east.annotate.frame.read_annotated``)."""
    try:
        from wgs_east.annotate.frame import read_annotated
    except ImportError as exc:  # pragma: no cover - the annotation stage is part of the package
        raise InputError("annotation", [Problem("wgs_east.annotate.frame", f"not available: {exc}")]) from None
    return read_annotated


def _bcftools() -> str:
    exe = shutil.which("bcftools")
    if exe is None:
        raise InputError("bcftools", [Problem("", "bcftools not found on PATH (needed to read genotypes)")])
    return exe


def genotype_blocks(
    path: Path, samples: list[str], has_dp: bool, region: str | None = None, block: int = GT_BLOCK,
    formats: Sequence[str] = (),
) -> Iterator[pd.DataFrame]:  # fmt: skip
    """Blocks of ``chrom, pos, vid, ref, alt, qual, filter`` + ``gt:<sample>``, ``dp:<sample>`` (and
    ``gq:``/``ad:``/``ft:`` for the :data:`GATE_FORMATS` in ``formats``) columns, one row per VCF record,
    in file order."""
    per_sample, kinds = _sample_format(has_dp, formats)
    fmt = "%CHROM\\t%POS\\t%ID\\t%REF\\t%ALT\\t%QUAL\\t%FILTER" + per_sample.replace("\t", "\\t") + "\\n"
    cmd = [_bcftools(), "query", "--samples", ",".join(samples), "--format", fmt.replace("\\t", "\t").replace("\\n", "\n")]
    if region:
        cmd += ["--regions", region]
    cmd.append(str(path))
    names = ["chrom", "pos", "vid", "ref", "alt", "qual", "filter"]
    for s in samples:
        names += [f"{k}:{s}" for k in kinds]
    dtype = {n: str for n in names}
    dtype["pos"] = np.int64  # type: ignore[assignment]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        reader = pd.read_csv(
            proc.stdout, sep="\t", header=None, names=names, dtype=dtype, chunksize=block, engine="c",
            quoting=csv.QUOTE_NONE, keep_default_na=False, na_filter=False,
        )  # fmt: skip
        for frame in reader:
            for s in samples:
                if has_dp:
                    frame[f"dp:{s}"] = pd.to_numeric(frame[f"dp:{s}"], errors="coerce").fillna(-1).astype(np.int64)
            yield frame
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = proc.wait()
        if code not in (0, -13):  # -13: SIGPIPE when the consumer stopped early
            raise InputError(path, [Problem("bcftools query", err.strip()[-500:] or f"exit code {code}")])


def _explode_multiallelic(block: pd.DataFrame) -> pd.DataFrame:
    """One row per ALT allele (``allele`` = its index); biallelic blocks only gain ``allele = 1``."""
    multi = block["alt"].str.contains(",", regex=False)
    if not multi.any():
        block["allele"] = 1
        return block
    alts = block["alt"].str.split(",")
    out = block.assign(alt=alts, allele=alts.map(lambda a: list(range(1, len(a) + 1)))).explode(["alt", "allele"])
    out["allele"] = out["allele"].astype(np.int64)
    return out.reset_index(drop=True)


class _GenotypeBuffer:
    """Re-cuts genotype blocks to the row counts of the site frames."""

    def __init__(self, blocks: Iterator[pd.DataFrame]) -> None:
        self._blocks = blocks
        self._buf: list[pd.DataFrame] = []
        self._n = 0

    def take(self, n: int) -> pd.DataFrame:
        while self._n < n:
            block = next(self._blocks, None)
            if block is None:
                break
            block = _explode_multiallelic(block)
            self._buf.append(block)
            self._n += len(block)
        if self._n < n:
            raise InputError("annotated VCF", [Problem("", "the annotation reader returned more rows than the VCF has records")])
        joined = pd.concat(self._buf, ignore_index=True) if len(self._buf) > 1 else self._buf[0]
        head, rest = joined.iloc[:n].reset_index(drop=True), joined.iloc[n:].reset_index(drop=True)
        self._buf = [rest] if len(rest) else []
        self._n = len(rest)
        return head

    def exhausted(self) -> bool:
        if self._n:
            return False
        block = next(self._blocks, None)
        if block is None:
            return True
        self._buf.append(_explode_multiallelic(block))
        self._n = len(self._buf[-1])
        return self._n == 0 and self.exhausted()


def _check_same(sites: pd.DataFrame, gts: pd.DataFrame) -> None:
    same = (sites["pos"].to_numpy(dtype=np.int64) == gts["pos"].to_numpy()) & (
        sites["chrom"].astype(str).to_numpy() == gts["chrom"].to_numpy()
    )
    same &= sites["ref"].astype(str).to_numpy() == gts["ref"].to_numpy()
    same &= sites["alt"].astype(str).to_numpy() == gts["alt"].to_numpy()
    if not same.all():
        i = int(np.flatnonzero(~same)[0])
        a = sites.iloc[i]
        b = gts.iloc[i]
        raise InputError(
            "annotated VCF",
            [Problem("", f"row {i} of a chunk differs between the annotation ({a['chrom']}:{a['pos']} "
                         f"{a['ref']}>{a['alt']}) and the genotypes ({b['chrom']}:{b['pos']} {b['ref']}>{b['alt']})")],
        )  # fmt: skip


CHUNK_ROWS = 200_000

SITE_COLUMNS: tuple[str, ...] = tuple(
    c for c in (*REQUIRED_COLUMNS, "transcript", "hgvs_p", "popmax_pop", "clinvar_sig", "pop_faf", "pop_filter",
                "clinvar_same_aa_p_stars", "clinvar_same_residue_p_stars", "clinvar_same_aa", "clinvar_same_residue",
                "exon", "ptc_aa", "prot_removed", "skip_exon_len")
    if c not in ("chrom", "pos", "ref", "alt")
)
"""Engine columns read from INFO: the engine's required columns and the optional ones the outputs show."""
FALLBACK_COLUMNS = ("clinvar_same_aa_p_stars", "clinvar_same_residue_p_stars")
"""Left out when the VCF does not declare them (the engine then counts every comparator as Pathogenic)."""


def _field_ids() -> dict[str, Any]:
    """Engine column -> annotation INFO field (``wgs_east.annotate.fields``: the one mapping)."""
    from wgs_east.annotate.fields import FIELDS

    return {f.column: f for f in FIELDS if f.column in SITE_COLUMNS}


def _decode(values: np.ndarray) -> np.ndarray:
    """Undo the annotation's percent-encoding of INFO values (``p.Leu114%3D``), only in the values that
    have a ``%`` (the annotation reader's decoder, value by value)."""
    from wgs_east.annotate.frame import _decode as decode_one

    present = pd.notna(values)
    if not present.any() or "%" not in "".join(values[present]):
        return values
    rows = np.flatnonzero(present)
    rows = rows[np.fromiter(("%" in v for v in values[rows]), dtype=bool, count=len(rows))]
    out = values.copy()
    out[rows] = [decode_one(v) for v in values[rows]]
    return out


@dataclass(frozen=True)
class QuerySpec:
    """The ``bcftools query`` of :func:`combined_chunks` and its output columns."""

    fields: dict[str, Any]
    present: list[str]
    """Engine columns (SITE_COLUMNS) whose INFO field the VCF declares, the display columns aside (read for
    the listed calls only, classify/display.py)."""
    format: str
    names: list[str]
    kinds: tuple[str, ...] = ("gt", "dp")
    """Per-sample fields, lower case (gt, dp, gq, ad, ft)."""


def _query_spec(samples: list[str], info_ids: set[str], has_dp: bool, formats: Sequence[str] = ()) -> QuerySpec:
    fields = _field_ids()
    declared = [c for c in SITE_COLUMNS if c in fields and fields[c].id in info_ids]
    present = [c for c in declared if c not in DISPLAY_COLUMNS]
    fmt = "%CHROM\t%POS\t%REF\t%ALT\t%FILTER"
    fmt += "".join(f"\t%INFO/{fields[c].id}" for c in present)
    kinds = _sample_format(has_dp, formats)[1]
    other = [k for k in kinds if k != "gt"]
    fmt += f"\t[%GT{GT_SEP}]"  # every sample's genotype in one field: parsed once per distinct combination
    fmt += ("[" + "".join(f"\t%{k.upper()}" for k in other) + "]" if other else "") + "\n"
    names = ["chrom", "pos", "ref", "alt", "filter", *present, GTS]
    for s in samples:
        names += [f"{k}:{s}" for k in other]
    return QuerySpec(fields, present, fmt, names, tuple(kinds))


GTS = "gts"
"""The packed genotypes column of :func:`combined_chunks`: each sample's GT followed by :data:`GT_SEP`."""
GT_SEP = ","


def _split_genotypes(packed: np.ndarray, samples: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(codes, {sample: its GT string per distinct code}) of the packed genotypes column."""
    codes, uniques = pd.factorize(packed, sort=False, use_na_sentinel=False)
    parts = [str(u).split(GT_SEP) for u in uniques]
    bad = next((x for x in parts if len(x) != len(samples) + 1 or x[-1] != ""), None)
    if bad is not None:
        raise InputError("annotated VCF", [Problem("FORMAT/GT", f"unexpected genotypes {GT_SEP.join(bad)!r} for "
                                                                f"{len(samples)} samples")])  # fmt: skip
    return codes, {s: np.array([x[i] for x in parts], dtype=object) for i, s in enumerate(samples)}


def _site_column(c: str, values: np.ndarray | None, n: int, fields: dict[str, Any]) -> np.ndarray:
    """Engine column ``c`` by the input conventions (acmg/inputs.py) from the query's values (floats for
    numbers, strings; NaN where missing), or its missing value when the VCF lacks it."""
    kind = fields[c].type if c in fields else "String"
    count = c.endswith("_stars") or c in ("aa_pos", "ptc_aa", "skip_exon_len")
    if values is None:
        return (np.zeros(n, bool) if kind == "Flag" else np.full(n, -1, np.int64) if count
                else np.full(n, np.nan) if kind in ("Integer", "Float") else np.full(n, np.nan, dtype=object))  # fmt: skip
    if kind == "Flag":
        return values == 1.0
    if count:
        return np.nan_to_num(values, nan=-1).astype(np.int64)
    if kind in ("Integer", "Float"):
        return values
    return _decode(values) if c in ENCODED_COLUMNS else values


def carrier_expression(vcf_samples: Sequence[str], samples: Sequence[str], carriers: Sequence[str]) -> str:
    """``bcftools`` include expression: at least one of ``carriers`` has a fully called genotype with a
    non-reference allele (``GT="alt"``: ``0/1``, ``1``, ``0|2``; not ``./1``, ``0/0``, ``./.``), or the
    record is multi-allelic (kept so that the reader refuses it, carried or not).

    A superset of the classifier's own rule (alt copies >= 1 by :func:`parse_genotypes`, applied again
    after reading). ``COUNT(...)>0`` is one verdict per record, so every selected sample is still printed
    (a bare per-sample test such as ``GT[2]="alt"`` would print only the samples that pass). The indices
    count the selected samples in the VCF's own order (``--samples`` only sets the printed order);
    they are integers from the header, no text of the config reaches the expression.
    """
    chosen = set(samples)
    order = [s for s in vcf_samples if s in chosen]
    missing = sorted(set(carriers) - set(order))
    if missing:
        raise ValueError(f"carrier samples not among the queried samples of the VCF: {missing}")
    idx = ",".join(str(order.index(s)) for s in dict.fromkeys(carriers))
    return f'COUNT(GT[{idx}]="alt")>0 || N_ALT>1'


def query_command(
    path: Path, samples: list[str], *, info_ids: set[str], has_dp: bool = True, region: str | None = None,
    include: str | None = None, formats: Sequence[str] = (),
) -> list[str]:  # fmt: skip
    """The one ``bcftools query`` that :func:`combined_chunks` reads (also timed by bench/bench_classify.py).
    ``include``: a ``bcftools`` expression records must match (:func:`carrier_expression`); ``formats``:
    the VCF's FORMAT ids (the :data:`GATE_FORMATS` among them are read too)."""
    spec = _query_spec(samples, info_ids, has_dp, formats)
    cmd = [_bcftools(), "query", "--samples", ",".join(samples), "--format", spec.format]
    if include:
        cmd += ["--include", include]
    if region:
        cmd += ["--regions", region]
    return [*cmd, str(path)]


def _buffered(cmd: list[str]) -> list[str]:
    """``cmd`` under ``stdbuf -o 1M`` (GNU coreutils) when available: ``bcftools query`` then writes its
    text to the pipe in 1 MiB blocks instead of 4 KiB ones, so the reader is woken ~3,800 times instead of
    ~32,000 for the 1M-record bench VCF (measured with ``/usr/bin/time``: 0.25 s less system time and
    fewer switches when both share one core). The output is the same bytes."""
    stdbuf = shutil.which("stdbuf")
    return [stdbuf, "-o", "1M", *cmd] if stdbuf else cmd


def combined_chunks(
    path: Path, samples: list[str], *, info_ids: set[str], has_dp: bool = True, region: str | None = None,
    chunk_rows: int = CHUNK_ROWS, carriers: Sequence[str] | None = None, vcf_samples: Sequence[str] | None = None,
    formats: Sequence[str] = (),
) -> Iterator[Chunk]:  # fmt: skip
    """One ``bcftools query`` for the engine columns and the genotypes: one decode of the VCF, only the
    INFO fields the engine reads (the annotation's field table maps columns to INFO ids), parsed by
    pandas' C reader in blocks; no Python code per record. The display columns, QUAL and ID are not
    printed here: each chunk carries a :class:`~wgs_east.classify.display.Source` that reads them for
    the calls that are output (a few hundred per proband).

    Conventions of the engine input (acmg/inputs.py): NaN for a missing number or string, -1 for a
    missing count or star column, False for an absent flag. Equal to ``read_annotated`` on the same
    file in every engine column (tested).

    ``carriers``: keep only the records on which at least one of these samples carries the ALT allele
    (alt copies >= 1 by :func:`~wgs_east.classify.genotypes.parse_genotypes`, the rule the classifier
    itself uses to pick a proband's calls); the others cannot change any output of those samples, so
    they are dropped before any further work: by ``bcftools`` itself (:func:`carrier_expression`, so that
    they are neither printed nor parsed here), then by that rule. Their parsed genotypes come with the
    chunk. ``vcf_samples``: the VCF's samples in header order (read from the header when not given).
    """
    spec = _query_spec(samples, info_ids, has_dp, formats)
    fields, names = spec.fields, spec.names
    shown = display.Source(Path(path), {c: (fields[c].id if c in fields and fields[c].id in info_ids else None)
                                        for c in DISPLAY_COLUMNS}, _bcftools())  # fmt: skip
    numeric = {c for c in spec.present if fields[c].type in ("Integer", "Float", "Flag")}
    dtype: dict[str, object] = {c: (np.float64 if c in numeric else object) for c in names}
    dtype["pos"] = np.int64
    for s in samples:
        if has_dp:
            dtype[f"dp:{s}"] = np.float64
        if "gq" in spec.kinds:
            dtype[f"gq:{s}"] = np.float64
    include = None
    if carriers:
        include = carrier_expression(vcf_samples if vcf_samples is not None else read_header(path).samples,
                                     samples, carriers)  # fmt: skip
    cmd = query_command(path, samples, info_ids=info_ids, has_dp=has_dp, region=region, include=include,
                        formats=formats)  # fmt: skip
    proc = subprocess.Popen(_buffered(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        reader = pd.read_csv(
            proc.stdout, sep="\t", header=None, names=names, dtype=dtype, keep_default_na=False, chunksize=chunk_rows,
            na_values={c: ["."] for c, kind in dtype.items() if kind is not object or c in spec.present},
            quoting=csv.QUOTE_NONE, engine="c",
        )  # fmt: skip
        for block in reader:  # NaN where an engine column is missing ("."); FILTER, QUAL, ID, GT as written
            n = len(block)
            alt = block["alt"].to_numpy(dtype=object)
            if "," in "\t".join(alt):
                i = next(k for k, a in enumerate(alt) if "," in a)
                raise InputError(path, [Problem(f"{block['chrom'].iat[i]}:{block['pos'].iat[i]}",
                                                "multi-allelic record: split it first (bcftools norm --multiallelics "
                                                "-any; the pipeline's VCFs are split)")])  # fmt: skip
            gt_codes, gt_table = _split_genotypes(block[GTS].to_numpy(dtype=object), samples)
            parsed_table = {s: parse_genotypes(t) for s, t in gt_table.items()}  # per distinct genotype combination
            if carriers:
                keep = np.logical_or.reduce([parsed_table[s][0][gt_codes] >= 1 for s in carriers])
                if not keep.all():
                    rows = np.flatnonzero(keep)
                    block = block.take(rows)
                    n, alt, gt_codes = len(block), alt[rows], gt_codes[rows]
                if not n:
                    continue
            parsed = {s: (copies[gt_codes], ploidy[gt_codes]) for s, (copies, ploidy) in parsed_table.items()}
            cols: dict[str, Any] = {
                "chrom": block["chrom"].to_numpy(dtype=object),
                "pos": block["pos"].to_numpy(),
                "ref": block["ref"].to_numpy(dtype=object),
                "alt": alt,
            }
            for c in SITE_COLUMNS:
                if c in DISPLAY_COLUMNS:
                    continue  # read for the listed calls only (classify/display.py)
                if c in FALLBACK_COLUMNS and c not in spec.present:
                    continue  # the engine falls back to the any-P/LP stars (acmg/inputs.py)
                values = block[c].to_numpy(dtype=object if dtype[c] is object else None) if c in spec.present else None
                cols[c] = _site_column(c, values, n, fields)
            frame = pd.DataFrame(
                {k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in cols.items()}, copy=False
            )  # object strings stay object (no conversion per value)
            yield Chunk(
                sites=frame,
                filters=block["filter"].to_numpy(dtype=object),
                gt={s: t[gt_codes] for s, t in gt_table.items()},
                gt_combos=(gt_codes, gt_table),
                dp={s: np.nan_to_num(block[f"dp:{s}"].to_numpy(), nan=-1).astype(np.int64) for s in samples}
                if has_dp else {},
                parsed=parsed,
                display=shown,
                **_gate_columns(block, samples, spec.kinds),
            )
            del block, cols, frame, parsed, alt  # not alive while pandas reads the next block
    except pd.errors.EmptyDataError:
        pass
    except ValueError as exc:
        proc.kill()
        raise InputError(path, [Problem("", f"unexpected values in the annotated VCF: {exc}")]) from None
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace")
        code = proc.wait()
    if code not in (0, -9):
        raise InputError(path, [Problem(region or "", f"bcftools query failed: {err.strip()[-500:]}")])


def read_chunks(
    path: Path, samples: list[str], *, has_dp: bool = True, region: str | None = None,
    sites_reader: SitesReader | None = None, info_ids: set[str] | None = None, carriers: Sequence[str] | None = None,
    vcf_samples: Sequence[str] | None = None, formats: Sequence[str] | None = None,
) -> Iterator[Chunk]:  # fmt: skip
    """Chunks of the annotated VCF with the genotypes of ``samples``.

    Default: :func:`combined_chunks` (one decode). With ``sites_reader`` (tests, other annotation
    formats) the engine rows come from that reader and the genotypes from a second ``bcftools query``,
    row by row checked to be the same alleles; multi-allelic records are then exploded per ALT.
    ``carriers``, ``vcf_samples`` (default reader only): see :func:`combined_chunks`.
    """
    if formats is None or (sites_reader is None and info_ids is None):
        header = read_header(path)
        formats = header.gate_formats if formats is None else formats
        if info_ids is None:
            info_ids, vcf_samples = header.info_ids, vcf_samples or header.samples
    if sites_reader is None:
        yield from combined_chunks(path, samples, info_ids=set(info_ids), has_dp=has_dp, region=region,
                                   carriers=carriers, vcf_samples=vcf_samples, formats=formats)  # fmt: skip
        return
    reader = sites_reader
    kinds = _sample_format(has_dp, formats)[1]
    buffer = _GenotypeBuffer(genotype_blocks(path, samples, has_dp, region, formats=formats))
    for sites in reader(path, region):
        if not len(sites):
            continue
        sites = sites.reset_index(drop=True)
        gts = buffer.take(len(sites))
        _check_same(sites, gts)
        yield Chunk(
            sites=sites,
            filters=gts["filter"].to_numpy(dtype=object),
            qual=gts["qual"].to_numpy(dtype=object),
            vid=gts["vid"].to_numpy(dtype=object),
            gt={s: gts[f"gt:{s}"].to_numpy(dtype=object) for s in samples},
            dp={s: gts[f"dp:{s}"].to_numpy() for s in samples} if has_dp else {},
            allele=gts["allele"].to_numpy() if (gts["allele"] != 1).any() else 1,
            **_gate_columns(gts, samples, kinds),
        )
    if not buffer.exhausted():
        raise InputError("annotated VCF", [Problem("", "the annotation reader returned fewer rows than the VCF has records")])
