"""The resource-bundle manifest: one pydantic model tree, validated like the batch config.

A bundle is a directory holding ``manifest.yaml`` and the files it names. Each source has a ``kind``
(``gene_models``, ``population``, ``clinvar``, ``insilico``, ``gene_table``, ``sv_population``), a path relative to the
manifest, its upstream version and release date, the genome build, the sha256 of the file as it
lies in the bundle, and for tabular sources the columns or INFO fields to use. Example (the test
bundle, ``test_data/resources/manifest.yaml``)::

    bundle: wgs-east-test
    version: test-2026.11
    build: GRCh38
    sources:
      gnomad:
        kind: population
        path: population.vcf.gz
        version: test-2026.11
        release_date: 2026-11-01
        build: GRCh38
        sha256: 3f1c...
        fields: {af: AF, an: AN, ac: AC, nhom: nhomalt, nhemi: nhemi, popmax_af: AF_grpmax, ...}
"""

from __future__ import annotations

import datetime
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, ValidationInfo, field_validator

from wgs_east.config.load import _pydantic_problems, read_yaml
from wgs_east.config.models import ID_REGEX, InputPath, Model
from wgs_east.errors import InputError, Problem

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SourceName = Annotated[str, StringConstraints(pattern=ID_REGEX)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f<>\"]*$")]
Column = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\t\n\r]+$")]
InfoTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][0-9A-Za-z_.]*$")]
Build = Literal["GRCh38", "GRCh37"]


class Kind(StrEnum):
    gene_models = "gene_models"
    population = "population"
    clinvar = "clinvar"
    insilico = "insilico"
    gene_table = "gene_table"
    sv_population = "sv_population"


class SourceBase(Model):
    path: InputPath
    """The file, relative to the manifest's directory. Tabix-indexed sources need their index (`.tbi` or
    `.csi`) next to it."""
    version: Text
    """Upstream version or release of the data (e.g. `v4.1`, `20241103`)."""
    release_date: datetime.date | None = None
    """Release date of that version (YYYY-MM-DD)."""
    build: Build
    """Genome build of the coordinates; must be the bundle's and the reference's build."""
    sha256: Sha256
    """sha256 of the file as it lies in the bundle (`sha256sum FILE`)."""
    url: Text | None = None
    """Where the upstream data came from."""
    description: Text | None = None
    """Free text: what this file is, how it was prepared."""


class GeneModels(SourceBase):
    """Ensembl-style GFF3 (gene `ID=gene:...`, transcript `ID=transcript:...;Parent=gene:...`, exon, CDS),
    read by `bcftools csq`; transcript tags `MANE_Select` and `Ensembl_canonical` choose the transcript."""

    kind: Literal["gene_models"]


class PopulationFields(Model):
    """INFO tags of the population VCF (gnomAD v4 names as defaults). Unset optional tags are not
    annotated."""

    af: InfoTag = "AF"
    """Allele frequency (Number=A)."""
    an: InfoTag = "AN"
    """Allele number (Number=1)."""
    ac: InfoTag = "AC"
    """Allele count (Number=A)."""
    nhom: InfoTag = "nhomalt"
    """Homozygous individuals (Number=A)."""
    nhemi: InfoTag | None = None
    """Hemizygous individuals (Number=A; non-PAR X/Y in XY individuals)."""
    popmax_af: InfoTag | None = "AF_grpmax"
    """AF of the genetic-ancestry group with the highest AF (popmax / grpmax)."""
    popmax_an: InfoTag | None = "AN_grpmax"
    """AN of that group."""
    popmax_pop: InfoTag | None = "grpmax"
    """Name of that group."""
    faf: InfoTag | None = None
    """Filtering allele frequency (95 % CI lower bound, highest over groups), e.g. `fafmax_faf95_max`."""
    faf_pop: InfoTag | None = None
    """Group of the filtering AF, e.g. `fafmax_faf95_max_gen_anc`."""
    filter: InfoTag | None = None
    """The record's FILTER as an INFO tag (`filters`, written by `prepare gnomad`: `PASS` or e.g.
    `AC0,AS_VQSR`), so that a site the source saw but filtered is told apart from an absent one."""
    af_hom: InfoTag | None = None
    """chrM: frequency of homoplasmic carriers (heteroplasmy level >= 0.95), gnomAD's `AF_hom`."""
    af_het: InfoTag | None = None
    """chrM: frequency of heteroplasmic carriers (level >= 0.10 and < 0.95), gnomAD's `AF_het`."""
    max_hl: InfoTag | None = None
    """chrM: highest heteroplasmy level seen, gnomAD's `max_hl`."""


class Population(SourceBase):
    """A gnomAD-style sites VCF (bgzip + tabix), normalised (biallelic, left-aligned)."""

    kind: Literal["population"]
    dataset: Literal["genomes", "exomes", "joint"] = "genomes"
    """Which gnomAD call set: `genomes` and `joint` (exomes + genomes combined) fill the `POP_*` INFO fields,
    `exomes` the `POPEX_*` fields. A bundle holds at most one source per dataset, and `joint` alone."""
    fields: PopulationFields = PopulationFields()
    """INFO tags to read."""


class ClinvarFields(Model):
    sig: InfoTag = "CLNSIG"
    """Clinical significance."""
    revstat: InfoTag = "CLNREVSTAT"
    """Review status (turned into 0-4 stars)."""


class Clinvar(SourceBase):
    """The ClinVar VCF (bgzip + tabix) with contig names as in the reference."""

    kind: Literal["clinvar"]
    fields: ClinvarFields = ClinvarFields()
    """INFO tags to read."""


class TableColumns(Model):
    """Header names of a tab-delimited, bgzipped, tabix-indexed table (the last `#` header line)."""

    chrom: Column
    """Contig column."""
    pos: Column
    """1-based position column."""
    ref: Column
    """Reference allele column."""
    alt: Column
    """Alternative allele column."""
    score: Column
    """Score column."""


class Insilico(SourceBase):
    """A per-allele score table: REVEL (missense), SpliceAI (max delta score) or CADD (PHRED)."""

    kind: Literal["insilico"]
    score: Literal["revel", "spliceai", "cadd"]
    """Which score the table holds (decides the INFO field: REVEL, SPLICEAI, CADD_PHRED)."""
    columns: TableColumns
    """Columns of the table."""


class GeneColumns(Model):
    """Header names of the gene table's columns; unset optional columns are not annotated."""

    symbol: Column = "symbol"
    """Gene symbol, as in the gene models' `Name=`."""
    moi: Column | None = "moi"
    """Modes of inheritance, codes joined by `|` (AD, AR, XLD, XLR, XL, YL, MT)."""
    loeuf: Column | None = "loeuf"
    """LOEUF (gnomAD loss-of-function observed/expected upper bound)."""
    pli: Column | None = "pli"
    """pLI."""
    haploinsufficiency: Column | None = "haploinsufficiency"
    """ClinGen haploinsufficiency score (0-3, 30 = autosomal recessive, 40 = unlikely)."""
    disease: Column | None = "disease"
    """Associated disease(s)."""
    lof_mechanism: Column | None = "lof_mechanism"
    """Whether loss of function is a known disease mechanism (true/false) of any of the gene's diseases."""
    lof_moi: Column | None = None
    """Modes of the gene-disease pairs whose mechanism is loss of function (`lof_moi` in a prepared table)."""
    triplosensitivity: Column | None = None
    """ClinGen triplosensitivity score (0-3, 40 = unlikely), read by the CNV points (`wgs_east.cnv`);
    unset by default (`prepare gene-table` writes it from ClinGen dosage and sets it in the manifest)."""


class GeneTable(SourceBase):
    """A tab-delimited gene table with a header line (plain or gzip)."""

    kind: Literal["gene_table"]
    columns: GeneColumns = GeneColumns()
    """Columns of the table."""
    pairs: InputPath | None = None
    """The gene-disease pairs the table was built from (`gene_disease.tsv`: symbol, disease_id, disease, moi,
    lof_mechanism, classification, sources), relative to the manifest; documentation, not read by the run."""


class SvPopulationFields(Model):
    """INFO tags of the SV population VCF (gnomAD-SV v4 names as defaults). Biallelic sites (DEL, DUP,
    INS, INV, CPX, BND) carry AC/AN/AF; multiallelic copy-number sites (``<CNV>``, ``MULTIALLELIC``) carry
    per-copy-state frequencies instead."""

    svtype: InfoTag = "SVTYPE"
    """SV type (DEL, DUP, CNV, INS, INV, CPX, BND, CTX)."""
    end: InfoTag = "END"
    """Last position of the event (Number=1)."""
    svlen: InfoTag | None = "SVLEN"
    """Length of the event."""
    af: InfoTag = "AF"
    """Allele frequency of a biallelic site (Number=A)."""
    ac: InfoTag | None = "AC"
    """Allele count (Number=A)."""
    an: InfoTag | None = "AN"
    """Allele number (Number=1)."""
    nhomalt: InfoTag | None = "N_HOMALT"
    """Homozygous-alternate individuals."""
    popmax_af: InfoTag | None = "POPMAX_AF"
    """Highest AF over genetic-ancestry groups."""
    cn_freq: InfoTag | None = "CN_FREQ"
    """Multiallelic CNV sites: frequency of samples at each copy state from CN=0 (Number=.)."""
    cn_nonref_freq: InfoTag | None = "CN_NONREF_FREQ"
    """Multiallelic CNV sites: frequency of samples with a non-reference copy state."""


class SvPopulation(SourceBase):
    """A gnomAD-SV-style sites VCF (bgzip + tabix) with symbolic alleles (``<DEL>``, ``<DUP>``, ``<CNV>``...)
    and ``END``; made by ``python -m wgs_east.resources.prepare gnomad-sv`` (PASS sites, slim INFO)."""

    kind: Literal["sv_population"]
    fields: SvPopulationFields = SvPopulationFields()
    """INFO tags to read."""


Source = Annotated[GeneModels | Population | Clinvar | Insilico | GeneTable | SvPopulation, Field(discriminator="kind")]

SINGLE_KINDS = (Kind.gene_models, Kind.clinvar, Kind.gene_table, Kind.sv_population)


class Manifest(Model):
    bundle: SourceName
    """Name of the bundle."""
    version: Text
    """Version of the bundle (e.g. `2026.11`); recorded in the annotated VCF header."""
    build: Build
    """Genome build of every source."""
    synthetic: bool = False
    """True for synthetic test data (never for clinical use)."""
    description: Text | None = None
    """Free text."""
    sources: dict[SourceName, Source]
    """Sources by name: exactly one `gene_models`; at most one `clinvar`, `gene_table`, `sv_population`, one
    `population` per dataset (genomes, exomes; or one joint) and one `insilico` per score."""

    @field_validator("sources")
    @classmethod
    def _one_per_role(cls, sources: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        problems = []
        for kind in SINGLE_KINDS:
            names = [n for n, s in sources.items() if s.kind == kind]
            if kind == Kind.gene_models and not names:
                problems.append("a bundle needs one gene_models source")
            if len(names) > 1:
                problems.append(f"more than one {kind.value} source: {', '.join(names)}")
        datasets: dict[str, list[str]] = {}
        for n, s in sources.items():
            if isinstance(s, Population):
                datasets.setdefault(s.dataset, []).append(n)
        problems += [f"more than one population source of dataset {d}: {', '.join(n)}" for d, n in datasets.items() if len(n) > 1]
        if "joint" in datasets and len(datasets) > 1:
            problems.append("a joint population source already holds genomes and exomes: "
                            + ", ".join(n for names in datasets.values() for n in names))  # fmt: skip
        scores: dict[str, list[str]] = {}
        for n, s in sources.items():
            if isinstance(s, Insilico):
                scores.setdefault(s.score, []).append(n)
        problems += [f"more than one {score} source: {', '.join(n)}" for score, n in scores.items() if len(n) > 1]
        build = info.data.get("build")
        wrong = [n for n, s in sources.items() if build is not None and s.build != build]
        if wrong:
            problems.append(f"sources of another build than the bundle's {build}: {', '.join(wrong)}")
        if problems:
            raise ValueError("; ".join(problems))
        return sources

    def of_kind(self, kind: Kind | str) -> list[tuple[str, Any]]:
        return [(n, s) for n, s in self.sources.items() if s.kind == kind]

    def one(self, kind: Kind | str) -> tuple[str, Any] | None:
        found = self.of_kind(kind)
        return found[0] if found else None

    def insilico(self, score: str) -> tuple[str, Insilico] | None:
        for n, s in self.sources.items():
            if isinstance(s, Insilico) and s.score == score:
                return n, s
        return None


_TAG_IN_LOC = re.compile(rf"^(sources\.[^.\[]+)\.({'|'.join(k.value for k in Kind)})(\.|$)")


def parse_manifest(data: Any, path: Path) -> Manifest:
    if not isinstance(data, dict):
        raise InputError(path, [Problem("", "the manifest must be a YAML mapping (bundle:, version:, build:, sources:)")])
    try:
        return Manifest.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as exc:
        # drop the union tag pydantic puts in the location: sources.revel.insilico.sha256 -> sources.revel.sha256
        problems = [Problem(_TAG_IN_LOC.sub(r"\1\3", p.loc), p.msg) for p in _pydantic_problems(exc)]
        raise InputError(path, problems) from None


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest (shape and types only; :mod:`.check` looks at the files)."""
    import os

    path = Path(os.path.abspath(path))
    if path.is_dir():
        path = path / "manifest.yaml"
    return parse_manifest(read_yaml(path), path)


def read_manifest(path: Path | None) -> dict[str, Any] | None:
    """The resource-bundle manifest (YAML mapping), or None when the run has no bundle."""
    if path is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(path, [Problem("", "resource manifest not found")]) from None
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, [Problem("", f"not a readable manifest: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError(path, [Problem("", "a resource manifest is a YAML mapping")])
    return data
