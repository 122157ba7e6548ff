"""Merge the SV callers into the batch SV VCF and write the per-sample copy-number tables.

    python -m wgs_east.sv.merge --batch-json B.json --fai genome.fa.fai --ref genome.fa \
        --delly FAM1.bcf FAM2.bcf --cnvkit S1=S1.call.cns S2=S2.call.cns --header provenance_header.txt \
        --vcf sv/B.sv.vcf.gz --cnv-tsv S1=sv/S1.cnv.tsv S2=sv/S2.cnv.tsv

Inputs: delly's per-family genotyped BCFs (every member genotyped at every site of the batch, `delly call
-v sites`) and cnvkit's called segments (`cnvkit.py call`, one `.call.cns` per sample). Rules:

- **delly records of one event** (e.g. an inversion's two junctions, 3to3 and 5to5): same SVTYPE and contig,
  reciprocal overlap >= ``min_overlap`` (50 %) and both breakends within ``max_distance`` (500 bp) of the
  cluster's first record; one record is kept (the one with the most read support), each sample's GT, DV, RV
  from the member record where that sample has the most support. Insertions (delly `INS`, bounded by the
  read length) are left to the small-variant caller and dropped.
- **cnvkit segments**: a segment's call is LOSS / GAIN / NEUTRAL against the copies the sample is expected to
  have there (2 on autosomes; chrX 1 in males outside the PARs, 2 in females; chrY 1 in males and samples of
  unknown sex, 0 in females: the karyotype of `wgs_east.ploidy`).
- **across callers**: a delly DEL (DUP) and a cnvkit LOSS (GAIN) segment of a carrier are one event when their
  reciprocal overlap is >= ``min_overlap`` (depth segments end on bin boundaries, so no breakend distance):
  ``CALLERS=delly,cnvkit``, delly's breakpoints. FORMAT/CN of every sample at a DEL/DUP: the copy number of
  the sample's cnvkit segment covering >= half of the event (else `.`). Non-neutral segments of at least
  ``min_bins`` bins that match no delly event become records of their own (``CALLERS=cnvkit``), segments of
  several samples clustered by the same overlap rule; their genotypes follow from the copy number (one copy
  lost or gained: het, two or more: hom; haploid regions: `1`).
- **ploidy**: genotypes are haploid (`0`, `1`) where the sample has one expected copy (male chrX outside the
  PARs, chrY) and missing (`.`) where it has none (female chrY), as for small variants.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

from wgs_east.annotate.io import write_text_atomic
from wgs_east.cnv.population import reciprocal_overlap
from wgs_east.config.models import Batch, Sex
from wgs_east.ploidy import read_fai

SV_TYPES = ("DEL", "DUP", "INV", "BND")
CNV_COLUMNS = ("chrom", "start", "end", "copy_number", "log2", "bins", "call", "caller")

HEADER_LINES = """\
##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="delly: poor quality and insufficient number of read pairs and split reads">
##ALT=<ID=DEL,Description="Deletion">
##ALT=<ID=DUP,Description="Duplication">
##ALT=<ID=INV,Description="Inversion">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant: DEL, DUP, INV or BND">
##INFO=<ID=END,Number=1,Type=Integer,Description="Last base of the event (BND: POS)">
##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length of the event, END - POS; negative for deletions">
##INFO=<ID=CALLERS,Number=.,Type=String,Description="Callers that found the event (delly: read pairs and split reads; cnvkit: read depth)">
##INFO=<ID=PE,Number=1,Type=Integer,Description="Most variant read pairs of any sample (delly FORMAT/DV)">
##INFO=<ID=SR,Number=1,Type=Integer,Description="Most variant split reads of any sample (delly FORMAT/RV)">
##INFO=<ID=CIPOS,Number=2,Type=Integer,Description="Confidence interval around POS (delly)">
##INFO=<ID=CIEND,Number=2,Type=Integer,Description="Confidence interval around END (delly)">
##INFO=<ID=CHR2,Number=1,Type=String,Description="Contig of the second breakend (BND)">
##INFO=<ID=POS2,Number=1,Type=Integer,Description="Position of the second breakend (BND)">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype; haploid where the sample has one expected copy (male chrX outside the PARs, chrY), . where none (female chrY)">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Copy number of the sample's cnvkit segment covering at least half of the event">
##FORMAT=<ID=DV,Number=1,Type=Integer,Description="High-quality variant read pairs (delly)">
##FORMAT=<ID=RV,Number=1,Type=Integer,Description="High-quality variant junction (split) reads (delly)">
"""


# --- ploidy --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Karyotype:
    """Expected copies per sample and position: the same model as `wgs_east.ploidy`."""

    sexes: dict[str, Sex]
    x: str | None
    y: str | None
    pars: list[tuple[int, int]]

    @classmethod
    def from_batch(cls, batch: Batch, lengths: dict[str, int]) -> Karyotype:
        sc = batch.reference.sex_chromosomes
        x = sc.x if sc else None
        pars = batch.par_regions(lengths.get(x) if x else None)
        return cls(
            {s.id: s.sex for s in batch.samples}, x, sc.y if sc else None, [(r.start, r.end) for r in pars]
        )

    def copies(self, sample: str, contig: str, pos: int) -> int:
        """Copies of ``contig`` at 1-based ``pos`` that ``sample`` is expected to have."""
        sex = self.sexes[sample]
        if contig == self.y and self.y is not None:
            return 0 if sex is Sex.female else 1
        if contig == self.x and self.x is not None and sex is Sex.male:
            return 2 if any(a <= pos <= b for a, b in self.pars) else 1
        return 2


def gt_text(alt_copies: int | None, ploidy: int) -> str:
    """Unphased GT for a number of alt alleles (None: not called) at a given ploidy."""
    if ploidy == 0:
        return "."
    if alt_copies is None:
        return "/".join(["."] * ploidy)
    alt_copies = min(alt_copies, ploidy)
    return "/".join(["0"] * (ploidy - alt_copies) + ["1"] * alt_copies)


# --- cnvkit --------------------------------------------------------------------------------------
@dataclass
class Segment:
    sample: str
    chrom: str
    start: int  # 0-based, half-open (cnvkit)
    end: int
    cn: int
    log2: float
    bins: int
    expected: int
    used: bool = False

    @property
    def call(self) -> str:
        return "LOSS" if self.cn < self.expected else "GAIN" if self.cn > self.expected else "NEUTRAL"


def read_segments(sample: str, path: Path, karyotype: Karyotype) -> list[Segment]:
    out = []
    with open(path) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            start, end = int(row["start"]), int(row["end"])
            mid = (start + 1 + end) // 2
            out.append(Segment(sample, row["chromosome"], start, end, int(row["cn"]), float(row["log2"]),
                               int(row["probes"]), karyotype.copies(sample, row["chromosome"], mid)))  # fmt: skip
    return out


def write_cnv_table(
    path: Path, segments: list[Segment], order: dict[str, int], provenance: list[str]
) -> None:
    """All segments (NEUTRAL too) in reference order, 1-based inclusive coordinates."""
    rows = sorted(segments, key=lambda s: (order.get(s.chrom, len(order)), s.start))
    lines = [f"# {line.lstrip('#')}" for line in provenance]
    lines.append(
        "# segments of cnvkit (read depth), every segment including NEUTRAL ones; call against the expected "
        "copies (2; male chrX outside the PARs 1; chrY male 1, female 0)"
    )
    lines.append("\t".join(CNV_COLUMNS))
    lines += [
        f"{s.chrom}\t{s.start + 1}\t{s.end}\t{s.cn}\t{s.log2:.4f}\t{s.bins}\t{s.call}\tcnvkit" for s in rows
    ]
    write_text_atomic(path, "\n".join(lines) + "\n")


# --- delly ---------------------------------------------------------------------------------------
@dataclass
class Event:
    chrom: str
    pos: int  # VCF POS: the base before the event
    end: int
    svtype: str
    id: str
    filter: str = "PASS"
    callers: list[str] = field(default_factory=list)
    cipos: tuple[int, int] | None = None
    ciend: tuple[int, int] | None = None
    chr2: str | None = None
    pos2: int | None = None
    alt: str | None = None  # breakend notation of BND
    alt_copies: dict[str, int | None] = field(default_factory=dict)  # sample -> alt alleles (diploid terms)
    dv: dict[str, int | None] = field(default_factory=dict)
    rv: dict[str, int | None] = field(default_factory=dict)
    cn: dict[str, int | None] = field(default_factory=dict)

    def support(self, sample: str | None = None) -> int:
        samples = [sample] if sample else list(self.dv)
        return sum((self.dv.get(s) or 0) + (self.rv.get(s) or 0) for s in samples)


def reciprocal(a: tuple[int, int], b: tuple[int, int], fraction: float) -> bool:
    """Half-open intervals sharing at least ``fraction`` of each one's length (the rule of the CNV population
    frequency, `wgs_east.cnv.population.reciprocal_overlap`)."""
    return reciprocal_overlap(a[0] + 1, a[1], b[0] + 1, b[1]) >= fraction


def read_delly(paths: Sequence[Path]) -> list[Event]:
    """Sites of the family BCFs (the same batch-wide site list in each), every member's genotype."""
    sites: dict[str, Event] = {}
    for path in paths:
        with pysam.VariantFile(str(path)) as vcf:
            for rec in vcf:
                svtype = rec.info.get("SVTYPE")
                if svtype not in SV_TYPES:
                    continue
                ev = sites.get(rec.id)
                if ev is None:
                    bnd = svtype == "BND"
                    ev = Event(rec.chrom, rec.pos, rec.pos if bnd else rec.stop, svtype, rec.id,
                               ";".join(rec.filter.keys()) or "PASS", ["delly"],
                               tuple(rec.info["CIPOS"]) if "CIPOS" in rec.info else None,
                               tuple(rec.info["CIEND"]) if "CIEND" in rec.info else None,
                               rec.info.get("CHR2") if bnd else None, rec.info.get("POS2") if bnd else None,
                               rec.alts[0] if bnd and rec.alts else None)  # fmt: skip
                    sites[rec.id] = ev
                for sample, call in rec.samples.items():
                    gt = call.get("GT") or (None,)
                    ev.alt_copies[sample] = None if None in gt else sum(1 for a in gt if a)
                    ev.dv[sample] = call.get("DV")
                    ev.rv[sample] = call.get("RV")
    return list(sites.values())


def cluster_delly(events: list[Event], min_overlap: float, max_distance: int) -> list[Event]:
    """One event per cluster of records of the same type whose breakends lie within ``max_distance`` and
    that overlap reciprocally by ``min_overlap`` (BND: both breakends within ``max_distance``)."""
    events = sorted(events, key=lambda e: (e.chrom, e.pos, e.end))
    clusters: list[list[Event]] = []
    for ev in events:
        for cl in clusters:
            first = cl[0]
            if first.chrom != ev.chrom or first.svtype != ev.svtype:
                continue
            near = abs(first.pos - ev.pos) <= max_distance and abs(first.end - ev.end) <= max_distance
            if ev.svtype == "BND":
                same = (
                    near and first.chr2 == ev.chr2 and abs((first.pos2 or 0) - (ev.pos2 or 0)) <= max_distance
                )
            else:
                same = near and reciprocal((first.pos, first.end), (ev.pos, ev.end), min_overlap)
            if same:
                cl.append(ev)
                break
        else:
            clusters.append([ev])
    out = []
    for cl in clusters:
        best = max(cl, key=lambda e: e.support())
        for sample in best.alt_copies:
            src = max(cl, key=lambda e: (e.support(sample), e is best))
            best.alt_copies[sample], best.dv[sample], best.rv[sample] = (
                src.alt_copies.get(sample), src.dv.get(sample), src.rv.get(sample))  # fmt: skip
        out.append(best)
    return out


# --- merging -------------------------------------------------------------------------------------
def merge_callers(
    events: list[Event], segments: dict[str, list[Segment]], samples: list[str], min_overlap: float,
    min_bins: int = 1,
) -> list[Event]:  # fmt: skip
    """Attach cnvkit's copy numbers and support to delly's DEL/DUP; add cnvkit-only events (of at least
    ``min_bins`` bins)."""
    direction = {"DEL": "LOSS", "DUP": "GAIN"}
    for ev in events:
        ev.cn = {s: None for s in samples}
        if ev.svtype not in direction:
            continue
        span = (ev.pos, ev.end)
        for s in samples:
            for seg in segments.get(s, []):
                if seg.chrom != ev.chrom:
                    continue
                if min(seg.end, span[1]) - max(seg.start, span[0]) >= 0.5 * (span[1] - span[0]):
                    ev.cn[s] = seg.cn
                if seg.call == direction[ev.svtype] and reciprocal((seg.start, seg.end), span, min_overlap):
                    seg.used = True
                    if (ev.alt_copies.get(s) or 0) > 0 and "cnvkit" not in ev.callers:
                        ev.callers.append("cnvkit")
    # non-neutral segments no delly event explains: clustered across samples
    leftovers = sorted((seg for segs in segments.values() for seg in segs
                        if seg.call != "NEUTRAL" and not seg.used and seg.bins >= min_bins),
                       key=lambda g: (g.chrom, g.start, g.sample))  # fmt: skip
    clusters: list[list[Segment]] = []
    for seg in leftovers:
        for cl in clusters:
            if (cl[0].chrom == seg.chrom and cl[0].call == seg.call
                    and reciprocal((cl[0].start, cl[0].end), (seg.start, seg.end), min_overlap)):  # fmt: skip
                cl.append(seg)
                break
        else:
            clusters.append([seg])
    for n, cl in enumerate(clusters, start=1):
        first = cl[0]
        svtype = "DEL" if first.call == "LOSS" else "DUP"
        ev = Event(first.chrom, max(first.start, 1), first.end, svtype, f"CNVKIT{n:06d}", callers=["cnvkit"])
        span = (first.start, first.end)
        for s in samples:
            ev.dv[s] = ev.rv[s] = None
            ev.cn[s] = None
            ev.alt_copies[s] = None
            own = next((g for g in cl if g.sample == s), None)
            cover = own or next((g for g in segments.get(s, []) if g.chrom == ev.chrom
                                 and min(g.end, span[1]) - max(g.start, span[0]) >= 0.5 * (span[1] - span[0])),
                                None)  # fmt: skip
            if cover is None:
                continue
            ev.cn[s] = cover.cn
            change = cover.expected - cover.cn if svtype == "DEL" else cover.cn - cover.expected
            ev.alt_copies[s] = max(change, 0) if cover.expected == 2 else (1 if change > 0 else 0)
        events.append(ev)
    return events


def record_line(ev: Event, samples: list[str], karyotype: Karyotype, ref: pysam.FastaFile) -> str | None:
    """The VCF line of an event; None when no sample carries it (after the ploidy)."""
    gts, carriers = [], 0
    for s in samples:
        ploidy = karyotype.copies(s, ev.chrom, ev.pos + 1)
        alt = ev.alt_copies.get(s)
        if alt is not None and ploidy == 1:
            alt = 1 if alt > 0 else 0  # a haploid region: any alt allele is the one allele
        gt = gt_text(alt, ploidy)
        carriers += "1" in gt
        fmt = [gt] + ["." if v is None else str(v) for v in (ev.cn.get(s), ev.dv.get(s), ev.rv.get(s))]
        gts.append(":".join(fmt))
    if not carriers:
        return None
    length = ev.end - ev.pos
    info = [f"SVTYPE={ev.svtype}", f"END={ev.end}"]
    if ev.svtype != "BND":
        info.append(f"SVLEN={-length if ev.svtype == 'DEL' else length}")
    info.append(f"CALLERS={','.join(ev.callers)}")
    dv = [v for v in ev.dv.values() if v is not None]
    rv = [v for v in ev.rv.values() if v is not None]
    if dv:
        info.append(f"PE={max(dv)}")
    if rv:
        info.append(f"SR={max(rv)}")
    if ev.cipos:
        info.append(f"CIPOS={ev.cipos[0]},{ev.cipos[1]}")
    if ev.ciend:
        info.append(f"CIEND={ev.ciend[0]},{ev.ciend[1]}")
    if ev.svtype == "BND" and ev.chr2:
        info += [f"CHR2={ev.chr2}", f"POS2={ev.pos2}"]
    ref_base = ref.fetch(ev.chrom, ev.pos - 1, ev.pos).upper() or "N"
    alt = ev.alt if ev.svtype == "BND" and ev.alt else f"<{ev.svtype}>"
    return "\t".join([ev.chrom, str(ev.pos), ev.id, ref_base, alt, ".", ev.filter, ";".join(info),
                      "GT:CN:DV:RV", *gts])  # fmt: skip


def sample_counts(lines: list[str], samples: list[str], segments: dict[str, list[Segment]]) -> dict[str, Any]:
    """QC counts per sample: SV records carried (all, per type) and non-neutral copy-number segments."""
    out: dict[str, dict[str, int]] = {
        s: {"sv_calls": 0, **{f"sv_{t.lower()}": 0 for t in SV_TYPES}} for s in samples
    }
    for line in lines:
        cols = line.split("\t")
        svtype = cols[7].split(";", 1)[0].removeprefix("SVTYPE=")
        for s, value in zip(samples, cols[9:], strict=True):
            if "1" in value.split(":", 1)[0]:
                out[s]["sv_calls"] += 1
                out[s][f"sv_{svtype.lower()}"] += 1
    for s in samples:
        out[s]["cnv_segments"] = sum(g.call != "NEUTRAL" for g in segments.get(s, []))
    return {"samples": out}


def write_vcf(path: Path, lines: list[str], header: str) -> None:
    """bgzip + tabix, written under temporary names and renamed (index first, then the VCF)."""
    plain = path.with_name(f".{path.name}.tmp.vcf")
    plain.write_text(header + "".join(line + "\n" for line in lines))
    tmp_gz = path.with_name(f".{path.name}.tmp.vcf.gz")
    pysam.tabix_compress(str(plain), str(tmp_gz), force=True)
    pysam.tabix_index(str(tmp_gz), preset="vcf", force=True)
    plain.unlink()
    os.replace(f"{tmp_gz}.tbi", f"{path}.tbi")
    os.replace(tmp_gz, path)


def _pairs(values: Sequence[str], what: str) -> dict[str, Path]:
    out = {}
    for v in values:
        name, sep, path = v.partition("=")
        if not sep:
            raise SystemExit(f"wgs_east.sv.merge: {what} must be SAMPLE=PATH, got {v!r}")
        out[name] = Path(path)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True)
    ap.add_argument("--fai", type=Path, required=True)
    ap.add_argument("--ref", type=Path, required=True)
    ap.add_argument("--delly", type=Path, nargs="+", required=True, help="per-family genotyped BCFs")
    ap.add_argument("--cnvkit", nargs="+", required=True, help="SAMPLE=PATH of cnvkit .call.cns")
    ap.add_argument("--header", type=Path, required=True, help="provenance header lines (##...)")
    ap.add_argument("--vcf", type=Path, required=True)
    ap.add_argument("--cnv-tsv", nargs="+", required=True, help="SAMPLE=PATH of the copy-number tables")
    ap.add_argument("--metrics", type=Path, help="per-sample counts for QC (JSON)")
    ap.add_argument("--min-overlap", type=float, default=0.5)
    ap.add_argument("--max-distance", type=int, default=500)
    ap.add_argument("--min-bins", type=int, default=4, help="fewest bins of a cnvkit-only event")
    args = ap.parse_args(argv)

    batch = Batch.model_validate_json(args.batch_json.read_text())
    lengths = read_fai(args.fai)
    order = {c: i for i, c in enumerate(lengths)}
    karyotype = Karyotype.from_batch(batch, lengths)
    samples = batch.sample_ids
    provenance = [line for line in args.header.read_text().splitlines() if line.startswith("##")]
    segments = {s: read_segments(s, p, karyotype) for s, p in _pairs(args.cnvkit, "--cnvkit").items()}
    for s, path in _pairs(args.cnv_tsv, "--cnv-tsv").items():
        write_cnv_table(path, segments.get(s, []), order, provenance)
    events = cluster_delly(read_delly(args.delly), args.min_overlap, args.max_distance)
    events = merge_callers(events, segments, samples, args.min_overlap, args.min_bins)
    events.sort(key=lambda e: (order.get(e.chrom, len(order)), e.pos, e.end, e.svtype))
    with pysam.FastaFile(str(args.ref)) as ref:
        lines = [x for ev in events if (x := record_line(ev, samples, karyotype, ref)) is not None]
    header = HEADER_LINES + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in lengths.items())
    header += "".join(line + "\n" for line in provenance)
    rule = f"reciprocal overlap >= {args.min_overlap:g}, breakends within {args.max_distance} bp"
    header += f"##wgs-east_sv_merge={rule}, depth-only events >= {args.min_bins} bins\n"
    header += (
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]) + "\n"
    )
    write_vcf(args.vcf, lines, header)
    if args.metrics:
        write_text_atomic(args.metrics, json.dumps(sample_counts(lines, samples, segments), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
