"""The batch configuration: one pydantic model tree, the single source of truth.

The JSON Schema in ``workflow/schemas/`` and the field table in ``config/README.md`` are generated
from these models (``wgs-east schema``; a test keeps both in sync). Shape and type rules live here;
rules that need the file system or several fields at once live in :mod:`wgs_east.config.checks`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)

ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
HPO_REGEX = r"^HP:[0-9]{7}$"
CONTIG_REGEX = r"^[A-Za-z0-9_.][A-Za-z0-9_.:*#+-]{0,254}$"

Identifier = Annotated[str, StringConstraints(pattern=ID_REGEX)]
"""Batch, sample, family, unit and library ids: letters, digits, `_` and `-`, starting with a letter or
digit, at most 64 characters. Such an id is safe in file names and shell words."""

HpoId = Annotated[str, StringConstraints(pattern=HPO_REGEX)]
ContigName = Annotated[str, StringConstraints(pattern=CONTIG_REGEX)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Resolve a path against the directory of the YAML file it came from (context ``base_dir``)."""
    text = str(value)
    if not text.strip():
        raise ValueError("path is empty")
    if _CONTROL.search(text):
        raise ValueError("path contains a control character (newline, tab, ...)")
    base = (info.context or {}).get("base_dir")
    path = value.expanduser()
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    return Path(_normalise(path))


def _normalise(path: Path) -> str:
    # os.path.normpath, not resolve(): a symlinked input keeps the name the user gave it.
    import os

    return os.path.normpath(os.path.abspath(path))


InputPath = Annotated[Path, AfterValidator(_resolve_path)]
"""A path to an input file; relative paths resolve against the directory of the YAML file."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Sex(StrEnum):
    female = "female"
    male = "male"
    unknown = "unknown"


class SexChromosomes(Model):
    x: ContigName = "chrX"
    """Name of the X chromosome contig in the reference FASTA."""
    y: ContigName = "chrY"
    """Name of the Y chromosome contig in the reference FASTA."""


class Region(Model):
    contig: ContigName
    """Contig name."""
    start: int = Field(ge=1)
    """First base, 1-based."""
    end: int = Field(ge=1)
    """Last base, 1-based, inclusive."""


GRCH38_PARS = (
    Region(contig="chrX", start=10_001, end=2_781_479),
    Region(contig="chrX", start=155_701_383, end=156_030_895),
)


class Reference(Model):
    fasta: InputPath
    """Reference genome FASTA (plain or bgzip). Indexes are built in the output directory, never next
    to this file; an existing `.fai` beside it is read to learn contig lengths."""
    build: Literal["GRCh38", "GRCh37"] = "GRCh38"
    """Genome build; resource bundles must name the same build."""
    sex_chromosomes: SexChromosomes = SexChromosomes()
    """Contig names of the sex chromosomes (used for ploidy, sex inference and X-linked analysis)."""
    par_regions: list[Region] | None = None
    """Pseudo-autosomal regions (diploid in males). Default: the GRCh38 PARs of the X contig, kept only
    where they fit inside the X contig of this reference."""
    exclude_contigs: list[ContigName] = []
    """Contigs not called and not counted as autosomes (e.g. chrM, decoys)."""


class Unit(Model):
    id: Identifier
    """Unit (lane / read group) id, unique within the sample."""
    fastq1: InputPath
    """Read 1 FASTQ (gzip-compressed or plain)."""
    fastq2: InputPath
    """Read 2 FASTQ, same reads in the same order as read 1."""
    platform: Literal[
        "ILLUMINA", "DNBSEQ", "ELEMENT", "ULTIMA", "IONTORRENT", "PACBIO", "ONT", "SINGULAR"
    ] = "ILLUMINA"
    """Sequencing platform (read-group PL)."""
    library: Identifier
    """Library id (read-group LB); duplicates are marked per library."""
    platform_unit: Identifier | None = None
    """Platform unit (read-group PU), e.g. flowcell-lane; default `<sample>.<unit id>`."""


class Sample(Model):
    id: Identifier
    """Sample id, unique in the batch (read-group SM, file names)."""
    sex: Sex
    """Declared sex: female, male or unknown (unknown: diploid X, no Y)."""
    family: Identifier
    """Family id; joint calling and pedigree checks are per family."""
    father: Identifier | None = None
    """Sample id of the father: a sample of the same family, sex male or unknown."""
    mother: Identifier | None = None
    """Sample id of the mother: a sample of the same family, sex female or unknown."""
    affected: bool = False
    """Affected status; classification and reports are made for affected samples."""
    phenotypes: list[HpoId] = []
    """HPO term ids (HP:0000000) describing the patient's phenotype."""
    units: list[Unit] = Field(min_length=1)
    """Sequencing units (lanes / read groups), at least one."""


class Calling(Model):
    caller: Literal["bcftools", "freebayes"] = "bcftools"
    """Variant caller: bcftools mpileup+call (default, multiallelic caller) or FreeBayes."""
    chunk_size: int = Field(default=20_000_000, ge=1_000)
    """Target size in bp of the region chunks calling is scattered over (cuts at contig ends and N runs)."""
    min_qual: float = Field(default=20.0, ge=0)
    """Records with QUAL below this get FILTER `LowQual` (kept, not dropped)."""
    min_depth: int = Field(default=8, ge=0)
    """Records whose total INFO/DP is below this get FILTER `LowDP` (kept, not dropped)."""
    min_mapq: int = Field(default=20, ge=0)
    """Reads with mapping quality below this are not used for calling."""
    min_baseq: int = Field(default=13, ge=0)
    """Bases with quality below this are not used for calling."""


class Batch(Model):
    batch: Identifier
    """Batch id; names the batch VCF and QC tables."""
    reference: Reference
    """The reference genome."""
    samples: list[Sample] = Field(min_length=1)
    """Samples of the batch: any number of families and singletons."""
    calling: Calling = Calling()
    """Variant calling options."""

    # --- derived views (not config fields) -------------------------------------------------------
    def sample(self, sample_id: str) -> Sample:
        for s in self.samples:
            if s.id == sample_id:
                return s
        raise KeyError(sample_id)

    @property
    def sample_ids(self) -> list[str]:
        return [s.id for s in self.samples]

    @property
    def families(self) -> dict[str, list[Sample]]:
        fams: dict[str, list[Sample]] = {}
        for s in self.samples:
            fams.setdefault(s.family, []).append(s)
        return fams

    def par_regions(self, x_length: int | None) -> list[Region]:
        """The PARs in force: configured, or the GRCh38 defaults that fit the X contig."""
        if self.reference.par_regions is not None:
            return list(self.reference.par_regions)
        if self.reference.build != "GRCh38" or x_length is None:
            return []
        x = self.reference.sex_chromosomes.x
        return [Region(contig=x, start=r.start, end=r.end) for r in GRCH38_PARS if r.end <= x_length]
