"""The structural variants one sample carries, read from the batch SV VCF, with its parents' genotypes and
the inheritance that follows from them.

Input contract (``sv/{batch}.sv.vcf.gz``, written by the SV calling stage): VCFv4.2, every sample of the
batch a column, one record per event; symbolic ALT (``<DEL>``, ``<DUP>``, ``<INV>``) or breakend notation;
``INFO/SVTYPE`` (DEL, DUP, INV, BND; CNV and INS are accepted too), ``INFO/END`` (required except for BND
and INS), ``INFO/SVLEN`` (negative for DEL), ``INFO/CALLERS`` (comma list), ``INFO/PE``/``INFO/SR``
(optional); ``FORMAT/GT`` (haploid on chrX outside the PARs in males and on chrY), ``FORMAT/CN``
(integer or ``.``), ``FORMAT/DV``/``FORMAT/RV`` (optional). A symbolic record ``POS ... END=e`` affects
bases ``POS+1 .. e`` (POS is the padding base, VCF 4.2 section 5.4); a breakend record is the junction
after ``POS``.

Inheritance (:func:`inheritance`) from the family's genotypes, as for small variants: de novo when every
informative parent is sequenced and homozygous reference (confirmed when QC relatedness confirmed the
parentage, else assumed: Riggs 2020 section 5 "de novo (confirmed / assumed)"); inherited from the
parent(s) carrying it; unknown without parents. On chrX outside the PARs a son's only informative parent
is his mother, on chrY his father.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from wgs_east.classify.pedigree import Proband
from wgs_east.cnv.scoring import Inheritance
from wgs_east.errors import InputError, Problem

SV_TYPES = ("DEL", "DUP", "CNV", "INV", "BND", "INS")
NEEDS_END = frozenset({"DEL", "DUP", "CNV", "INV"})
_MATE = re.compile(r"[\[\]]([^\[\]:]+):(\d+)[\[\]]")
NOT_SEQUENCED = "not sequenced"


@dataclass(frozen=True)
class Genotype:
    alleles: tuple[int | None, ...]
    phased: bool = False

    @property
    def text(self) -> str:
        return ("|" if self.phased else "/").join("." if a is None else str(a) for a in self.alleles) or "."

    @property
    def called(self) -> bool:
        return bool(self.alleles) and all(a is not None for a in self.alleles)

    @property
    def carries(self) -> bool:
        return any(a is not None and a > 0 for a in self.alleles)

    @property
    def ref(self) -> bool:
        return self.called and not self.carries

    @property
    def haploid(self) -> bool:
        return len(self.alleles) == 1

    @property
    def zygosity(self) -> str:
        if not self.carries:
            return "ref" if self.called else "no call"
        if self.haploid:
            return "hemizygous"
        alt = sum(1 for a in self.alleles if a is not None and a > 0)
        return "homozygous" if alt == len(self.alleles) else "heterozygous"


@dataclass(frozen=True)
class SvCall:
    """One event of the batch VCF as one sample carries it."""

    chrom: str
    pos: int
    """VCF POS (the padding base of a symbolic record)."""
    id: str
    svtype: str
    start: int
    """First affected base (POS + 1; for a breakend, POS)."""
    end: int
    """Last affected base (END; for a breakend or an insertion, POS)."""
    svlen: int | None
    alt: str
    filter: str
    callers: tuple[str, ...]
    pe: int | None
    sr: int | None
    gt: Genotype
    copy_number: int | None
    """FORMAT/CN of the sample (None when ``.`` or absent)."""
    mate: tuple[str, int] | None = None
    """The other side of a breakend (from the ALT's bracket notation)."""
    parents: dict[str, Genotype | None] = field(default_factory=dict)
    """``father``/``mother`` -> genotype (None: not sequenced)."""

    @property
    def size(self) -> int:
        if self.svlen is not None and self.svtype != "BND":
            return abs(self.svlen)
        return self.end - self.start + 1 if self.svtype in NEEDS_END else 0

    def parent_text(self, role: str) -> str:
        g = self.parents.get(role)
        return NOT_SEQUENCED if g is None else g.text


def _int(value: object) -> int | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _genotype(rec: object, sample: str) -> Genotype:
    data = rec.samples[sample]  # type: ignore[attr-defined]
    return Genotype(tuple(data.get("GT") or ()), bool(data.phased))


def read_calls(path: Path, sample: str, father: str | None = None, mother: str | None = None) -> list[SvCall]:
    """The events ``sample`` carries (GT with a non-reference allele), in file order, with the parents'
    genotypes. Raises :class:`InputError` naming the file and every bad field (record and INFO/FORMAT tag)."""
    import pysam

    if not Path(path).is_file():
        raise InputError(path, [Problem("", "SV VCF not found")])
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a readable VCF: {exc}")]) from None
    problems: list[Problem] = []
    calls: list[SvCall] = []
    with vcf:
        header = vcf.header
        samples = set(header.samples)
        for who in (sample, father, mother):
            if who and who not in samples:
                problems.append(Problem("header, samples", f"sample {who} is not a column of the VCF"))
        for tag in ("SVTYPE", "END"):
            if tag not in header.info:
                problems.append(Problem(f"header, INFO/{tag}", "not declared (needed by the SV contract)"))
        if "GT" not in header.formats:
            problems.append(Problem("header, FORMAT/GT", "not declared (needed by the SV contract)"))
        if problems:
            raise InputError(path, problems)
        has_cn = "CN" in header.formats
        try:
            for n, rec in enumerate(vcf, start=1):
                where = f"record {n} ({rec.chrom}:{rec.pos})"
                svtype = str(rec.info.get("SVTYPE") or "")
                if svtype not in SV_TYPES:
                    problems.append(Problem(f"{where}, INFO/SVTYPE", f"{svtype or 'missing'!r} is not one of {', '.join(SV_TYPES)}"))
                    continue
                # htslib reads INFO/END into the record's stop (SVLEN when END is absent, and it ignores an END
                # before POS): the END tag is looked for in the record's text
                if svtype in NEEDS_END:
                    info_text = str(rec).split("\t", 8)[7]
                    if not any(kv.startswith("END=") for kv in info_text.split(";")):
                        problems.append(Problem(f"{where}, INFO/END", f"missing (required for SVTYPE={svtype})"))
                        continue
                    if rec.stop <= rec.pos:
                        problems.append(Problem(f"{where}, INFO/END", f"not after POS {rec.pos}"))
                        continue
                end = int(rec.stop) if svtype in NEEDS_END else rec.pos
                gt = _genotype(rec, sample)
                if not gt.carries:
                    continue
                cn = None
                if has_cn:
                    raw = rec.samples[sample].get("CN")
                    cn = _int(raw)
                    if raw is not None and cn is None or cn is not None and cn < 0:
                        problems.append(Problem(f"{where}, FORMAT/CN", f"{raw!r} is not a copy number"))
                        continue
                alt = str(rec.alts[0]) if rec.alts else "."
                mate = _MATE.search(alt)
                callers = rec.info.get("CALLERS") or ()
                callers = (callers,) if isinstance(callers, str) else tuple(str(c) for c in callers)
                parents = {role: (_genotype(rec, pid) if pid else None) for role, pid in (("father", father), ("mother", mother))}
                start = rec.pos + 1 if svtype in NEEDS_END else rec.pos
                calls.append(SvCall(
                    chrom=rec.chrom, pos=rec.pos, id=rec.id or ".", svtype=svtype, start=min(start, end), end=end,
                    svlen=_int(rec.info.get("SVLEN")) if "SVLEN" in rec.info else None, alt=alt,
                    filter=";".join(rec.filter.keys()) or ".", callers=tuple(c for x in callers for c in x.split(",") if c),
                    pe=_int(rec.info.get("PE")) if "PE" in rec.info else None,
                    sr=_int(rec.info.get("SR")) if "SR" in rec.info else None, gt=gt, copy_number=cn,
                    mate=(mate.group(1), int(mate.group(2))) if mate else None, parents=parents,
                ))  # fmt: skip
        except (OSError, ValueError) as exc:
            problems.append(Problem(f"after record {len(calls)}", f"not readable: {exc}"))
    if problems:
        raise InputError(path, problems)
    return calls


def informative_parents(chrom: str, pos: int, proband: Proband, x: str | None, y: str | None,
                        pars: tuple[tuple[int, int], ...]) -> tuple[str, ...]:  # fmt: skip
    """The parents whose genotypes tell the origin: a son's chrX outside the PARs comes from his mother,
    his chrY from his father; elsewhere both."""
    if proband.male and chrom == x and not any(s <= pos <= e for s, e in pars):
        return ("mother",)
    if chrom == y:
        return ("father",)
    return ("father", "mother")


def inheritance(call: SvCall, proband: Proband, roles: tuple[str, ...]) -> tuple[Inheritance, str]:
    """How the event came to the proband (the ClinGen section-5 category) and the text for the table."""
    ids = {"father": proband.father, "mother": proband.mother}
    affected = {"father": proband.father_affected, "mother": proband.mother_affected}
    state = {r: call.parents.get(r) for r in roles}
    carriers = [r for r, g in state.items() if g is not None and g.carries]
    ref = [r for r, g in state.items() if g is not None and g.ref]
    unknown = [r for r in roles if r not in carriers and r not in ref]

    def who(r: str) -> str:
        g = state[r]
        how = NOT_SEQUENCED if ids[r] is None else f"{ids[r]} {g.text if g is not None else '.'}"
        return f"{r} {how}"

    only = f" (only the {roles[0]} is informative on {call.chrom} for a {proband.sex} proband)" if len(roles) == 1 else ""
    if carriers:
        text = "inherited from " + " and ".join(carriers) + " (" + ", ".join(who(r) for r in roles) + ")" + only
        if len(carriers) == 2 and call.gt.zygosity == "homozygous":
            return Inheritance.unknown, text + ": both parents carry one copy (recessive), section 5 not scored"
        if any(affected[r] for r in carriers):
            return Inheritance.inherited_affected, text + ", from an affected parent"
        return Inheritance.inherited_unaffected, text + ", parent(s) unaffected"
    if not ref:
        return Inheritance.unknown, "unknown: " + (", ".join(who(r) for r in roles) or "no parent") + only
    absent = ", ".join(who(r) for r in roles)
    if not unknown and proband.qc.parentage_confirmed:
        return Inheritance.de_novo, f"de novo ({absent}; {proband.qc.parentage_note})" + only
    why = f"{', '.join(unknown)} not genotyped" if unknown else proband.qc.parentage_note
    return Inheritance.de_novo_assumed, f"de novo, assumed ({absent}; {why})" + only


SEGMENT_COLUMNS = ("chrom", "start", "end", "copy_number", "log2", "bins", "call", "caller")


@dataclass(frozen=True)
class Segment:
    """A copy-number segment of ``sv/{sample}.cnv.tsv`` (1-based, inclusive)."""

    chrom: str
    start: int
    end: int
    copy_number: int | None
    caller: str


def read_segments(path: Path) -> list[Segment]:
    """The segments of a per-sample CNV table (``#`` provenance lines, then the header
    :data:`SEGMENT_COLUMNS`); InputError naming the line and column of every problem."""
    import csv

    if not Path(path).is_file():
        raise InputError(path, [Problem("", "copy-number segment table not found")])
    problems: list[Problem] = []
    out: list[Segment] = []
    with open(path) as fh:
        lines = [(n, line) for n, line in enumerate(fh, start=1) if not line.startswith("#") and line.strip()]
    if not lines:
        raise InputError(path, [Problem("header", f"missing (needs {' '.join(SEGMENT_COLUMNS)})")])
    reader = csv.DictReader((line for _, line in lines), delimiter="\t")
    missing = [c for c in SEGMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(path, [Problem(f"line {lines[0][0]} (header)", f"columns missing: {', '.join(missing)}")])
    for (n, _), rec in zip(lines[1:], reader, strict=True):
        values: dict[str, int | None] = {}
        for col in ("start", "end", "copy_number"):
            text = (rec.get(col) or "").strip()
            if col == "copy_number" and text in ("", "."):
                values[col] = None
                continue
            try:
                values[col] = int(text)
            except ValueError:
                problems.append(Problem(f"line {n}, column {col}", f"{text!r} is not an integer"))
                continue
            if values[col] < (1 if col != "copy_number" else 0):  # type: ignore[operator]
                problems.append(Problem(f"line {n}, column {col}", f"{text} is out of range"))
        if len(values) == 3 and values["end"] is not None and values["start"] is not None:
            if values["end"] < values["start"]:
                problems.append(Problem(f"line {n}, column end", f"{values['end']} is before start {values['start']}"))
            else:
                out.append(Segment(rec["chrom"], values["start"], values["end"], values["copy_number"], rec["caller"] or "."))
    if problems:
        raise InputError(path, problems)
    return out
