"""Compare a query VCF with a truth VCF: TP/FP/FN, precision, recall, F1 and genotype concordance.

`wgs-east evaluate --truth T.vcf.gz --query Q.vcf.gz --reference REF.fa [--regions BED] [--sample S]`

Method
------
1. Both VCFs are normalised with ``bcftools norm -a --atom-overlaps . -m -any -f REF`` (MNPs become
   SNVs, multiallelic records are split into one record per ALT, indels are left-aligned and trimmed).
   A REF allele that does not match the reference is an input error. With ``--regions`` only records
   whose (normalised) POS lies inside the BED are kept (``bcftools -T`` targets semantics, POS only: an
   indel whose anchor base is inside counts even if it extends past the end of the region).
2. A record is a variant of a sample when the sample's GT carries the record's ALT (allele 1 after
   the split). Records with a symbolic, breakend, ``*`` or missing ALT are skipped (counted in
   ``skipped_records``). FILTER: query records that are not ``PASS``/``.`` are not calls; as in hap.py,
   truth records that are not ``PASS``/``.`` are not truth variants either. Both are reported per type
   (``query_filtered``, ``truth_filtered``). A site listed twice for the same sample counts once.
3. Type: ``SNV`` when REF and ALT have the same length (after ``--atomize`` multi-base substitutions
   are split into SNVs; any that remain are folded into SNV), ``INDEL`` otherwise (complex
   length-changing alleles included).
4. Matching, per sample: first exact on (CHROM, POS, REF, ALT). Then a haplotype rescue of what is
   left: unmatched truth and query variants are clustered on each chromosome, chaining variants whose
   start is within 10 bp of the end of the cluster so far, where an indel's end is extended over the
   tandem repeat / homopolymer it lies in (up to 500 bp). In a cluster holding both truth and query
   variants, the alleles of a subset of each side are applied to the reference window; the subsets
   match when there is a partition of each side's alleles onto haplotypes giving the same set of
   non-reference haplotype sequences. The largest matching pair of subsets (all subsets are tried when
   a side has at most 8 variants in the cluster, otherwise only the whole side) becomes TP; the rest
   stay FP/FN.
5. Genotype concordance: the fraction of truth TP whose genotype matches. For exact matches the
   genotypes are compared as (ploidy, number of copies of the ALT), unphased; any allele other than
   the ALT (``0``, ``.`` or another ALT of the original multiallelic record) counts as "not this ALT".
   This is strict about ploidy: haploid ``1`` equals haploid ``1``, but ``1`` vs ``1/1`` is a mismatch.
   For a rescued cluster the genotypes match when some phasing that respects each variant's copy number
   gives the same multiset of haplotype sequences (reference haplotypes included) on both sides.
6. Counts: ``TP`` and ``FN`` are truth variants, ``TP_query`` and ``FP`` query variants (they differ
   when a rescue matches e.g. two truth indels with one query record). precision =
   TP_query / (TP_query + FP), recall = TP / (TP + FN), F1 their harmonic mean; a ratio with a zero
   denominator is ``None``. In a rescue each variant is counted under its own type, so a truth
   deletion+insertion matched by a query SNV is a truth INDEL TP and a query SNV TP.

Limits of the rescue (it is not vcfeval/hap.py)
-----------------------------------------------
- Exactly matched variants are left out of the rescue haplotypes, so a representation that only
  becomes equivalent together with an exactly matched neighbour is not rescued.
- Clusters are built by distance; equivalent representations further apart than 10 bp + repeat span
  (e.g. in a repeat longer than 500 bp, or across a large deletion) are not compared.
- With more than 8 variants on a side of a cluster only the whole side is compared (all or nothing);
  when a side has more than 4096 haplotype partitions only "all alleles on one haplotype" is tried and
  the genotypes of the cluster count as discordant.
- Phasing in the VCFs is ignored (every phasing is tried), so the haplotype match is permissive for
  unphased calls: two heterozygous alleles in trans may match one haplotype carrying both.
- Structural / symbolic alleles are not evaluated.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import math
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pysam

from wgs_east.errors import InputError, Problem, RunError

TYPES = ("SNV", "INDEL")
KEY = ["chrom", "pos", "ref", "alt"]
CLUSTER_GAP = 10
MAX_REPEAT_SPAN = 500
MAX_SUBSET_SIDE = 8
MAX_PARTITIONS = 4096
_PASS = frozenset({"PASS", "."})
_SKIP_ALT = re.compile(r"[<>\[\]*]|^\.$")
_GT_SPLIT = re.compile(r"[/|]")


# ----------------------------------------------------------------------------- input checks


def _check_vcf(path: Path) -> list[str]:
    """Return the sample names of a VCF/BCF; raise InputError if it is missing or not a usable VCF."""
    if not path.is_file():
        raise InputError(path, [Problem("", "file not found")])
    verbosity = pysam.set_verbosity(0)  # no htslib chatter about a missing index
    try:
        with pysam.VariantFile(str(path)) as vf:
            samples = list(vf.header.samples)
            has_gt = "GT" in vf.header.formats
            next(iter(vf), None)  # a header-only parse can succeed on junk; read one record too
    except (ValueError, OSError) as exc:
        raise InputError(path, [Problem("", f"not a readable VCF/BCF file ({exc})")]) from None
    finally:
        pysam.set_verbosity(verbosity)
    if not samples:
        raise InputError(path, [Problem("header", "no sample columns: a sites-only VCF cannot be evaluated")])
    if not has_gt:
        raise InputError(path, [Problem("header", "no FORMAT/GT field declared")])
    return samples


def _prepare_reference(path: Path, tmp: Path) -> Path:
    """Return a FASTA path with a .fai index, building the index in `tmp` (never next to the input)."""
    if not path.is_file():
        raise InputError(path, [Problem("", "file not found")])
    if Path(f"{path}.fai").is_file():
        return path
    with open(path, "rb") as fh:
        head = fh.read(18)
    gz = head[:2] == b"\x1f\x8b"
    if gz and not (head[3] & 4 and head[12:14] == b"BC"):
        raise InputError(path, [Problem("", "compressed with gzip, not bgzip: recompress it with bgzip")])
    link = tmp / ("reference.fa.gz" if gz else "reference.fa")
    link.symlink_to(path.resolve())
    gzi = Path(f"{path}.gzi")
    if gz and gzi.is_file():
        Path(f"{link}.gzi").symlink_to(gzi.resolve())
    verbosity = pysam.set_verbosity(0)
    try:
        pysam.faidx(str(link))
    except (pysam.utils.SamtoolsError, OSError):
        raise InputError(
            path, [Problem("", "cannot index this file as FASTA (samtools faidx failed)")]
        ) from None
    finally:
        pysam.set_verbosity(verbosity)
    return link


def _prepare_regions(path: Path, tmp: Path) -> Path:
    """Check a BED file and write a clean 3-column copy named .bed (so bcftools reads it 0-based)."""
    if not path.is_file():
        raise InputError(path, [Problem("", "file not found")])
    problems: list[Problem] = []
    out: list[str] = []
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    try:
        with opener(path, "rt") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                f = line.rstrip("\r\n").split("\t")
                if len(f) < 3:
                    problems.append(
                        Problem(f"line {lineno}", "a BED line needs chrom, start, end (tab-separated)")
                    )
                    continue
                try:
                    start, end = int(f[1]), int(f[2])
                except ValueError:
                    problems.append(Problem(f"line {lineno}", "start and end must be integers"))
                    continue
                if start < 0 or end < start:
                    problems.append(Problem(f"line {lineno}", f"invalid interval {start}-{end}"))
                    continue
                if end > start:
                    out.append(f"{f[0]}\t{start}\t{end}\n")
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(path, [Problem("", f"not a readable BED file ({exc})")]) from None
    if problems:
        raise InputError(path, problems)
    clean = tmp / "regions.bed"
    clean.write_text("".join(out))
    return clean


def _run_bcftools(cmd: list[str], source: Path) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RunError("bcftools not found on PATH (needed by wgs-east evaluate)") from None
    if proc.returncode != 0:
        lines = [
            re.sub(r"^\[E::\w+\]\s*", "", ln)
            for ln in proc.stderr.strip().splitlines()
            if ln and not ln.startswith(("Lines ", "[W::"))
        ]
        msg = "; ".join(lines[-3:]) or f"exit code {proc.returncode}"
        raise InputError(source, [Problem(f"bcftools {cmd[1]}", msg)])


# ----------------------------------------------------------------------------- reading


def _read_normalised(
    vcf: Path, reference: Path, regions: Path | None, samples: Sequence[str], tmp: Path, tag: str
) -> pd.DataFrame:
    """Normalise one VCF with bcftools and read CHROM POS REF ALT FILTER + one GT column per sample."""
    norm = tmp / f"{tag}.norm.bcf"
    _run_bcftools(
        ["bcftools", "norm", "--atomize", "--atom-overlaps", ".", "-m", "-any", "-c", "e",
         "-f", str(reference), "--no-version", "-O", "u", "-o", str(norm), str(vcf)],
        vcf,
    )  # fmt: skip
    sample_file = tmp / f"{tag}.samples.txt"
    sample_file.write_text("".join(f"{s}\n" for s in samples))
    table = tmp / f"{tag}.tsv"
    cmd = ["bcftools", "query", "-S", str(sample_file), "-f", r"%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n"]
    if regions is not None:
        cmd += ["-T", str(regions)]
    _run_bcftools([*cmd, "-o", str(table), str(norm)], vcf)
    cols = ["chrom", "pos", "ref", "alt", "filter", *(_gt_col(s) for s in samples)]
    if table.stat().st_size == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "pos" else object) for c in cols})
    df = pd.read_csv(
        table, sep="\t", header=None, names=cols, dtype=str, na_filter=False, quoting=csv.QUOTE_NONE
    )
    df["pos"] = df["pos"].astype(np.int64)
    df["ref"] = df["ref"].str.upper()
    df["alt"] = df["alt"].str.upper()
    return df


def _gt_col(sample: str) -> str:
    return f"GT:{sample}"


def gt_counts(gts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(ploidy, copies of allele 1) for biallelic GT strings such as ``0/1``, ``1|1``, ``1``, ``./1``."""
    uniq = pd.unique(gts)
    lookup: dict[str, tuple[int, int]] = {}
    for g in uniq:
        alleles = _GT_SPLIT.split(g)
        lookup[g] = (len(alleles), sum(a == "1" for a in alleles))
    ploidy = gts.map(lambda g: lookup[g][0]).to_numpy(dtype=np.int64)
    count = gts.map(lambda g: lookup[g][1]).to_numpy(dtype=np.int64)
    return ploidy, count


def variant_types(ref: pd.Series, alt: pd.Series) -> np.ndarray:
    """``SNV`` where REF and ALT have equal length (MNPs folded in), ``INDEL`` otherwise."""
    return np.where(ref.str.len().to_numpy() == alt.str.len().to_numpy(), "SNV", "INDEL")


@dataclass
class _Side:
    """The records of one normalised VCF, with per-record type and FILTER status."""

    df: pd.DataFrame
    skipped: int


def _load_side(df: pd.DataFrame) -> _Side:
    keep = ~df["alt"].str.contains(_SKIP_ALT)
    df = df.loc[keep].reset_index(drop=True)
    df["type"] = variant_types(df["ref"], df["alt"])
    df["pass"] = df["filter"].isin(_PASS).to_numpy()
    return _Side(df, int((~keep).sum()))


def sample_calls(side: pd.DataFrame, sample: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one sample's variants into (PASS calls, non-PASS calls), one row per distinct site."""
    ploidy, count = gt_counts(side[_gt_col(sample)])
    calls = side.loc[count > 0, [*KEY, "type", "pass"]].copy()
    calls["ploidy"] = ploidy[count > 0]
    calls["copies"] = count[count > 0]
    passed = calls.loc[calls["pass"]].drop_duplicates(KEY).reset_index(drop=True)
    failed = calls.loc[~calls["pass"]].drop_duplicates(KEY).reset_index(drop=True)
    return passed, failed


# ----------------------------------------------------------------------------- haplotypes


def _edit(pos: int, ref: str, alt: str) -> tuple[int, int, str]:
    """A variant as (1-based start, number of reference bases replaced, inserted bases), trimmed."""
    k = 0
    while k < min(len(ref), len(alt)) and ref[k] == alt[k]:
        k += 1
    r, a = ref[k:], alt[k:]
    j = 0
    while j < min(len(r), len(a)) and r[-1 - j] == a[-1 - j]:
        j += 1
    if j:
        r, a = r[: len(r) - j], a[: len(a) - j]
    return pos + k, len(r), a


def apply_variants(ref_seq: str, start: int, variants: Iterable[tuple[int, str, str]]) -> str | None:
    """Apply variants (1-based POS, REF, ALT) to `ref_seq`, which begins at 1-based `start`.

    Returns the haplotype sequence, or None when two variants overlap (cannot be on one haplotype).
    """
    edits = sorted((_edit(p, r, a) for p, r, a in variants), key=lambda e: (e[0], e[1]))
    out: list[str] = []
    cursor = start  # next reference position not yet copied
    prev_insert_at = -1
    for e_start, e_len, e_alt in edits:
        if e_start < cursor or (e_len == 0 and e_start == prev_insert_at):
            return None
        if e_start + e_len - 1 > start + len(ref_seq) - 1:
            return None
        out.append(ref_seq[cursor - start : e_start - start])
        out.append(e_alt)
        cursor = e_start + e_len
        prev_insert_at = e_start if e_len == 0 else -1
    out.append(ref_seq[cursor - start :])
    return "".join(out)


@dataclass(frozen=True)
class _Var:
    pos: int
    ref: str
    alt: str
    ploidy: int
    copies: int

    @property
    def triple(self) -> tuple[int, str, str]:
        return self.pos, self.ref, self.alt


def _partitions(
    ref_seq: str, lo: int, variants: Sequence[_Var], choices: list[list[tuple[int, ...]]], n_haps: int
) -> Iterable[list[str]]:
    """Yield the haplotype sequences of every valid assignment of variants to haplotypes."""
    if not variants:
        return
    # Haplotypes are interchangeable: fix the first variant's choice.
    choices = [choices[0][:1], *choices[1:]]
    for assignment in itertools.product(*choices):
        haps: list[list[tuple[int, str, str]]] = [[] for _ in range(n_haps)]
        for v, hs in zip(variants, assignment, strict=True):
            for h in hs:
                haps[h].append(v.triple)
        seqs = [apply_variants(ref_seq, lo, hap) for hap in haps]
        if all(s is not None for s in seqs):
            yield seqs  # type: ignore[misc]


def allele_signatures(ref_seq: str, lo: int, variants: Sequence[_Var]) -> set[frozenset[str]]:
    """Sets of non-reference haplotype sequences reachable by putting each allele on one haplotype."""
    n_haps = max(2, max(v.ploidy for v in variants))
    if n_haps ** (len(variants) - 1) > MAX_PARTITIONS:
        seq = apply_variants(ref_seq, lo, [v.triple for v in variants])
        return {frozenset({seq})} if seq is not None and seq != ref_seq else set()
    choices = [[(h,) for h in range(n_haps)] for _ in variants]
    sigs = set()
    for seqs in _partitions(ref_seq, lo, variants, choices, n_haps):
        sig = frozenset(s for s in seqs if s != ref_seq)
        if sig:
            sigs.add(sig)
    return sigs


def genotype_signatures(ref_seq: str, lo: int, variants: Sequence[_Var]) -> set[tuple[str, ...]]:
    """Multisets (sorted tuples) of haplotype sequences over the phasings that respect copy numbers."""
    n_haps = max(v.ploidy for v in variants)
    choices = [list(itertools.combinations(range(n_haps), min(v.copies, n_haps))) for v in variants]
    if math.prod(len(c) for c in choices) > MAX_PARTITIONS:
        return set()
    return {tuple(sorted(seqs)) for seqs in _partitions(ref_seq, lo, variants, choices, n_haps)}


def _masks(n: int) -> list[int]:
    """Non-empty subsets (bit masks) to try, largest first; only the full set for big sides."""
    full = (1 << n) - 1
    if n > MAX_SUBSET_SIDE:
        return [full]
    return sorted(range(1, full + 1), key=lambda m: -m.bit_count())


def _pick(vs: Sequence[_Var], mask: int) -> list[_Var]:
    return [v for i, v in enumerate(vs) if mask >> i & 1]


def match_cluster(
    ref_seq: str, lo: int, truth: Sequence[_Var], query: Sequence[_Var]
) -> tuple[int, int, bool]:
    """Best haplotype match in one cluster: (truth mask, query mask, genotypes match); masks 0 if none."""
    t_sigs: dict[frozenset[str], list[int]] = {}
    for m in _masks(len(truth)):
        for sig in allele_signatures(ref_seq, lo, _pick(truth, m)):
            t_sigs.setdefault(sig, []).append(m)
    best: list[tuple[int, int]] = []
    best_score = 0
    for qm in _masks(len(query)):
        if qm.bit_count() + len(truth) < best_score:
            break  # masks are sorted by size: nothing better can follow
        for sig in allele_signatures(ref_seq, lo, _pick(query, qm)):
            for tm in t_sigs.get(sig, ()):
                score = tm.bit_count() + qm.bit_count()
                if score > best_score:
                    best_score, best = score, [(tm, qm)]
                elif score == best_score and (tm, qm) not in best:
                    best.append((tm, qm))
    if not best:
        return 0, 0, False
    for tm, qm in best:
        t_gt = genotype_signatures(ref_seq, lo, _pick(truth, tm))
        if t_gt & genotype_signatures(ref_seq, lo, _pick(query, qm)):
            return tm, qm, True
    return best[0][0], best[0][1], False


def _repeat_end(fasta: pysam.FastaFile, chrom: str, pos: int, ref: str, alt: str) -> int:
    """1-based last base of the variant, extended over the tandem repeat of an inserted/deleted unit."""
    end = pos + len(ref) - 1
    start, n_ref, ins = _edit(pos, ref, alt)
    changed = ins if n_ref == 0 else (ref[start - pos : start - pos + n_ref] if not ins else "")
    if not changed:
        return end
    unit = changed
    for p in range(1, len(changed) + 1):  # smallest period
        if len(changed) % p == 0 and changed[:p] * (len(changed) // p) == changed:
            unit = changed[:p]
            break
    window = fasta.fetch(chrom, start - 1, start - 1 + MAX_REPEAT_SPAN).upper()
    i = 0
    while i < len(window) and window[i] == unit[i % len(unit)]:
        i += 1
    return max(end, start + i - 1)


def rescue(
    truth: pd.DataFrame, query: pd.DataFrame, fasta: pysam.FastaFile
) -> tuple[dict[int, bool], set[int]]:
    """Haplotype rescue of unmatched variants of one sample.

    `truth` / `query` hold the unmatched rows (columns chrom, pos, ref, alt, ploidy, copies) indexed by
    row id. Returns ({truth row id: genotype match} for rescued truth rows, {rescued query row ids}).
    """
    t_ok: dict[int, bool] = {}
    q_ok: set[int] = set()
    items: list[tuple[str, int, int, int, int, _Var]] = []  # chrom, start, end, side, row, var
    for side, df in ((0, truth), (1, query)):
        for row in df.itertuples():
            var = _Var(row.pos, row.ref, row.alt, row.ploidy, row.copies)
            end = _repeat_end(fasta, row.chrom, row.pos, row.ref, row.alt)
            items.append((row.chrom, row.pos, end, side, row.Index, var))
    items.sort(key=lambda x: (x[0], x[1]))

    def flush(cluster: list[tuple[str, int, int, int, int, _Var]]) -> None:
        t = [(it[4], it[5]) for it in cluster if it[3] == 0]
        q = [(it[4], it[5]) for it in cluster if it[3] == 1]
        if not t or not q:
            return
        lo = min(it[1] for it in cluster)
        hi = max(it[1] + len(it[5].ref) - 1 for it in cluster)
        ref_seq = fasta.fetch(cluster[0][0], lo - 1, hi).upper()
        tm, qm, gt_ok = match_cluster(ref_seq, lo, [v for _, v in t], [v for _, v in q])
        for i, (row_id, _) in enumerate(t):
            if tm >> i & 1:
                t_ok[row_id] = gt_ok
        for i, (row_id, _) in enumerate(q):
            if qm >> i & 1:
                q_ok.add(row_id)

    cluster: list[tuple[str, int, int, int, int, _Var]] = []
    cluster_end = -1
    for it in items:
        if cluster and (it[0] != cluster[0][0] or it[1] > cluster_end + CLUSTER_GAP):
            flush(cluster)
            cluster = []
        if not cluster:
            cluster_end = it[2]
        cluster.append(it)
        cluster_end = max(cluster_end, it[2])
    if cluster:
        flush(cluster)
    return t_ok, q_ok


# ----------------------------------------------------------------------------- comparison


def compare_sample(
    truth: pd.DataFrame, query: pd.DataFrame, fasta: pysam.FastaFile
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match one sample's truth and query calls; adds columns ``tp``, ``gt_match``, ``rescued``."""
    truth = truth.reset_index(drop=True).copy()
    query = query.reset_index(drop=True).copy()
    merged = truth.reset_index().merge(
        query.reset_index()[[*KEY, "index", "ploidy", "copies"]], on=KEY, how="inner", suffixes=("", "_q")
    )
    truth["tp"] = False
    truth["gt_match"] = False
    truth["rescued"] = False
    query["tp"] = False
    t_idx = merged["index"].to_numpy()
    truth.loc[t_idx, "tp"] = True
    truth.loc[t_idx, "gt_match"] = (merged["ploidy"].to_numpy() == merged["ploidy_q"].to_numpy()) & (
        merged["copies"].to_numpy() == merged["copies_q"].to_numpy()
    )
    query.loc[merged["index_q"].to_numpy(), "tp"] = True
    t_un, q_un = truth.loc[~truth["tp"]], query.loc[~query["tp"]]
    if len(t_un) and len(q_un):
        t_ok, q_ok = rescue(t_un, q_un, fasta)
        if t_ok:
            ids = list(t_ok)
            truth.loc[ids, "tp"] = True
            truth.loc[ids, "rescued"] = True
            truth.loc[ids, "gt_match"] = [t_ok[i] for i in ids]
        if q_ok:
            query.loc[sorted(q_ok), "tp"] = True
    return truth, query


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def metrics(
    truth: pd.DataFrame, query: pd.DataFrame, truth_failed: pd.DataFrame, query_failed: pd.DataFrame
) -> dict:
    """Per-type counts and ratios from compared truth/query frames (see the module docstring)."""
    out: dict[str, dict[str, Any]] = {}
    for vtype in TYPES:
        t = truth.loc[truth["type"] == vtype]
        q = query.loc[query["type"] == vtype]
        tp, fn = int(t["tp"].sum()), int((~t["tp"]).sum())
        tp_q, fp = int(q["tp"].sum()), int((~q["tp"]).sum())
        gt_match = int((t["tp"] & t["gt_match"]).sum())
        precision, recall = _ratio(tp_q, tp_q + fp), _ratio(tp, tp + fn)
        if precision is None or recall is None:  # one side has no variants of this type
            f1 = 0.0 if 0.0 in (precision, recall) else None
        elif precision + recall == 0:
            f1 = 0.0
        else:
            f1 = 2 * precision * recall / (precision + recall)
        out[vtype] = {
            "TP": tp,
            "TP_query": tp_q,
            "FP": fp,
            "FN": fn,
            "precision": precision,
            "recall": recall,
            "F1": f1,
            "gt_match": gt_match,
            "gt_concordance": _ratio(gt_match, tp),
            "rescued": int(t["rescued"].sum()),
            "query_filtered": int((query_failed["type"] == vtype).sum()),
            "truth_filtered": int((truth_failed["type"] == vtype).sum()),
        }
    return out


def _select_samples(truth: Path, query: Path, requested: Sequence[str] | None) -> list[str]:
    t_samples, q_samples = _check_vcf(truth), _check_vcf(query)
    if requested:
        wanted = list(dict.fromkeys(requested))
        for path, have in ((truth, t_samples), (query, q_samples)):
            missing = [s for s in wanted if s not in have]
            if missing:
                listed = ", ".join(have[:10]) + (", ..." if len(have) > 10 else "")
                raise InputError(
                    path, [Problem(f"sample {s!r}", f"not in this VCF (samples: {listed})") for s in missing]
                )
        return wanted
    shared = [s for s in t_samples if s in set(q_samples)]
    if not shared:
        raise InputError(
            query,
            [Problem("samples", f"no sample name in common with the truth VCF {truth} (names must match)")],
        )
    return shared


def evaluate(
    truth: Path, query: Path, reference: Path, regions: Path | None = None, samples: list[str] | None = None
) -> dict:
    """Compare `query` with `truth`; return ``{"samples": {S: {"SNV": {...}, "INDEL": {...}}}, ...}``.

    Raises InputError for missing/unreadable inputs, a sample absent from a VCF, a REF allele that does
    not match the reference or a contig missing from it. See the module docstring for the method.
    """
    truth, query, reference = Path(truth), Path(query), Path(reference)
    chosen = _select_samples(truth, query, samples)
    with tempfile.TemporaryDirectory(prefix="wgs-east-evaluate-") as tmpdir:
        tmp = Path(tmpdir)
        ref = _prepare_reference(reference, tmp)
        bed = _prepare_regions(Path(regions), tmp) if regions is not None else None
        t_side = _load_side(_read_normalised(truth, ref, bed, chosen, tmp, "truth"))
        q_side = _load_side(_read_normalised(query, ref, bed, chosen, tmp, "query"))
        result: dict[str, Any] = {"samples": {}}
        with pysam.FastaFile(str(ref)) as fasta:
            for sample in chosen:
                t_pass, t_fail = sample_calls(t_side.df, sample)
                q_pass, q_fail = sample_calls(q_side.df, sample)
                t_cmp, q_cmp = compare_sample(t_pass, q_pass, fasta)
                result["samples"][sample] = metrics(t_cmp, q_cmp, t_fail, q_fail)
    result.update(
        truth=str(truth),
        query=str(query),
        reference=str(reference),
        regions=str(regions) if regions is not None else None,
        skipped_records={"truth": t_side.skipped, "query": q_side.skipped},
    )
    return result


# ----------------------------------------------------------------------------- output


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def format_table(result: dict) -> str:
    """The metrics as a fixed-width text table, one row per sample and type."""
    header = ["sample", "type", "TP", "FP", "FN", "precision", "recall", "F1", "GT_concordance", "filtered"]
    rows = [header]
    for sample, per_type in result["samples"].items():
        for vtype in TYPES:
            m = per_type[vtype]
            rows.append(
                [sample, vtype, str(m["TP"]), str(m["FP"]), str(m["FN"]), _fmt(m["precision"]),
                 _fmt(m["recall"]), _fmt(m["F1"]), _fmt(m["gt_concordance"]), str(m["query_filtered"])]
            )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    lines.append(
        "TP/FN count truth variants, FP query variants; 'filtered' = non-PASS query records not counted as calls."
    )
    return "\n".join(lines)


def cli_evaluate(args: argparse.Namespace) -> int:
    """`wgs-east evaluate`: print the table, optionally write JSON; 0 on success."""
    result = evaluate(
        Path(args.truth),
        Path(args.query),
        Path(args.reference),
        Path(args.regions) if args.regions else None,
        list(args.sample) if args.sample else None,
    )
    print(format_table(result))
    if args.json_out:
        out = Path(args.json_out)
        try:
            out.write_text(json.dumps(result, indent=2) + "\n")
        except OSError as exc:
            raise InputError(out, [Problem("--json", f"cannot write ({exc.strerror})")]) from None
        print(f"metrics written to {out}")
    return 0


def _main() -> None:  # `python -m wgs_east.evaluate --truth ... --query ... --reference ...`
    import sys

    from wgs_east.cli import main

    raise SystemExit(main(["evaluate", *sys.argv[1:]]))


if __name__ == "__main__":
    _main()
