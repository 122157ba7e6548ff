"""Annotate and classify the structural variants of one affected sample: the code behind
``wgs-east classify-sv`` (and ``python -m wgs_east.cnv.sv`` for the workflow).

    python -m wgs_east.cnv.sv --vcf sv/B.sv.vcf.gz --batch-json .wgs-east/batch.json \\
        --run-json .wgs-east/run.json --qc qc/B.qc.json --resources BUNDLE/manifest.yaml --sample S \\
        --out-tsv classified/S.sv.tsv --out-json classified/S.sv.json

For every event the sample carries (:mod:`.events`, GT with a non-reference allele):

- **annotation**: the genes whose rank-1 transcript (MANE Select > Ensembl canonical > longest CDS, as for
  small variants) overlaps it and the exons hit (numbered in transcript order), the gene table's ClinGen
  HI and TS scores, the population frequency from the bundle's ``sv_population`` source
  (:mod:`.population`: same type, reciprocal overlap >= 50 %, copy-number changes only), the bundle's
  ClinVar records of >= 50 bp or with a symbolic ALT of the same type that overlap it;
- **inheritance** from the family's genotypes (:func:`.events.inheritance`);
- **classification**: a deletion (``DEL``, or ``CNV`` with fewer copies than expected) or duplication
  (``DUP``, or more copies) is scored with the ClinGen CNV points (:func:`.scoring.score_cnv`, Riggs et
  al. 2020 Tables 1-2: sections 1-5, each item with its evidence, class by the tables' bands); the
  phenotype's fit is not known here (``unknown``, see scoring.py). An inversion or breakend whose
  breakpoint lies inside a gene's transcribed region is a candidate listed with the genes and the
  inheritance, without points (the CNV tables score copy number, not rearrangements). Other events are
  listed, not scored.

Outputs: the TSV (``#`` header lines: the same sample / QC verdict / parentage / provenance lines as
``classified/{sample}.tsv``, then one row per event: :data:`SV_COLUMNS`, ranked) and the JSON (the same
rows with the evidence as records, plus sample, QC, parents, provenance and counts); both written
atomically. Bad input: one message naming the file and field, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from wgs_east.annotate.clinvar import stars
from wgs_east.classify import output
from wgs_east.classify.pedigree import Proband, probands, read_qc
from wgs_east.classify.run import acmg_settings, provenance_record
from wgs_east.cnv.classify import bundle_genes
from wgs_east.cnv.events import Segment, SvCall, informative_parents, inheritance, read_calls, read_segments
from wgs_east.cnv.population import population_frequency, read_region, reciprocal_overlap
from wgs_east.cnv.scoring import CLASS_ORDER, Cnv, CnvScore, CnvType, Gene, overlaps, score_cnv
from wgs_east.config.load import file_sha256
from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem
from wgs_east.resources.manifest import Clinvar, Manifest, load_manifest, read_manifest

MIN_SEGMENT_OVERLAP = 0.5
"""Reciprocal overlap of an event and a copy-number segment for the segment's copy number to be used."""
MIN_SV_LENGTH = 50
"""A ClinVar record is a structural variant when its ALT is symbolic or its length change is >= 50 bp
(the usual SV size cut-off, as in gnomAD-SV and truvari's default ``--sizemin``)."""
CANDIDATE = "Candidate (gene broken)"
NOT_SCORED = "Not scored (no gene broken)"
RANK = {**{c: i for i, c in enumerate(CLASS_ORDER)}, CANDIDATE: 2.5, NOT_SCORED: 5}
REPORTED = frozenset({"Pathogenic", "Likely pathogenic", "Uncertain significance", CANDIDATE})
SV_RULE = (
    "one row per structural variant the sample carries (batch SV VCF, GT non-reference); deletions and "
    "duplications scored with the ClinGen CNV points (Riggs et al. 2020 Tables 1-2, sections 1-5, 4A-4N "
    "never automatic, phenotype fit unknown); inversions and breakends with a breakpoint inside a gene listed "
    "as candidates without points. Ranked by class (Pathogenic first; gene-breaking candidates after VUS), "
    "then position. The report lists P/LP/VUS copy-number changes and gene-breaking candidates."
)
SV_COLUMNS: tuple[str, ...] = (
    "rank", "sample", "qc_verdict", "id", "chrom", "start", "end", "svtype", "size", "filter", "genotype",
    "zygosity", "copy_number", "callers", "pe", "sr", "genes", "exons", "dosage", "breakpoints", "inheritance",
    "father_genotype", "mother_genotype", "population_af", "population_match", "clinvar", "section1",
    "section2", "section3", "section4", "section5", "total", "classification", "codes", "candidate", "evidence",
)  # fmt: skip
"""Columns of ``classified/{sample}.sv.tsv``."""


# --- annotation ---------------------------------------------------------------------------------------
def _ranges(numbers: Sequence[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if out and n == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ",".join(out)


def exons_hit(g: Gene, start: int, end: int) -> str:
    """``SYNAD1 ENST..: exons 2-5 of 6`` (transcript order), or ``... intronic``."""
    hit = [i for i, (s, e) in enumerate(g.model.exons, start=1) if overlaps(start, end, s, e)]
    n = len(g.model.exons)
    what = (f"all {n} exons" if len(hit) == n else f"exon{'s' if len(hit) > 1 else ''} {_ranges(hit)} of {n}") if hit else "no exon (intronic)"
    return f"{g.symbol} {g.model.transcript_id}: {what}"


def breakpoint_in(g: Gene, pos: int) -> str | None:
    """Where the junction after ``pos`` falls in ``g`` (exon n / intron n, transcript order), or None when
    it is outside the transcribed region."""
    if not (g.start <= pos < g.end):
        return None
    exons = g.model.exons
    for i, (s, e) in enumerate(exons, start=1):
        if s <= pos <= e and (s <= pos + 1 <= e):
            return f"exon {i}"
    order = sorted(range(len(exons)), key=lambda i: exons[i][0])
    for a, b in zip(order, order[1:], strict=False):
        if exons[a][1] <= pos < exons[b][0]:
            return f"intron {min(a, b) + 1}"
    return "exon boundary"


def dosage_text(g: Gene) -> str:
    def score(v: int | None) -> str:
        return "." if v is None else str(v)

    return f"{g.symbol} HI {score(g.hi)} TS {score(g.ts)}"


@dataclass(frozen=True)
class ClinvarSvs:
    """The bundle's ClinVar source as SV evidence: the records of >= 50 bp or with a symbolic ALT."""

    path: Path | None
    version: str
    available: bool
    why: str

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> ClinvarSvs:
        found = manifest.one("clinvar")
        if found is None:
            return cls(None, "", False, "not available: the bundle has no ClinVar source")
        name, src = found
        assert isinstance(src, Clinvar)
        has = _first_sv_record(src.path) is not None
        why = "" if has else (f"not available: the bundle's ClinVar ({name} {src.version}) holds no record of >= "
                              f"{MIN_SV_LENGTH} bp nor a symbolic allele")  # fmt: skip
        return cls(src.path, f"{name} {src.version}", has, why)

    def overlapping(self, chrom: str, start: int, end: int, kind: CnvType) -> str:
        if not self.available or self.path is None:
            return self.why
        hits = []
        for rec, (r_start, r_end, r_kind) in _sv_records(self.path, chrom, start, end):
            if r_kind != kind or not overlaps(start, end, r_start, r_end):
                continue
            sig = rec.info.get("CLNSIG") or ("",)
            rev = rec.info.get("CLNREVSTAT") or ("",)
            sig_text = "|".join(sig) if isinstance(sig, tuple) else str(sig)
            rev_text = ",".join(rev) if isinstance(rev, tuple) else str(rev)
            ro = reciprocal_overlap(start, end, r_start, r_end)
            hits.append(f"{rec.id} {sig_text} ({stars(rev_text)} stars) {rec.chrom}:{r_start}-{r_end} RO {ro:.2f}")
        return "; ".join(hits) if hits else f"none of the same type overlapping ({self.version})"


def _sv_kind(rec: Any) -> tuple[int, int, CnvType] | None:
    """Affected interval and type of a ClinVar record that is an SV (None otherwise)."""
    alt = str(rec.alts[0]) if rec.alts else ""
    vc = str(rec.info.get("CLNVC") or "").lower() if "CLNVC" in rec.header.info else ""
    if alt.startswith("<"):
        kind = CnvType.loss if "DEL" in alt or "loss" in vc else CnvType.gain if "DUP" in alt or "gain" in vc else None
        return (rec.pos + 1, rec.stop, kind) if kind else None
    diff = len(rec.ref) - len(alt)
    if diff >= MIN_SV_LENGTH:
        return rec.pos + 1, rec.pos + len(rec.ref) - 1, CnvType.loss
    if -diff >= MIN_SV_LENGTH and ("duplication" in vc or "gain" in vc):
        return rec.pos + 1, rec.pos - diff, CnvType.gain
    return None


def _first_sv_record(path: Path) -> Any:
    import pysam

    with pysam.VariantFile(str(path)) as vcf:
        for rec in vcf:
            if _sv_kind(rec) is not None:
                return rec.pos
    return None


def _sv_records(path: Path, chrom: str, start: int, end: int) -> list[tuple[Any, tuple[int, int, CnvType]]]:
    import pysam

    out = []
    with pysam.VariantFile(str(path)) as vcf:
        try:
            found = list(vcf.fetch(chrom, max(start - 1, 0), end))
        except ValueError:
            return []
        for rec in found:
            kind = _sv_kind(rec)
            if kind is not None:
                out.append((rec, kind))
    return out


# --- classification ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    proband: Proband
    genes: dict[str, list[Gene]]
    """Contig -> its genes (each event looks at its own contig's genes only)."""
    manifest: Manifest
    clinvar: ClinvarSvs
    x: str | None
    y: str | None
    pars: tuple[tuple[int, int], ...]
    segments: tuple[Segment, ...] = ()
    """The sample's copy-number segments (``sv/{sample}.cnv.tsv``), when given."""


def segment_copy_number(call: SvCall, segments: Sequence[Segment]) -> tuple[int, str] | None:
    """The copy number of the segment overlapping the event reciprocally by >= 50 % (the best overlap),
    for an event without FORMAT/CN."""
    best = max(((reciprocal_overlap(call.start, call.end, g.start, g.end), g) for g in segments
                if g.chrom == call.chrom and g.copy_number is not None), key=lambda t: t[0], default=None)  # fmt: skip
    if best is None or best[0] < MIN_SEGMENT_OVERLAP:
        return None
    ro, g = best
    return g.copy_number, f"copy number {g.copy_number} from the segment {g.chrom}:{g.start}-{g.end} ({g.caller}, RO {ro:.2f})"  # type: ignore[return-value]


def expected_copies(roles: tuple[str, ...]) -> int:
    """Reference copy number at an event with these informative parents: 1 where the proband is haploid
    (a son's chrX outside the PARs, chrY: one informative parent), else 2."""
    return 1 if len(roles) == 1 else 2


def cnv_kind(call: SvCall, expected: int) -> CnvType | None:
    if call.svtype == "DEL":
        return CnvType.loss
    if call.svtype == "DUP":
        return CnvType.gain
    if call.svtype == "CNV" and call.copy_number is not None and call.copy_number != expected:
        return CnvType.loss if call.copy_number < expected else CnvType.gain
    return None


def scoring_copy_number(call: SvCall, kind: CnvType, expected: int) -> tuple[int | None, str]:
    """Copy number for the CNV points (only 0 changes a score: a homozygous loss, scoring.py): FORMAT/CN,
    else from the genotype of a deletion (homozygous or hemizygous -> 0, heterozygous -> expected - 1)."""
    if call.copy_number is not None:
        return call.copy_number, f"FORMAT/CN {call.copy_number}"
    if kind == CnvType.loss:
        alt = sum(1 for a in call.gt.alleles if a)
        cn = max(expected - alt, 0)
        return cn, f"copy number {cn} from GT {call.gt.text} (no FORMAT/CN)"
    return None, "copy number not given"


def classify_call(call: SvCall, ctx: Context) -> dict[str, Any]:
    p = ctx.proband
    roles = informative_parents(call.chrom, call.start, p, ctx.x, ctx.y, ctx.pars)
    inh, inh_text = inheritance(call, p, roles)
    seg_note = ""
    if call.copy_number is None and call.svtype in ("DEL", "DUP", "CNV") and ctx.segments:
        found = segment_copy_number(call, ctx.segments)
        if found is not None:
            call, seg_note = replace(call, copy_number=found[0]), found[1]
    expected = expected_copies(roles)
    kind = cnv_kind(call, expected)
    genes = ctx.genes.get(call.chrom, [])
    near = [g for g in genes if overlaps(call.start, call.end, g.start, g.end)] if call.svtype not in ("BND", "INS") else []
    junctions = [call.pos, call.end] if call.svtype in ("DEL", "DUP", "CNV", "INV") else [call.pos]
    broken = []
    for j in junctions:
        for g in genes:
            where = breakpoint_in(g, j)
            if where:
                broken.append((g, f"{g.symbol} {g.model.transcript_id} {where} ({call.chrom}:{j}^{j + 1})"))
    if call.mate is not None:
        for g in ctx.genes.get(call.mate[0], []):
            if (where := breakpoint_in(g, call.mate[1])):
                broken.append((g, f"{g.symbol} {g.model.transcript_id} {where} (mate {call.mate[0]}:{call.mate[1]})"))
    involved = {g.symbol: g for g in near + [g for g, _ in broken]}
    row: dict[str, Any] = {
        "sample": p.sample, "qc_verdict": p.qc.verdict, "id": call.id, "chrom": call.chrom, "start": call.start,
        "end": call.end, "svtype": call.svtype, "size": call.size, "filter": call.filter, "genotype": call.gt.text,
        "zygosity": call.gt.zygosity, "copy_number": "." if call.copy_number is None else call.copy_number,
        "callers": ",".join(call.callers) or ".", "pe": "." if call.pe is None else call.pe,
        "sr": "." if call.sr is None else call.sr,
        "genes": ",".join(involved) or ".",
        "exons": "; ".join(exons_hit(g, call.start, call.end) for g in near) or ".",
        "dosage": "; ".join(dosage_text(g) for g in involved.values()) or ".",
        "breakpoints": "; ".join(t for _, t in broken) or ".",
        "inheritance": inh_text, "father_genotype": call.parent_text("father"), "mother_genotype": call.parent_text("mother"),
        "population_af": ".", "population_match": ".", "clinvar": ".",
        **{f"section{k}": "." for k in range(1, 6)}, "total": ".", "codes": "",
    }  # fmt: skip
    notes = [f"inheritance: {inh_text}"]
    evidence: list[dict[str, Any]] = []
    if kind is not None:
        cn, cn_text = scoring_copy_number(call, kind, expected)
        cn_text = seg_note or cn_text
        if call.copy_number is not None and ((kind == CnvType.loss) != (call.copy_number < expected)):
            notes.append(f"FORMAT/CN {call.copy_number} does not agree with SVTYPE {call.svtype} (expected {expected} "
                         "copies); scored as the SVTYPE says")  # fmt: skip
        cnv = Cnv(call.chrom, call.start, call.end, kind, copy_number=cn, inheritance=inh)
        match = None
        sv_source = ctx.manifest.one("sv_population")
        if sv_source is not None:
            records = read_region(sv_source[1].path, call.chrom, call.start, call.end, sv_source[1].fields)
            match = population_frequency(call.chrom, call.start, call.end, kind, records)
            row["population_match"] = f"{match.record.id} (RO {match.overlap:.2f})" if match else "none (reciprocal overlap >= 50 %, same type)"
        else:
            row["population_match"] = "not available: the bundle has no sv_population source"
        row["population_af"] = f"{match.frequency:.6g}" if match else "."
        row["clinvar"] = ctx.clinvar.overlapping(call.chrom, call.start, call.end, kind)
        # the genes overlapping the event are all score_cnv looks at (no curated regions given)
        score: CnvScore = score_cnv(cnv, near, population_af=match.frequency if match else None)
        row.update({f"section{k}": f"{score.sections.get(k, 0.0):.2f}" for k in range(1, 6)})
        row.update(total=f"{score.total:.2f}", classification=score.classification, codes=",".join(score.codes()))
        notes.append(f"{kind.value}: {cn_text}")
        evidence = [{"code": e.code, "section": e.section, "points": e.points, "counted": e.counted, "text": e.text}
                    for e in score.evidence]  # fmt: skip
        row["evidence"] = score.trail()
    elif broken and call.svtype in ("INV", "BND"):
        row["classification"] = CANDIDATE
        row["evidence"] = (f"{call.svtype} breaks {', '.join(dict.fromkeys(g.symbol for g, _ in broken))}: "
                           f"{'; '.join(t for _, t in broken)}; no points (the ClinGen CNV points score copy-number "
                           "changes, not rearrangements)")  # fmt: skip
    else:
        row["classification"] = NOT_SCORED
        why = "no breakpoint inside a gene" if call.svtype in ("INV", "BND") else f"SVTYPE {call.svtype} is not scored"
        if call.svtype == "CNV":
            why = f"copy number {row['copy_number']} against {expected} expected: no loss or gain to score"
        row["evidence"] = why
    row["candidate"] = "yes" if row["classification"] in REPORTED else "no"
    row["evidence"] = "; ".join([row["evidence"], *notes]).replace("\t", " ")
    row["_records"] = evidence
    row["_notes"] = notes
    return row


def rank_rows(rows: list[dict[str, Any]], contigs: Sequence[str]) -> list[dict[str, Any]]:
    order = {c: i for i, c in enumerate(contigs)}
    rows = sorted(rows, key=lambda r: (RANK[r["classification"]], order.get(r["chrom"], len(order)), r["start"], r["end"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


# --- outputs -----------------------------------------------------------------------------------------------
def json_document(rows: list[dict[str, Any]], p: Proband, provenance: dict[str, Any], clinvar: ClinvarSvs,
                  n_calls: int, method: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    events = []
    for r in rows:
        e = {k: r[k] for k in SV_COLUMNS if k not in ("sample", "qc_verdict", "evidence")}
        e["sections"] = {k: (None if r[f"section{k}"] == "." else float(r[f"section{k}"])) for k in range(1, 6)}
        e["total"] = None if r["total"] == "." else float(r["total"])
        e["candidate"] = r["candidate"] == "yes"
        e["genes"] = [] if r["genes"] == "." else r["genes"].split(",")
        e["callers"] = [] if r["callers"] == "." else r["callers"].split(",")
        e["evidence"] = r["_records"]
        e["notes"] = r["_notes"]
        e["trail"] = r["evidence"]
        events.append(e)
    classes = {c: sum(1 for r in rows if r["classification"] == c) for c in (*CLASS_ORDER, CANDIDATE, NOT_SCORED)}
    qc = p.qc
    return output._clean({
        "sample": p.sample, "family": p.family, "sex": p.sex, "affected": True, "phenotypes": list(p.phenotypes),
        "qc_verdict": qc.verdict,
        "qc": {"verdict": qc.verdict, "reasons": list(qc.reasons), "parentage_confirmed": qc.parentage_confirmed,
               "parentage_note": qc.parentage_note},
        "parents": {"father": {"id": p.father, "affected": p.father_affected},
                    "mother": {"id": p.mother, "affected": p.mother_affected},
                    "declared_but_not_in_vcf": list(p.missing_parents)},
        "provenance": provenance, "reporting_rule": SV_RULE, "method": method,
        "clinvar_svs": clinvar.version if clinvar.available else clinvar.why,
        "counts": {"events_carried": n_calls, "listed": len(rows), "reported": sum(1 for r in rows if r["candidate"] == "yes"),
                   "classes": classes},
        "events": events,
    })  # fmt: skip


def classify_sample(
    vcf: Path, batch: Batch, sample: str, manifest_path: Path, *, provenance: dict[str, Any],
    qc_json: Path | None = None, cnv_tsv: Path | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any], Proband]:  # fmt: skip
    """Rows (ranked) and the JSON document of one affected sample's SVs."""
    from wgs_east.classify.reader import read_header

    header = read_header(vcf)
    qc = read_qc(qc_json)
    p = probands(batch, header.samples, qc, [sample])[0]
    manifest = load_manifest(manifest_path)
    calls = read_calls(vcf, p.sample, p.father, p.mother)
    segments = tuple(read_segments(cnv_tsv)) if cnv_tsv is not None else ()
    sc = batch.reference.sex_chromosomes
    x, y = (sc.x, sc.y) if sc is not None else (None, None)
    pars = tuple((r.start, r.end) for r in batch.par_regions(header.contigs.get(x) if x else None) if r.contig == x)
    by_chrom: dict[str, list[Gene]] = {}
    for g in bundle_genes(manifest):
        by_chrom.setdefault(g.chrom, []).append(g)
    ctx = Context(p, by_chrom, manifest, ClinvarSvs.from_manifest(manifest), x, y, pars, segments)
    rows = rank_rows([classify_call(c, ctx) for c in calls], list(header.contigs))
    sv_pop = manifest.one("sv_population")
    method = {
        "genes": "rank-1 transcript per gene of the bundle's gene models; HI/TS from the gene table",
        "population": f"{sv_pop[0]} {sv_pop[1].version}: same type, reciprocal overlap >= 50 %" if sv_pop
        else "not available: the bundle has no sv_population source",
        "clinvar": ctx.clinvar.version + f": records >= {MIN_SV_LENGTH} bp or symbolic, same type, any overlap"
        if ctx.clinvar.available else ctx.clinvar.why,
        "points": "ClinGen CNV points, Riggs et al. 2020 Genet Med 22:245, Tables 1-2 (wgs_east.cnv.scoring)",
        "copy_number": "FORMAT/CN; without it " + (f"the segment of {cnv_tsv} overlapping >= 50 % reciprocally, "
                       if cnv_tsv is not None else "") + "else from the genotype of a deletion",
        "phenotype": "phenotype fit not assessed (unknown): de novo scored at the 4C level, inherited 5C",
    }  # fmt: skip
    return rows, json_document(rows, p, provenance, ctx.clinvar, len(calls), method), p


def write_outputs(rows: list[dict[str, Any]], doc: dict[str, Any], p: Proband, provenance: dict[str, Any],
                  out_tsv: Path, out_json: Path) -> None:  # fmt: skip
    frame = pd.DataFrame([{k: r[k] for k in SV_COLUMNS} for r in rows], columns=list(SV_COLUMNS)).astype(str)
    output.write_tsv(out_tsv, frame, p, provenance, rule=SV_RULE)
    output.atomic_write_text(out_json, json.dumps(doc, indent=2, allow_nan=False, default=str) + "\n")


# --- command line ------------------------------------------------------------------------------------------
def command_line(args: argparse.Namespace) -> str:
    """The command as given (for the provenance when no run facts are given)."""
    parts = ["wgs-east", "classify-sv"]
    for key in ("vcf", "sample", "batch_json", "config", "run_json", "qc", "resources", "cnv", "out_tsv", "out_json"):
        value = getattr(args, key, None)
        if value is not None:
            parts += ["--" + key.replace("_", "-"), str(value)]
    return shlex.join(parts)


def run(args: argparse.Namespace) -> int:
    """``wgs-east classify-sv`` / ``python -m wgs_east.cnv.sv``."""
    from wgs_east.runner import git_commit

    if args.batch_json is not None:
        try:
            batch = Batch.model_validate_json(args.batch_json.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(args.batch_json, [Problem("", f"not a valid batch JSON: {exc}")]) from None
        config, config_sha = "", ""
    else:
        from wgs_east.config import load_batch

        batch = load_batch(args.config, check_inputs=False)
        config, config_sha = str(args.config.resolve()), file_sha256(args.config)
    run_facts: dict[str, Any] = {}
    if args.run_json is not None:
        try:
            run_facts = json.loads(args.run_json.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(args.run_json, [Problem("", f"not a valid run JSON: {exc}")]) from None
    if not args.resources.is_file() and not args.resources.is_dir():
        raise InputError(args.resources, [Problem("", "resource manifest not found")])
    prov = provenance_record(
        vcf=args.vcf, config=run_facts.get("config_path", config), config_sha256=run_facts.get("config_sha256", config_sha),
        command=run_facts.get("command") or command_line(args),
        git_commit=run_facts.get("git_commit") if run_facts else git_commit(), qc_json=args.qc,
        manifest_path=args.resources, manifest=read_manifest(args.resources), settings=acmg_settings(batch),
    )  # fmt: skip
    rows, doc, p = classify_sample(args.vcf, batch, args.sample, args.resources, provenance=prov, qc_json=args.qc, cnv_tsv=args.cnv)
    write_outputs(rows, doc, p, prov, args.out_tsv, args.out_json)
    c = doc["counts"]
    print(f"{p.sample}: QC {p.qc.verdict}, {c['events_carried']} SVs carried, {c['reported']} reported "
          f"({', '.join(f'{n} {k}' for k, n in c['classes'].items() if n)}) -> {args.out_tsv}")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from wgs_east.cli import add_classify_sv_arguments

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_classify_sv_arguments(ap)
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    from wgs_east.qc.io import run_main

    run_main(main)
