"""How each bundle source is added by ``bcftools annotate``: the file, its ``-c`` column list, the
order of the chain. Pure functions of the manifest (the workflow's input functions call them).

- population (VCF): ``-c INFO/POP_AF:=INFO/AF,...`` from the manifest's ``fields`` (``POPEX_*`` for an
  exomes source next to a genomes one);
- clinvar: the allele table the run prepares (``work/annotate/clinvar.tsv.gz``):
  ``CHROM,POS,REF,ALT,INFO/CLINVAR_ID,INFO/CLINVAR_SIG,INFO/CLINVAR_STARS,INFO/CLINVAR_REVSTAT``;
- insilico (tabix table): the header's columns mapped to ``CHROM,POS,REF,ALT,INFO/<score field>`` and
  ``-`` for the rest.

Alleles are matched exactly (``--pair-logic exact``): the batch VCF and the sources are normalised
(biallelic, left-aligned), so a record gets a value only for its own allele.
"""

from __future__ import annotations

from pathlib import Path

from wgs_east.annotate.fields import (
    CLINVAR_TABLE_FIELDS,
    INSILICO_FIELD,
    POPULATION_EXOMES_FIELD,
    POPULATION_FIELD,
)
from wgs_east.resources.check import table_header
from wgs_east.resources.manifest import Clinvar, Insilico, Manifest, Population

CLINVAR_TABLE = "work/annotate/clinvar.tsv.gz"
"""Where the run writes the ClinVar allele table (relative to the output directory)."""
ANNOTATED_KINDS = ("population", "clinvar", "insilico")


def chain(manifest: Manifest | None) -> list[str]:
    """Names of the sources added by ``bcftools annotate``, in order: population, ClinVar, scores."""
    if manifest is None:
        return []
    order = {"population": 0, "clinvar": 1, "insilico": 2}
    named = [(order[s.kind], n) for n, s in manifest.sources.items() if s.kind in ANNOTATED_KINDS]
    return [n for _, n in sorted(named, key=lambda x: x[0])]


def population_columns(src: Population) -> str:
    """``POP_*`` from a genomes / joint source, ``POPEX_*`` from an exomes source."""
    ours = POPULATION_EXOMES_FIELD if src.dataset == "exomes" else POPULATION_FIELD
    pairs = [(ours[k], tag) for k, tag in src.fields.model_dump().items() if tag]
    return ",".join(f"INFO/{ours}:=INFO/{theirs}" for ours, theirs in pairs)


def clinvar_columns() -> str:
    return ",".join(["CHROM", "POS", "REF", "ALT", *(f"INFO/{f}" for f in CLINVAR_TABLE_FIELDS)])


def insilico_columns(src: Insilico, header: list[str]) -> str:
    roles = {src.columns.chrom: "CHROM", src.columns.pos: "POS", src.columns.ref: "REF", src.columns.alt: "ALT",
             src.columns.score: f"INFO/{INSILICO_FIELD[src.score]}"}  # fmt: skip
    cols = [roles.get(name, "-") for name in header]
    while cols and cols[-1] == "-":
        cols.pop()
    return ",".join(cols)


def annotation_file(manifest: Manifest, name: str) -> str:
    """The tabix-indexed file ``bcftools annotate -a`` reads for a source."""
    src = manifest.sources[name]
    return CLINVAR_TABLE if isinstance(src, Clinvar) else str(src.path)


def columns(manifest: Manifest, name: str) -> str:
    """The ``-c`` argument for a source."""
    src = manifest.sources[name]
    if isinstance(src, Population):
        return population_columns(src)
    if isinstance(src, Clinvar):
        return clinvar_columns()
    if isinstance(src, Insilico):
        return insilico_columns(src, table_header(Path(src.path)))
    raise ValueError(f"{name}: a {src.kind} source is not added by bcftools annotate")


def index_file(path: str) -> str:
    """The tabix index next to a bundle file (``.tbi``, else ``.csi``)."""
    from wgs_east.resources.check import index_of

    found = index_of(Path(path))
    return str(found) if found is not None else path + ".tbi"
