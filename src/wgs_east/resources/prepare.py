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
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from wgs_east.annotate.io import open_text, run_cli, tmp_path
from wgs_east.errors import InputError, Problem

PRIMARY = tuple(f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"])
GRCH38_NON_PAR_X = ("chrX", 2_781_480, 155_701_382)
"""chrX outside the GRCh38 pseudo-autosomal regions (1-based inclusive)."""
GRCH38_NON_PAR_Y = ("chrY", 2_781_480, 56_887_902)


# --- contig names --------------------------------------------------------------------------------
def ucsc_name(name: str) -> str | None:
    """``1`` / ``chr1`` -> ``chr1``; ``MT`` / ``M`` -> ``chrM``; anything else (scaffolds) -> None."""
    bare = name[3:] if name.startswith("chr") else name
    if bare in ("M", "MT"):
        return "chrM"
    out = f"chr{bare}"
    return out if out in PRIMARY else None


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
    return PRIMARY.index(chrom) if chrom in PRIMARY else len(PRIMARY)


def sort_rows(rows: Iterable[str], chunk: int = 2_000_000) -> Iterator[str]:
    """Sort tab rows by (contig in ``PRIMARY`` order, position) with bounded memory (sorted runs merged)."""
    import tempfile

    def key(row: str) -> tuple[int, int]:
        f = row.split("\t", 2)
        return _contig_rank(f[0]), int(f[1])

    runs: list[Path] = []
    buf: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wgs-east-sort-") as tmp:
        for row in rows:
            buf.append(row)
            if len(buf) >= chunk:
                runs.append(Path(tmp) / f"run{len(runs)}")
                runs[-1].write_text("".join(sorted(buf, key=key)))
                buf = []
        if not runs:
            yield from sorted(buf, key=key)
            return
        if buf:
            runs.append(Path(tmp) / f"run{len(runs)}")
            runs[-1].write_text("".join(sorted(buf, key=key)))
        handles = [open(r) for r in runs]  # noqa: SIM115 - closed below
        try:
            yield from heapq.merge(*handles, key=key)
        finally:
            for h in handles:
                h.close()


def max_per_allele(rows: Iterable[str], score_col: int) -> Iterator[str]:
    """Sorted rows -> one row per (chrom, pos, ref, alt): the one with the highest score."""
    best: list[str] | None = None
    for row in rows:
        f = row.rstrip("\n").split("\t")
        if best is not None and f[:4] == best[:4]:
            if _score(f[score_col]) > _score(best[score_col]):
                best = f
            continue
        if best is not None:
            yield "\t".join(best) + "\n"
        best = f
    if best is not None:
        yield "\t".join(best) + "\n"


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


# --- gene table ----------------------------------------------------------------------------------
G2P_MOI = {
    "monoallelic_autosomal": "AD", "biallelic_autosomal": "AR", "monoallelic_x_hemizygous": "XLR",
    "monoallelic_x_heterozygous": "XLD", "monoallelic_x": "XL", "biallelic_par": "AR", "monoallelic_par": "AD",
    "monoallelic_y_hemizygous": "YL", "mitochondrial": "MT", "monoallelic_autosomal_or_biallelic_autosomal": "AD|AR",
}  # fmt: skip
G2P_CONFIDENT = frozenset({"definitive", "strong", "moderate", "confirmed", "probable", "both rd and if"})
GENE_TABLE_COLUMNS = ("symbol", "gene_id", "moi", "lof_mechanism", "haploinsufficiency", "loeuf", "pli", "disease", "hpo")


def _col(row: dict[str, str], *names: str) -> str:
    for n in names:
        if n in row and row[n] is not None:
            return row[n].strip()
    return ""


def g2p_moi(allelic_requirement: str) -> list[str]:
    out: list[str] = []
    for part in allelic_requirement.replace(";", ",").split(","):
        code = G2P_MOI.get(part.strip().lower().replace(" ", "_"))
        if code:
            out += [c for c in code.split("|") if c not in out]
    return out


def g2p_is_lof(row: dict[str, str]) -> bool:
    """Loss of function is the disease mechanism (G2P 2024: ``molecular mechanism``; older DDG2P:
    ``mutation consequence`` ``absent gene product``)."""
    mechanism = _col(row, "molecular mechanism").lower()
    consequence = _col(row, "mutation consequence", "variant consequence").lower()
    return mechanism == "loss of function" or "absent gene product" in consequence


def build_gene_table(
    constraint: Iterable[dict[str, str]], clingen: Iterable[dict[str, str]], g2p: Iterable[dict[str, str]]
) -> list[dict[str, str]]:
    """Merge gnomAD constraint (LOEUF, pLI of the MANE/canonical transcript), ClinGen dosage
    (haploinsufficiency score; 3 also marks LoF as a mechanism) and Gene2Phenotype (modes, disease,
    HPO terms, mechanism; confident entries only) by gene symbol."""
    genes: dict[str, dict[str, Any]] = {}

    def gene(sym: str) -> dict[str, Any]:
        return genes.setdefault(sym, {"symbol": sym, "gene_id": "", "moi": [], "lof": False, "hi": "", "loeuf": "",
                                      "pli": "", "disease": [], "hpo": []})  # fmt: skip

    for row in constraint:
        sym = _col(row, "gene")
        preferred = _col(row, "mane_select").lower() == "true" or _col(row, "canonical").lower() == "true"
        if not sym or not preferred:
            continue
        g = gene(sym)
        g["gene_id"] = g["gene_id"] or _col(row, "gene_id")
        g["loeuf"], g["pli"] = _col(row, "lof.oe_ci.upper"), _col(row, "lof.pLI")
    for row in clingen:
        sym = _col(row, "#Gene Symbol", "Gene Symbol")
        hi = _col(row, "Haploinsufficiency Score")
        if not sym or not hi or hi.lower().startswith("not yet"):
            continue
        g = gene(sym)
        g["hi"] = hi
        g["lof"] = g["lof"] or hi == "3"
    for row in g2p:
        sym = _col(row, "gene symbol")
        if not sym or _col(row, "confidence", "confidence category").lower() not in G2P_CONFIDENT:
            continue
        g = gene(sym)
        g["moi"] += [m for m in g2p_moi(_col(row, "allelic requirement")) if m not in g["moi"]]
        g["lof"] = g["lof"] or g2p_is_lof(row)
        disease = _col(row, "disease name")
        if disease and disease not in g["disease"]:
            g["disease"].append(disease)
        for term in _col(row, "phenotypes").replace(",", ";").split(";"):
            if term.strip().startswith("HP:") and term.strip() not in g["hpo"]:
                g["hpo"].append(term.strip())
    out = []
    for sym in sorted(genes):
        g = genes[sym]
        out.append({"symbol": sym, "gene_id": g["gene_id"], "moi": "|".join(g["moi"]), "lof_mechanism": str(g["lof"]).lower(),
                    "haploinsufficiency": g["hi"], "loeuf": g["loeuf"], "pli": g["pli"],
                    "disease": "; ".join(g["disease"][:3]).replace("\t", " "), "hpo": "|".join(g["hpo"])})  # fmt: skip
    return out


def read_table(path: Path, delimiter: str = "\t", header_prefix: str | None = None) -> list[dict[str, str]]:
    """Rows of a delimited file; with ``header_prefix`` the lines before the header line (the first
    starting with it, e.g. ClinGen's ``#Gene Symbol``) are skipped."""
    with open_text(path) as fh:
        lines: Iterable[str] = fh
        if header_prefix is not None:
            lines = _from_header(fh, header_prefix)
        return list(csv.DictReader(lines, delimiter=delimiter))


def _from_header(lines: Iterable[str], prefix: str) -> Iterator[str]:
    started = False
    for line in lines:
        started = started or line.startswith(prefix)
        if started:
            yield line


# --- bundle and manifest -------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    from wgs_east.resources.check import sha256_of as _sha

    return _sha(path)


def update_manifest(bundle: Path, name: str, entry: dict[str, Any], build: str = "GRCh38") -> Path:
    """Add or replace one source of ``bundle/manifest.yaml`` (created when missing), with the sha256 of
    its file, validated by the manifest's source model (the bundle may still be incomplete)."""
    from pydantic import TypeAdapter, ValidationError

    from wgs_east.resources.manifest import Source

    path = bundle / "manifest.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
    data = data or {"bundle": "wgs-east-grch38", "version": datetime.date.today().strftime("%Y.%m"), "build": build}
    entry = {**entry, "build": build, "sha256": sha256_of(bundle / entry["path"])}
    entry = {k: v for k, v in entry.items() if v is not None}
    try:
        TypeAdapter(Source).validate_python(entry, context={"base_dir": bundle})
    except ValidationError as exc:
        raise InputError(path, [Problem(f"sources.{name}", str(exc))]) from None
    data.setdefault("sources", {})[name] = entry
    tmp = tmp_path(path)
    tmp.write_text("# made by python -m wgs_east.resources.prepare (resources/README.md)\n"
                   + yaml.safe_dump(data, sort_keys=False))  # fmt: skip
    tmp.replace(path)
    return path


def _run(cmd: Sequence[str], **kwargs: Any) -> None:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise InputError(cmd[0], [Problem(" ".join(cmd[:3]), proc.stderr.strip()[-800:])])


def bgzip_tabix_rows(rows: Iterable[str], out: Path, header: str) -> None:
    """Write sorted rows with a ``#`` header, bgzip and tabix (``-s1 -b2 -e2``)."""
    import pysam

    plain = tmp_path(out.with_suffix(""))
    with open(plain, "w") as fh:
        fh.write(header)
        fh.writelines(rows)
    gz = Path(pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True))
    Path(f"{gz}.tbi").replace(f"{out}.tbi")
    gz.replace(out)


def _vcf_contigs(vcf: Path) -> list[str]:
    proc = subprocess.run(["bcftools", "index", "--stats", str(vcf)], capture_output=True, text=True, check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return [line.split("\t")[0] for line in proc.stdout.splitlines()]
    header = subprocess.run(["bcftools", "view", "-h", str(vcf)], capture_output=True, text=True, check=True).stdout
    return [line.split("ID=")[1].split(",")[0].rstrip(">") for line in header.splitlines() if line.startswith("##contig")]


def prepare_gnomad(vcfs: Sequence[Path], out: Path) -> None:
    """gnomAD v4 sites -> a slim, PASS-only VCF: AC, AN, AF, nhomalt, grpmax fields, filtering AF, and
    ``nhemi`` (= ``nhomalt_XY``, the XY carriers, on non-PAR chrX/chrY only; gnomAD's XY genotypes are
    haploid there; elsewhere no nhemi)."""
    keep = ("INFO/AC,INFO/AN,INFO/AF,INFO/nhomalt,INFO/nhomalt_XY,INFO/AF_grpmax,INFO/AN_grpmax,INFO/grpmax,"
            "INFO/fafmax_faf95_max,INFO/fafmax_faf95_max_gen_anc")  # fmt: skip
    work = out.parent / f".{out.name}.parts"
    work.mkdir(exist_ok=True)
    parts: list[str] = []
    for i, vcf in enumerate(vcfs):
        renames = work / f"rename{i}.txt"
        rename_chrs_file(_vcf_contigs(vcf), renames)
        slim = work / f"part{i}.bcf"
        _shell(f"bcftools annotate --no-version --rename-chrs {_q(renames)} -x ^{keep} --output-type u {_q(vcf)}"
               f" | bcftools view --no-version --apply-filters PASS --targets {','.join(PRIMARY)} --output-type b"
               f" --output {_q(slim)} && bcftools index --force {_q(slim)}")  # fmt: skip
        parts.append(_q(slim))
    merged = work / "merged.bcf"
    _shell(f"bcftools concat --no-version --allow-overlaps --output-type b --output {_q(merged)} {' '.join(parts)}"
           f" && bcftools index --force {_q(merged)}")  # fmt: skip
    regions = ",".join(f"{c}:{s}-{e}" for c, s, e in (GRCH38_NON_PAR_X, GRCH38_NON_PAR_Y))
    nhemi, header = work / "nhemi.tsv.gz", work / "nhemi.hdr"
    header.write_text('##INFO=<ID=nhemi,Number=A,Type=Integer,Description="Hemizygous XY individuals '
                      '(nhomalt_XY on non-PAR chrX/chrY)">\n')  # fmt: skip
    _shell(f"bcftools query --regions {regions} --regions-overlap 0 -f '%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/nhomalt_XY\\n'"
           f" {_q(merged)} | bgzip > {_q(nhemi)} && tabix -f -s1 -b2 -e2 {_q(nhemi)}")  # fmt: skip
    _shell(f"bcftools annotate --no-version --header-lines {_q(header)} --annotations {_q(nhemi)}"
           f" --columns CHROM,POS,REF,ALT,INFO/nhemi --output-type u {_q(merged)}"
           f" | bcftools annotate --no-version -x INFO/nhomalt_XY --output-type z --output {_q(out)}.tmp.vcf.gz"
           f" && tabix -f -p vcf {_q(out)}.tmp.vcf.gz && mv {_q(out)}.tmp.vcf.gz.tbi {_q(out)}.tbi"
           f" && mv {_q(out)}.tmp.vcf.gz {_q(out)}")  # fmt: skip
    shutil.rmtree(work)


def prepare_clinvar(vcf: Path, out: Path) -> None:
    """ClinVar VCF -> UCSC contig names, primary chromosomes only, bgzip + tabix."""
    work = out.parent / f".{out.name}.rename.txt"
    rename_chrs_file(_vcf_contigs(vcf), work)
    keep = ",".join(c for c in PRIMARY)
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
           f" | bcftools view --no-version --apply-filters PASS --targets {','.join(PRIMARY)} --output-type z"
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

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--bundle", required=True, help="bundle directory (manifest.yaml is updated)")
        p.add_argument("--name", help="source name in the manifest (default: the command)")
        p.add_argument("--version", required=True, help="upstream version / release")
        p.add_argument("--release-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        p.add_argument("--url", help="where the upstream files came from")
        p.add_argument("--description")
        return p

    p = add("gene-models", "Ensembl GFF3 -> chr-named GFF3 (bgzip)")
    p.add_argument("--gff", required=True)
    p = add("gnomad", "gnomAD v4 sites VCFs -> slim PASS-only sites VCF")
    p.add_argument("--vcf", required=True, nargs="+", type=Path)
    p = add("gnomad-sv", "gnomAD-SV sites VCF -> slim PASS-only SV population VCF (kind sv_population)")
    p.add_argument("--vcf", required=True, type=Path)
    p = add("clinvar", "ClinVar VCF -> chr-named VCF")
    p.add_argument("--vcf", required=True, type=Path)
    p = add("revel", "REVEL CSV (unzipped) -> tabix table")
    p.add_argument("--csv", required=True, type=Path)
    p = add("spliceai", "SpliceAI precomputed VCFs (snv, indel) -> tabix table of max delta scores")
    p.add_argument("--vcf", required=True, nargs="+", type=Path)
    p = add("gene-table", "gnomAD constraint + ClinGen dosage + Gene2Phenotype -> gene table")
    p.add_argument("--constraint", required=True, type=Path, help="gnomad.v4.1.constraint_metrics.tsv")
    p.add_argument("--clingen", required=True, type=Path, help="ClinGen_gene_curation_list_GRCh38.tsv")
    p.add_argument("--g2p", required=True, nargs="+", type=Path, help="Gene2Phenotype panel CSV(s)")
    args = parser.parse_args(argv)
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
    elif args.command == "gnomad":
        out = bundle / "gnomad.sites.vcf.gz"
        prepare_gnomad(args.vcf, out)
        entry = _entry(args, "population", out.name, fields={
            "af": "AF", "an": "AN", "ac": "AC", "nhom": "nhomalt", "nhemi": "nhemi", "popmax_af": "AF_grpmax",
            "popmax_an": "AN_grpmax", "popmax_pop": "grpmax", "faf": "fafmax_faf95_max",
            "faf_pop": "fafmax_faf95_max_gen_anc"})  # fmt: skip
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
        procs = [subprocess.Popen(["bcftools", "query", "-f", "%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/SpliceAI\\n", str(v)],
                                  stdout=subprocess.PIPE, text=True) for v in args.vcf]  # fmt: skip
        rows = (row for p in procs for row in spliceai_rows(p.stdout))  # type: ignore[arg-type]
        bgzip_tabix_rows(max_per_allele(sort_rows(rows), 9), out, SPLICEAI_HEADER)
        if any(p.wait() != 0 for p in procs):
            raise InputError("spliceai", [Problem("", "bcftools query failed on a SpliceAI VCF")])
        entry = _entry(args, "insilico", out.name, score="spliceai",
                       columns={"chrom": "CHROM", "pos": "POS", "ref": "REF", "alt": "ALT", "score": "DS_MAX"})  # fmt: skip
    else:
        rows = build_gene_table(read_table(args.constraint), read_table(args.clingen, header_prefix="#Gene Symbol"),
                                [r for g in args.g2p for r in read_table(g, delimiter=",")])  # fmt: skip
        out = bundle / "gene_table.tsv"
        tmp = tmp_path(out)
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=GENE_TABLE_COLUMNS, delimiter="\t", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        tmp.replace(out)
        entry = _entry(args, "gene_table", out.name)
    manifest = update_manifest(bundle, name, entry)
    print(f"{args.command}: wrote {out}; {manifest} updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_cli(main)
