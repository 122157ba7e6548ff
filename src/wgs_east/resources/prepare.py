"""Prepare real GRCh38 sources into a bundle, each step adding its source (with sha256) to the bundle's
``manifest.yaml``. The download scripts in ``resources/`` call these; every step reads local files only.

    python -m wgs_east.resources.prepare gene-models --bundle DIR --gff Homo_sapiens.GRCh38.113.gff3.gz ...
    python -m wgs_east.resources.prepare gnomad      --bundle DIR --vcf gnomad.genomes.v4.1.sites.chr1.vcf.bgz ...
    python -m wgs_east.resources.prepare clinvar     --bundle DIR --vcf clinvar_20241103.vcf.gz ...
    python -m wgs_east.resources.prepare gnomad-sv   --bundle DIR --vcf gnomad.v4.1.sv.sites.vcf.gz ...
    python -m wgs_east.resources.prepare revel       --bundle DIR --csv revel_with_transcript_ids ...
    python -m wgs_east.resources.prepare spliceai    --bundle DIR --vcf spliceai_scores.masked.snv.hg38.vcf.gz ...
    python -m wgs_east.resources.prepare gene-table  --bundle DIR --constraint ... --clingen ... --g2p ...

Common options: ``--version``, ``--release-date``, ``--url``. Contig names become the reference's
``chr1..chr22, chrX, chrY, chrM`` (Ensembl, ClinVar, REVEL and SpliceAI use ``1``, ``MT``); other
contigs are dropped. Parsing and conversion are pure functions over lines (unit-tested on small
fixtures in ``tests/test_resources_prepare.py``); bcftools/htslib do the VCF work.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import heapq
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from wgs_east.annotate.io import open_text, run_cli, tmp_path
from wgs_east.errors import InputError, Problem
from wgs_east.resources.genetable import (
    GENE_TABLE_COLUMNS,
    PAIR_COLUMNS,
    build_gene_table,
    read_table,
    write_tsv,
)

PRIMARY = tuple(f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"])
GRCH38_NON_PAR_X = ("chrX", 2_781_480, 155_701_382)
"""chrX outside the GRCh38 pseudo-autosomal regions (1-based inclusive)."""
GRCH38_NON_PAR_Y = ("chrY", 2_781_480, 56_887_902)
CONTIGS: tuple[str, ...] = PRIMARY
"""The contigs a prepared source keeps, in this order (rows are sorted by it): GRCh38's primary chromosomes
unless ``--contigs`` says otherwise (the test genome's bundle, ``scripts/make_test_resources.py``)."""
NON_PAR: tuple[tuple[str, int, int], ...] = (GRCH38_NON_PAR_X, GRCH38_NON_PAR_Y)
"""chrX / chrY outside the pseudo-autosomal regions, where gnomAD XY genotypes are haploid (``--non-par``)."""


def set_contigs(names: Sequence[str]) -> None:
    """Keep (and order by) these contigs instead of ``PRIMARY``."""
    global CONTIGS
    CONTIGS = tuple(names)


# --- contig names --------------------------------------------------------------------------------
def ucsc_name(name: str) -> str | None:
    """``1`` / ``chr1`` -> ``chr1``; ``MT`` / ``M`` -> ``chrM``; anything not in ``CONTIGS`` (scaffolds) -> None."""
    bare = name[3:] if name.startswith("chr") else name
    out = "chrM" if bare in ("M", "MT") else f"chr{bare}"
    return out if out in CONTIGS else None


def rename_chrs_file(names: Iterable[str], path: Path) -> None:
    """A ``bcftools annotate --rename-chrs`` file for the names that need renaming."""
    with open(path, "w") as fh:
        for n in names:
            new = ucsc_name(n)
            if new is not None and new != n:
                fh.write(f"{n}\t{new}\n")


# --- gene models ---------------------------------------------------------------------------------
def gff_lines(lines: Iterable[str]) -> Iterator[str]:
    """Ensembl GFF3 with UCSC contig names, primary chromosomes only (``##sequence-region`` too)."""
    for line in lines:
        if line.startswith("##sequence-region"):
            f = line.split()
            new = ucsc_name(f[1]) if len(f) > 1 else None
            if new is not None:
                yield " ".join([f[0], new, *f[2:]]) + "\n"
            continue
        if line.startswith("#") or not line.strip():
            yield line
            continue
        seqid, rest = line.split("\t", 1)
        new = ucsc_name(seqid)
        if new is not None:
            yield f"{new}\t{rest}"


# --- REVEL ---------------------------------------------------------------------------------------
REVEL_HEADER = "#chr\tpos\tref\talt\taaref\taaalt\tREVEL\tEnsembl_transcriptid\n"


def revel_rows(lines: Iterable[str]) -> Iterator[str]:
    """REVEL v1.3 CSV (``chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid``) -> TSV
    rows on GRCh38 (rows without a GRCh38 position dropped), unsorted, no header."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    at = {name: i for i, name in enumerate(header)}
    missing = [c for c in ("chr", "grch38_pos", "ref", "alt", "REVEL") if c not in at]
    if missing:
        raise InputError("REVEL CSV", [Problem("header", f"columns missing: {', '.join(missing)}")])
    for f in reader:
        pos = f[at["grch38_pos"]]
        chrom = ucsc_name(f[at["chr"]])
        if not pos.isdigit() or chrom is None:
            continue
        extra = [f[at[c]] if c in at else "." for c in ("aaref", "aaalt")]
        tx = f[at["Ensembl_transcriptid"]] if "Ensembl_transcriptid" in at else "."
        yield "\t".join([chrom, pos, f[at["ref"]], f[at["alt"]], *extra, f[at["REVEL"]], tx]) + "\n"


def _contig_rank(chrom: str) -> int:
    return CONTIGS.index(chrom) if chrom in CONTIGS else len(CONTIGS)


SORT_BATCH_SIZE = 16
"""Most temporary files GNU ``sort`` merges at once (its ``--batch-size``): open files stay bounded
however many runs a large input makes."""


def sort_rows(rows: Iterable[str], *, buffer_size: str = "1G", batch_size: int = SORT_BATCH_SIZE,
              tmpdir: Path | None = None) -> Iterator[str]:  # fmt: skip
    """Sort tab rows by (contig in ``CONTIGS`` order, position, ref, alt) with GNU ``sort``: bounded
    memory (``--buffer-size``), sorted runs on disk merged at most ``batch_size`` at a time."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wgs-east-sort-", dir=tmpdir) as tmp:
        cmd = ["sort", "-t", "\t", "-k1,1n", "-k3,3n", "-k4,4", "-k5,5", f"--buffer-size={buffer_size}",
               f"--batch-size={batch_size}", "-T", tmp]  # fmt: skip
        with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "")}) as proc:  # fmt: skip
            assert proc.stdin is not None and proc.stdout is not None
            for row in rows:  # sort prints nothing before its input ends: no deadlock
                proc.stdin.write(f"{_contig_rank(row.split(chr(9), 1)[0])}\t{row}")
            proc.stdin.close()
            for line in proc.stdout:
                yield line.split("\t", 1)[1]
        if proc.returncode != 0:
            raise InputError("sort", [Problem(" ".join(cmd[:3]), f"GNU sort failed (exit {proc.returncode})")])


def max_per_allele(rows: Iterable[str], score_col: int) -> Iterator[str]:
    """Rows sorted by (contig, position) -> one row per (chrom, pos, ref, alt): the one with the highest
    score (the first of equal ones). Rows of one position are held until the position changes, so the
    same allele need not be adjacent (SpliceAI lists overlapping genes as separate records); memory is
    bounded by the rows of one position. Rows out of position order are an error."""
    where: tuple[str, int] | None = None
    best: dict[tuple[str, str], list[str]] = {}
    seen: set[str] = set()
    for row in rows:
        f = row.rstrip("\n").split("\t")
        here = (f[0], int(f[1]))
        if here != where:
            if where is not None and here[0] == where[0] and here[1] < where[1]:
                raise InputError("score table", [Problem(f"{here[0]}:{here[1]}", f"rows not sorted by position (after {where[1]})")])
            if here[0] != (where or ("",))[0]:
                if here[0] in seen:
                    raise InputError("score table", [Problem(here[0], "rows of this contig are not together")])
                seen.add(here[0])
            yield from ("\t".join(b) + "\n" for b in best.values())
            best, where = {}, here
        key = (f[2], f[3])
        if key not in best or _score(f[score_col]) > _score(best[key][score_col]):
            best[key] = f
    yield from ("\t".join(b) + "\n" for b in best.values())


def _score(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("-inf")


# --- SpliceAI ------------------------------------------------------------------------------------
SPLICEAI_HEADER = "#CHROM\tPOS\tREF\tALT\tSYMBOL\tDS_AG\tDS_AL\tDS_DG\tDS_DL\tDS_MAX\n"


def spliceai_rows(lines: Iterable[str]) -> Iterator[str]:
    """``CHROM POS REF ALT SpliceAI`` (bcftools query of the precomputed VCF; ``SpliceAI=ALLELE|SYMBOL|
    DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|...``, one entry per gene) -> one row per allele with the gene of
    the highest delta score and that entry's four scores and maximum."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 5 or f[4] == ".":
            continue
        chrom = ucsc_name(f[0])
        if chrom is None:
            continue
        best: tuple[float, list[str]] | None = None
        for entry in f[4].split(","):
            e = entry.split("|")
            if len(e) < 6 or e[0] != f[3]:
                continue
            scores = [_score(x) for x in e[2:6]]
            top = max(scores)
            if best is None or top > best[0]:
                best = (top, [e[1], *(f"{s:.2f}" if s != float("-inf") else "." for s in scores)])
        if best is not None:
            yield "\t".join([chrom, f[1], f[2], f[3], *best[1], f"{best[0]:.2f}"]) + "\n"


def _query(vcf: Path, fmt: str, regions: str | None = None) -> subprocess.Popen[str]:
    cmd = ["bcftools", "query", "-f", fmt, *(["--regions", regions] if regions else []), str(vcf)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def vcf_contig_name(vcf: Path, chrom: str) -> str | None:
    """How an indexed VCF names ``chrom`` (``chr1`` or ``1``; ``chrM``: also ``MT``/``M``), None if absent."""
    import pysam

    with pysam.TabixFile(str(vcf)) as tbx:
        names = set(tbx.contigs)
    bare = chrom.removeprefix("chr")
    for name in (chrom, bare, *(("MT", "M") if bare == "M" else ())):
        if name in names:
            return name
    return None


def spliceai_table(vcfs: Sequence[Path], regions: str | None = None) -> Iterator[str]:
    """The SpliceAI VCFs (sorted, e.g. the SNV and the indel file) streamed through ``bcftools query``,
    merged by (contig, position) - two open streams, no sort - and reduced to one row per allele."""
    procs = [_query(v, "%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/SpliceAI\\n", regions) for v in vcfs]

    def key(row: str) -> tuple[int, int]:
        f = row.split("\t", 2)
        return _contig_rank(f[0]), int(f[1])

    try:
        rows = heapq.merge(*(spliceai_rows(p.stdout) for p in procs if p.stdout is not None), key=key)
        yield from max_per_allele(rows, 9)
    finally:
        failed = [str(v) for v, p in zip(vcfs, procs, strict=True) if p.wait() != 0]
    if failed:
        raise InputError(failed[0], [Problem("SpliceAI", "bcftools query failed (not a readable, indexed VCF?)")])


# --- gene table: wgs_east.resources.genetable ---------------------------------------------------


# --- bundle and manifest -------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    from wgs_east.resources.check import sha256_of as _sha

    return _sha(path)


def update_manifest(bundle: Path, name: str, entry: dict[str, Any], build: str = "GRCh38") -> Path:
    """Add or replace one source of ``bundle/manifest.yaml`` (created when missing), with the sha256 of
    its file, validated by the manifest's source model (the bundle may still be incomplete). Steps running
    at once (resources/Snakefile) take turns: an exclusive lock on ``bundle/.manifest.lock``."""
    import fcntl

    path = bundle / "manifest.yaml"
    with open(bundle / ".manifest.lock", "w") as lock:  # parallel steps of resources/Snakefile update it too
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _update_manifest(path, name, entry, build)


def _update_manifest(path: Path, name: str, entry: dict[str, Any], build: str) -> Path:
    from pydantic import TypeAdapter, ValidationError

    from wgs_east.resources.manifest import Source

    bundle = path.parent
    data: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
    data = data or {"bundle": "wgs-east-grch38", "version": datetime.date.today().strftime("%Y.%m"), "build": build}
    entry = {**entry, "build": build, "sha256": sha256_of(bundle / entry["path"])}
    entry = {k: v for k, v in entry.items() if v is not None}
    try:
        TypeAdapter(Source).validate_python(entry, context={"base_dir": bundle})
    except ValidationError as exc:
        raise InputError(path, [Problem(f"sources.{name}", str(exc))]) from None
    data.setdefault("sources", {})[name] = entry
    data["sources"] = dict(sorted(data["sources"].items()))  # not in the order parallel steps happened to finish
    tmp = tmp_path(path)
    tmp.write_text("# made by python -m wgs_east.resources.prepare (resources/README.md)\n"
                   + yaml.safe_dump(data, sort_keys=False))  # fmt: skip
    tmp.replace(path)
    return path


def _run(cmd: Sequence[str], **kwargs: Any) -> None:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("[W::")]
        raise InputError(cmd[0], [Problem(" ".join(cmd[:3]), "\n".join(errors[-8:])[-800:] or f"exit {proc.returncode}")])


def write_bgzip(rows: Iterable[str], out: Path, header: str = "", *, every: int = 10_000_000, what: str = "") -> int:
    """Stream rows (after ``header``) through ``bgzip`` into ``out`` (atomically); a progress line every
    ``every`` rows. Returns the number of rows."""
    tmp = tmp_path(out)
    n = 0
    with open(tmp, "wb") as fh, subprocess.Popen(["bgzip", "-c"], stdin=subprocess.PIPE, stdout=fh, text=True) as proc:
        assert proc.stdin is not None
        proc.stdin.write(header)
        for row in rows:
            proc.stdin.write(row)
            n += 1
            if n % every == 0:
                progress(f"{what or out.name}: {n:,} rows")
        proc.stdin.close()
    if proc.returncode != 0:
        raise InputError(out, [Problem("bgzip", f"bgzip failed (exit {proc.returncode})")])
    tmp.replace(out)
    return n


def tabix_table(path: Path) -> None:
    """tabix index (``-s1 -b2 -e2``, ``#`` header lines) of a bgzipped table."""
    _run(["tabix", "-f", "-s1", "-b2", "-e2", "-c", "#", str(path)])


def bgzip_tabix_rows(rows: Iterable[str], out: Path, header: str) -> int:
    """Write sorted rows with a ``#`` header, bgzip (streaming) and tabix (``-s1 -b2 -e2``)."""
    n = write_bgzip(rows, out, header)
    tabix_table(out)
    return n


def concat_tables(parts: Sequence[Path], out: Path, header: str) -> None:
    """bgzipped table parts without header (in contig order) -> ``header`` + the parts, tabix-indexed.
    BGZF files concatenate as they are: no part is decompressed."""
    tmp = tmp_path(out)
    write_bgzip([], tmp, header)
    with open(tmp, "ab") as dst:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(out)
    tabix_table(out)


def _vcf_contigs(vcf: Path) -> list[str]:
    proc = subprocess.run(["bcftools", "index", "--stats", str(vcf)], capture_output=True, text=True, check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return [line.split("\t")[0] for line in proc.stdout.splitlines()]
    header = subprocess.run(["bcftools", "view", "-h", str(vcf)], capture_output=True, text=True, check=True).stdout
    return [line.split("ID=")[1].split(",")[0].rstrip(">") for line in header.splitlines() if line.startswith("##contig")]


GNOMAD_INFO = ("AC", "AN", "AF", "nhomalt", "AF_grpmax", "AN_grpmax", "grpmax", "fafmax_faf95_max",
               "fafmax_faf95_max_gen_anc")  # fmt: skip
"""gnomAD v4 INFO tags kept (genomes and exomes sites VCFs use the same names)."""
GNOMAD_SEX_INFO = ("AC_XY", "nhomalt_XX")
"""Read on non-PAR chrX/chrY only: gnomAD makes XY genotypes haploid there (gnomad_methods
``adjusted_sex_ploidy_expr``), so ``AC_XY`` counts hemizygous XY carriers and only XX individuals can be
homozygous (``nhomalt_XX``); both are dropped from the output."""
FILTERS_TAG, NHEMI_TAG = "filters", "nhemi"
GNOMAD_EXTRA_HEADER = (
    f'##INFO=<ID={FILTERS_TAG},Number=.,Type=String,Description="FILTER of the gnomAD record (PASS, or its '
    'failed filters such as AC0,AS_VQSR), kept so that a filtered site is not mistaken for an absent one">\n'
    f'##INFO=<ID={NHEMI_TAG},Number=A,Type=Integer,Description="Hemizygous XY individuals (AC_XY on non-PAR '
    'chrX/chrY, where gnomAD XY genotypes are haploid); absent elsewhere">\n'
)
def _sex_awk(non_par: Sequence[tuple[str, int, int]]) -> str:
    """awk over ``CHROM POS REF ALT FILTER AC_XY nhomalt_XX``: FILTER with ``,`` for ``;``; nhemi = AC_XY and
    nhomalt = nhomalt_XX inside ``non_par``, ``.`` (not written) elsewhere."""
    tests = "".join(f" if ($1==\"{c}\" && $2>={s} && $2<={e}) par=0;" for c, s, e in non_par)
    return ("BEGIN{OFS=\"\\t\"} {gsub(/;/, \",\", $5); par=1;" + tests
            + " print $1, $2, $3, $4, $5, (par ? \".\" : $6), (par ? \".\" : $7)}")  # fmt: skip


def parse_region(text: str) -> tuple[str, int, int]:
    """``chrX:2781480-155701382`` -> (contig, start, end), 1-based inclusive."""
    try:
        contig, span = text.rsplit(":", 1)
        start, end = (int(x.replace(",", "")) for x in span.split("-"))
    except ValueError:
        raise InputError("--non-par", [Problem(text, "not a region CONTIG:START-END")]) from None
    return contig, start, end


def _header_info(vcf: Path) -> set[str]:
    header = subprocess.run(["bcftools", "view", "-h", str(vcf)], capture_output=True, text=True, check=False)
    if header.returncode != 0:
        raise InputError(vcf, [Problem("header", header.stderr.strip()[-400:] or "not a readable VCF")])
    return {line.split("ID=", 1)[1].split(",", 1)[0] for line in header.stdout.splitlines()
            if line.startswith("##INFO=<ID=")}  # fmt: skip


GNOMAD_MITO_INFO = ("AN", "AC_hom", "AC_het", "AF_hom", "AF_het", "max_hl")
"""INFO tags kept from gnomAD's mitochondrial release (``gnomad.genomes.v3.1.sites.chrM.vcf.bgz``; its
header: AN = individuals with a non-missing genotype, AC_hom / AF_hom = heteroplasmy level >= 0.95
(homoplasmic), AC_het / AF_het = level >= 0.10 and < 0.95 (heteroplasmic), max_hl = highest level seen).
That release has no AC / AF / nhomalt; FILTER: PASS, artifact_prone_site, indel_stack, npg."""
GNOMAD_MITO_HEADER = (
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="chrM (gnomAD mitochondrial release): AC_hom + AC_het, '
    'individuals carrying the variant at a heteroplasmy level >= 0.10 (derived by prepare gnomad-part)">\n'
    '##INFO=<ID=AF,Number=A,Type=Float,Description="chrM (gnomAD mitochondrial release): AC / AN, the share of '
    'individuals carrying the variant at a heteroplasmy level >= 0.10 (derived by prepare gnomad-part)">\n'
)
# awk over `CHROM POS REF ALT FILTER AN AC_hom AC_het`: FILTER with `,` for `;`, AC = AC_hom + AC_het, AF = AC / AN
_MITO_AWK = (
    'BEGIN{OFS="\\t"} {gsub(/;/, ",", $5); ac = ($7 == "." ? 0 : $7) + ($8 == "." ? 0 : $8);'
    ' af = ($6 == "." || $6 == 0) ? "." : sprintf("%.6g", ac / $6); print $1, $2, $3, $4, $5, ac, af}'
)


def is_gnomad_mito(present: set[str]) -> bool:
    """The INFO tags of gnomAD's mitochondrial release (no AF; AF_hom, AF_het ...)."""
    return "AF" not in present and set(GNOMAD_MITO_INFO) <= present


def gnomad_part(vcf: Path, out: Path, regions: str | None = None,
                non_par: Sequence[tuple[str, int, int]] | None = None) -> None:  # fmt: skip
    """One gnomAD v4 sites VCF (genomes or exomes; one chromosome, or ``regions`` of it) -> a slim,
    indexed BCF of **every** site (PASS and filtered) with UCSC contig names: the ``GNOMAD_INFO`` tags,
    ``filters`` (the record's FILTER) and on non-PAR chrX/chrY ``nhemi`` (= ``AC_XY``) and ``nhomalt``
    (= ``nhomalt_XX``); ``non_par`` defaults to ``NON_PAR`` (GRCh38). Streams through bcftools (three passes
    over the slim file, none over the input
    but the first, which drops the other INFO tags before anything else); memory and open files do not
    grow with the input."""
    present = _header_info(vcf)
    if is_gnomad_mito(present):
        gnomad_mito_part(vcf, out, regions)
        return
    missing = [t for t in ("AC", "AN", "AF") if t not in present]
    if missing:
        raise InputError(vcf, [Problem("INFO", f"not a gnomAD sites VCF: INFO tags missing: {', '.join(missing)}")])
    keep = [t for t in (*GNOMAD_INFO, *GNOMAD_SEX_INFO) if t in present]
    sex = [t if t in present else "" for t in GNOMAD_SEX_INFO]
    query = "%CHROM\\t%POS\\t%REF\\t%ALT\\t%FILTER" + "".join(f"\\t%INFO/{t}" if t else "\\t." for t in sex) + "\\n"
    _slim_part(vcf, out, regions, keep=keep, header=GNOMAD_EXTRA_HEADER, query=query,
               awk=_sex_awk(NON_PAR if non_par is None else non_par), columns=(FILTERS_TAG, NHEMI_TAG, "nhomalt"),
               drop=[t for t in GNOMAD_SEX_INFO if t in present])  # fmt: skip


def _slim_part(vcf: Path, out: Path, regions: str | None, *, keep: Sequence[str], header: str, query: str, awk: str,
               columns: Sequence[str], drop: Sequence[str] = ()) -> None:  # fmt: skip
    """The pipeline of :func:`gnomad_part` and :func:`gnomad_mito_part`: ``vcf`` (optionally ``regions`` of
    it) with UCSC contig names and only the INFO tags ``keep`` (the full records, ~ 800 INFO tags, are
    parsed once, by the first annotate; the rest sees slim ones), restricted to ``CONTIGS``; then the
    ``query`` of it through ``awk`` added back as the INFO ``columns`` (``header``: their header lines),
    ``drop`` removed; an indexed BCF at ``out``, written under a temporary name."""
    work = out.parent / f".{out.name}.work"
    work.mkdir(parents=True, exist_ok=True)
    renames, slim, tab, hdr = work / "rename.txt", work / "slim.bcf", work / "extra.tsv.gz", work / "extra.hdr"
    rename_chrs_file(_vcf_contigs(vcf), renames)
    hdr.write_text(header)
    where = f"--regions {_q(regions)} " if regions else ""
    keep_tags = ",".join(f"INFO/{t}" for t in keep)
    cols = ",".join(f"INFO/{c}" for c in columns)
    _shell(f"bcftools annotate --no-version {where}--rename-chrs {_q(renames)} -x ^{keep_tags} --output-type u {_q(vcf)}"
           f" | bcftools view --no-version --targets {','.join(CONTIGS)} --output-type b --output {_q(slim)}"
           f" && bcftools index --force {_q(slim)}"
           f" && bcftools query -f '{query}' {_q(slim)} | awk -F '\\t' {_q(awk)} | bgzip > {_q(tab)}"
           f" && tabix -f -s1 -b2 -e2 {_q(tab)}"
           f" && bcftools annotate --no-version --header-lines {_q(hdr)} --annotations {_q(tab)}"
           f" --columns CHROM,POS,REF,ALT,{cols} --output-type u {_q(slim)}"
           + (f" | bcftools annotate --no-version -x {','.join(f'INFO/{t}' for t in drop)} --output-type u -" if drop else "")
           + f" | bcftools view --no-version --output-type b --output {_q(out)}.tmp.bcf"
           f" && bcftools index --force {_q(out)}.tmp.bcf && mv {_q(out)}.tmp.bcf.csi {_q(out)}.csi"
           f" && mv {_q(out)}.tmp.bcf {_q(out)}")  # fmt: skip
    shutil.rmtree(work)


def gnomad_mito_part(vcf: Path, out: Path, regions: str | None = None) -> None:
    """gnomAD's mitochondrial sites VCF -> a slim, indexed BCF of every site: ``GNOMAD_MITO_INFO`` (homoplasmic
    and heteroplasmic counts and frequencies, the highest heteroplasmy level), ``filters`` (the FILTER, as for
    the nuclear parts) and, so that the pipeline's ``POP_AF`` does not call a variant gnomAD saw absent,
    ``AC`` = AC_hom + AC_het and ``AF`` = AC / AN (individuals carrying it at a heteroplasmy level >= 0.10)."""
    query = "%CHROM\\t%POS\\t%REF\\t%ALT\\t%FILTER\\t%INFO/AN\\t%INFO/AC_hom\\t%INFO/AC_het\\n"
    _slim_part(vcf, out, regions, keep=GNOMAD_MITO_INFO, header=GNOMAD_EXTRA_HEADER.split("\n")[0] + "\n" + GNOMAD_MITO_HEADER,
               query=query, awk=_MITO_AWK, columns=(FILTERS_TAG, "AC", "AF"))  # fmt: skip


GNOMAD_MITO_FIELDS = {"af_hom": "AF_hom", "af_het": "AF_het", "max_hl": "max_hl"}
"""Added to the manifest's ``fields:`` when the prepared file has chrM records from the mitochondrial release."""

GNOMAD_FIELDS = {
    "af": "AF", "an": "AN", "ac": "AC", "nhom": "nhomalt", "nhemi": NHEMI_TAG, "popmax_af": "AF_grpmax",
    "popmax_an": "AN_grpmax", "popmax_pop": "grpmax", "faf": "fafmax_faf95_max", "faf_pop": "fafmax_faf95_max_gen_anc",
    "filter": FILTERS_TAG,
}  # fmt: skip
"""The manifest's ``fields:`` of a prepared gnomAD v4 source (INFO names as in the release, which the
excerpts in ``../shared/data/real-resources`` show: AF_grpmax, fafmax_faf95_max, ...)."""


def concat_vcfs(parts: Sequence[Path], out: Path, *, overlaps: bool = False) -> None:
    """Indexed parts (in contig order unless ``overlaps``) -> one bgzipped, tabix-indexed VCF, atomically."""
    names = " ".join(_q(p) for p in parts)
    tmp = f"{_q(out)}.tmp.vcf.gz"
    _shell(f"bcftools concat --no-version {'--allow-overlaps ' if overlaps else ''}--output-type z --output {tmp}"
           f" {names} && tabix -f -p vcf {tmp} && mv {tmp}.tbi {_q(out)}.tbi && mv {tmp} {_q(out)}")  # fmt: skip


def prepare_gnomad(vcfs: Sequence[Path], out: Path, non_par: Sequence[tuple[str, int, int]] | None = None) -> None:
    """gnomAD v4 sites VCFs (genomes or exomes, one per chromosome) -> one slim sites VCF of every site
    (``gnomad_part`` each, then concatenated). The bundle workflow (``resources/Snakefile``) runs the
    parts in parallel instead."""
    work = out.parent / f".{out.name}.parts"
    work.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, vcf in enumerate(vcfs):
        parts.append(work / f"part{i}.bcf")
        progress(f"gnomad: {vcf} ({i + 1}/{len(vcfs)})")
        gnomad_part(vcf, parts[-1], non_par=non_par)
    concat_vcfs(parts, out, overlaps=True)
    shutil.rmtree(work)


def progress(message: str) -> None:
    """One progress line on stderr, with the time."""
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def prepare_clinvar(vcf: Path, out: Path) -> None:
    """ClinVar VCF -> UCSC contig names, primary chromosomes only, bgzip + tabix."""
    work = out.parent / f".{out.name}.rename.txt"
    rename_chrs_file(_vcf_contigs(vcf), work)
    keep = ",".join(CONTIGS)
    cmd = (f"bcftools annotate --no-version --rename-chrs {_q(work)} --output-type u {_q(vcf)}"
           f" | bcftools view --no-version --targets {keep} --output-type z --output {_q(out)}.tmp.vcf.gz"
           f" && tabix -f -p vcf {_q(out)}.tmp.vcf.gz && mv {_q(out)}.tmp.vcf.gz.tbi {_q(out)}.tbi"
           f" && mv {_q(out)}.tmp.vcf.gz {_q(out)}")  # fmt: skip
    _shell(cmd)
    work.unlink()


GNOMAD_SV_KEEP = ("SVTYPE", "END", "SVLEN", "CHR2", "POS2", "END2", "CPX_TYPE", "MULTIALLELIC", "PAR", "AC", "AN",
                  "AF", "N_HET", "N_HOMALT", "POPMAX_AF", "CN_NUMBER", "CN_COUNT", "CN_FREQ", "CN_NONREF_FREQ")  # fmt: skip
"""INFO fields a prepared gnomAD-SV source keeps (the per-group/per-sex ones are dropped)."""


def prepare_gnomad_sv(vcf: Path, out: Path) -> None:
    """gnomAD-SV sites VCF -> UCSC contig names, primary chromosomes, PASS sites only, INFO slimmed to
    ``GNOMAD_SV_KEEP``, bgzip + tabix (indexed on ``END``, so region queries find long events)."""
    work = out.parent / f".{out.name}.rename.txt"
    rename_chrs_file(_vcf_contigs(vcf), work)
    keep = ",".join(f"INFO/{t}" for t in GNOMAD_SV_KEEP)
    cmd = (f"bcftools annotate --no-version --rename-chrs {_q(work)} -x ^{keep} --output-type u {_q(vcf)}"
           f" | bcftools view --no-version --apply-filters PASS --targets {','.join(CONTIGS)} --output-type z"
           f" --output {_q(out)}.tmp.vcf.gz && tabix -f -p vcf {_q(out)}.tmp.vcf.gz"
           f" && mv {_q(out)}.tmp.vcf.gz.tbi {_q(out)}.tbi && mv {_q(out)}.tmp.vcf.gz {_q(out)}")  # fmt: skip
    _shell(cmd)
    work.unlink()


def _shell(cmd: str) -> None:
    _run(["bash", "-o", "pipefail", "-c", cmd])


def _q(path: object) -> str:
    import shlex

    return shlex.quote(str(path))


# --- CLI -----------------------------------------------------------------------------------------
def _entry(args: argparse.Namespace, kind: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "path": path, "version": args.version,
            "release_date": args.release_date, "url": args.url, "description": args.description, **extra}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--contigs", help="comma-separated contigs to keep, in this order (default: GRCh38 chr1..chr22, "
                        "chrX, chrY, chrM); other names (1, MT) are renamed to these")  # fmt: skip
    non_par = argparse.ArgumentParser(add_help=False)
    non_par.add_argument("--non-par", nargs="*", type=parse_region, metavar="CONTIG:START-END",
                         help="chrX/chrY outside the pseudo-autosomal regions (default: GRCh38's); none: no such region")  # fmt: skip

    def add(name: str, help_text: str, parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common, *parents])
        p.add_argument("--bundle", required=True, help="bundle directory (manifest.yaml is updated)")
        p.add_argument("--name", help="source name in the manifest (default: the command)")
        p.add_argument("--version", required=True, help="upstream version / release")
        p.add_argument("--release-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        p.add_argument("--url", help="where the upstream files came from")
        p.add_argument("--description")
        return p

    p = add("gene-models", "Ensembl GFF3 -> chr-named GFF3 (bgzip)")
    p.add_argument("--gff", required=True)
    p = add("gnomad", "gnomAD v4 sites VCFs -> slim sites VCF of every site, FILTER kept as INFO/filters", [non_par])
    p.add_argument("--vcf", required=True, nargs="+", type=Path)
    p.add_argument("--dataset", choices=["genomes", "exomes"], default="genomes",
                   help="gnomAD call set: genomes fill POP_*, exomes POPEX_* (both can be in one bundle)")
    p = sub.add_parser("gnomad-part", help="one gnomAD sites VCF -> slim BCF (a resources/Snakefile step; no manifest)",
                       parents=[common, non_par])  # fmt: skip
    p.add_argument("--vcf", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--regions", help="only these regions (bcftools --regions; the VCF must be indexed)")
    p = add("gnomad-concat", "slim gnomAD parts (contig order) -> the bundle's sites VCF + manifest entry")
    p.add_argument("--parts", required=True, nargs="+", type=Path)
    p.add_argument("--dataset", choices=["genomes", "exomes"], default="genomes")
    p = add("gnomad-sv", "gnomAD-SV sites VCF -> slim PASS-only SV population VCF (kind sv_population)")
    p.add_argument("--vcf", required=True, type=Path)
    p = add("clinvar", "ClinVar VCF -> chr-named VCF")
    p.add_argument("--vcf", required=True, type=Path)
    p = add("revel", "REVEL CSV (unzipped) -> tabix table")
    p.add_argument("--csv", required=True, type=Path)
    p = add("spliceai", "SpliceAI precomputed VCFs (snv, indel) -> tabix table of max delta scores")
    p.add_argument("--vcf", nargs="+", type=Path)
    p.add_argument("--parts", nargs="+", type=Path, help="concatenate these spliceai-part outputs instead of --vcf")
    p = sub.add_parser("spliceai-part", help="one chromosome of the SpliceAI VCFs -> bgzipped rows (a resources/Snakefile step)",
                       parents=[common])  # fmt: skip
    p.add_argument("--vcf", required=True, nargs="+", type=Path)
    p.add_argument("--chrom", required=True, help="chromosome as in the bundle (chr1); the VCFs may name it 1")
    p.add_argument("--out", required=True, type=Path)
    p = add("gene-table", "gnomAD constraint + GenCC + ClinGen dosage + Gene2Phenotype + HPO -> gene table")
    p.add_argument("--constraint", required=True, type=Path, help="gnomad.v4.1.constraint_metrics.tsv")
    p.add_argument("--gencc", type=Path, help="GenCC gencc-submissions.tsv")
    p.add_argument("--clingen", type=Path, help="ClinGen_gene_curation_list_GRCh38.tsv (dosage)")
    p.add_argument("--g2p", nargs="*", default=[], type=Path, help="Gene2Phenotype panel CSV(s), all panels")
    p.add_argument("--hpo-genes", type=Path, help="HPO genes_to_disease.txt (with --hpoa)")
    p.add_argument("--hpoa", type=Path, help="HPO phenotype.hpoa (inheritance of each disease)")
    args = parser.parse_args(argv)
    if args.contigs:
        set_contigs([c.strip() for c in args.contigs.split(",") if c.strip()])
    if args.command == "gnomad-part":
        progress(f"gnomad-part: {args.vcf} -> {args.out}")
        gnomad_part(args.vcf, args.out, args.regions, args.non_par)
        progress(f"gnomad-part: wrote {args.out}")
        return 0
    if args.command == "spliceai-part":
        regions = ",".join(filter(None, (vcf_contig_name(v, args.chrom) for v in args.vcf)))
        progress(f"spliceai-part: {args.chrom} of {', '.join(map(str, args.vcf))}")
        rows = spliceai_table(args.vcf, regions) if regions else iter(())
        n = write_bgzip(rows, args.out, what=f"spliceai {args.chrom}")
        progress(f"spliceai-part: {n:,} alleles of {args.chrom} -> {args.out}")
        return 0
    bundle = Path(args.bundle)
    bundle.mkdir(parents=True, exist_ok=True)
    name = args.name or args.command.replace("-", "_")
    if args.command == "gene-models":
        import pysam

        out = bundle / "gene_models.gff3.gz"
        plain = tmp_path(bundle / "gene_models.gff3")
        with open_text(Path(args.gff)) as src, open(plain, "w") as dst:
            dst.writelines(gff_lines(src))
        pysam.tabix_compress(str(plain), str(out), force=True)
        plain.unlink()
        entry = _entry(args, "gene_models", out.name)
    elif args.command in ("gnomad", "gnomad-concat"):
        out = bundle / f"gnomad.{args.dataset}.sites.vcf.gz"
        name = args.name or f"gnomad_{args.dataset}"
        if args.command == "gnomad":
            prepare_gnomad(args.vcf, out, args.non_par)
        else:
            concat_vcfs(args.parts, out)
        mito = GNOMAD_MITO_FIELDS if set(GNOMAD_MITO_INFO) <= _header_info(out) else {}
        entry = _entry(args, "population", out.name, dataset=args.dataset, fields={**GNOMAD_FIELDS, **mito})
    elif args.command == "gnomad-sv":
        out = bundle / "gnomad_sv.sites.vcf.gz"
        prepare_gnomad_sv(args.vcf, out)
        entry = _entry(args, "sv_population", out.name)
    elif args.command == "clinvar":
        out = bundle / "clinvar.vcf.gz"
        prepare_clinvar(args.vcf, out)
        entry = _entry(args, "clinvar", out.name, fields={"sig": "CLNSIG", "revstat": "CLNREVSTAT"})
    elif args.command == "revel":
        out = bundle / "revel.tsv.gz"
        with open_text(args.csv) as fh:
            bgzip_tabix_rows(max_per_allele(sort_rows(revel_rows(fh)), 6), out, REVEL_HEADER)
        entry = _entry(args, "insilico", out.name, score="revel",
                       columns={"chrom": "chr", "pos": "pos", "ref": "ref", "alt": "alt", "score": "REVEL"})  # fmt: skip
    elif args.command == "spliceai":
        out = bundle / "spliceai.tsv.gz"
        if args.parts:
            concat_tables(args.parts, out, SPLICEAI_HEADER)
        elif args.vcf:
            bgzip_tabix_rows(spliceai_table(args.vcf), out, SPLICEAI_HEADER)
        else:
            parser.error("spliceai: give --vcf or --parts")
        entry = _entry(args, "insilico", out.name, score="spliceai",
                       columns={"chrom": "CHROM", "pos": "POS", "ref": "REF", "alt": "ALT", "score": "DS_MAX"})  # fmt: skip
    else:
        hpo = (read_table(args.hpo_genes), read_table(args.hpoa)) if args.hpo_genes and args.hpoa else None
        genes, pairs = build_gene_table(
            read_table(args.constraint),
            read_table(args.clingen, header_prefix="#Gene Symbol") if args.clingen else [],
            [r for g in args.g2p for r in read_table(g, delimiter=",")],
            read_table(args.gencc) if args.gencc else [],
            hpo,
        )  # fmt: skip
        out = bundle / "gene_table.tsv"
        write_tsv(pairs, PAIR_COLUMNS, bundle / "gene_disease.tsv")
        write_tsv(genes, GENE_TABLE_COLUMNS, out)
        known = sum(1 for g in genes if g["moi"])
        progress(f"gene-table: {len(genes)} genes, {len(pairs)} gene-disease pairs; {known} genes with a known mode")
        entry = _entry(args, "gene_table", out.name, pairs="gene_disease.tsv",
                       columns={"symbol": "symbol", "moi": "moi", "loeuf": "loeuf", "pli": "pli",
                                "haploinsufficiency": "haploinsufficiency", "disease": "disease",
                                "lof_mechanism": "lof_mechanism", "lof_moi": "lof_moi",
                                "triplosensitivity": "triplosensitivity"})  # fmt: skip
    manifest = update_manifest(bundle, name, entry)
    print(f"{args.command}: wrote {out}; {manifest} updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_cli(main)
