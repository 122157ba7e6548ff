# Config loading, wildcard constraints and input functions (get_<thing>) shared by all stages.
import json
import re
from pathlib import Path

from wgs_east import __version__ as WGS_EAST_VERSION
from wgs_east.config.models import Batch
from wgs_east.reference import read_contigs
from wgs_east.regions import count_chunks


BATCH = Batch.model_validate_json(Path(config["batch_json"]).read_text())
SAMPLES = BATCH.sample_ids
FAMILIES = sorted(BATCH.families)
UNITS = {s.id: [u.id for u in s.units] for s in BATCH.samples}
CONTIGS = read_contigs(BATCH.reference.fasta)
REF = "reference/genome.fa"


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(set(values)))


wildcard_constraints:
    sample=_alternatives(SAMPLES),
    family=_alternatives(FAMILIES),
    unit=_alternatives(u for units in UNITS.values() for u in units),
    batch=re.escape(BATCH.batch),


scattergather:
    chunks=count_chunks(
        CONTIGS, BATCH.calling.chunk_size, BATCH.reference.exclude_contigs
    ),


def get_unit(wildcards):
    sample = BATCH.sample(wildcards.sample)
    return next(u for u in sample.units if u.id == wildcards.unit)


def get_fastqs(wildcards):
    unit = get_unit(wildcards)
    return {"r1": str(unit.fastq1), "r2": str(unit.fastq2)}


def get_read_group(wildcards):
    unit = get_unit(wildcards)
    pu = unit.platform_unit or f"{wildcards.sample}.{unit.id}"
    return (
        f"@RG\\tID:{wildcards.sample}.{unit.id}\\tSM:{wildcards.sample}"
        f"\\tLB:{unit.library}\\tPL:{unit.platform}\\tPU:{pu}"
    )


def get_unit_bams(wildcards):
    return expand(
        "work/align/{sample}/{unit}.bam",
        sample=wildcards.sample,
        unit=UNITS[wildcards.sample],
    )


def get_unit_fastq_checks(wildcards):
    return expand(
        "qc/fastq_check/{sample}/{unit}.json",
        sample=wildcards.sample,
        unit=UNITS[wildcards.sample],
    )


def get_family_crams(wildcards):
    members = [s.id for s in BATCH.families[wildcards.family]]
    return {
        "crams": expand("alignments/{sample}.cram", sample=members),
        "crais": expand("alignments/{sample}.cram.crai", sample=members),
    }


def get_family_chunk_calls(wildcards):
    return gather.chunks(
        "work/call/{family}/chunk_{{scatteritem}}.bcf".format(family=wildcards.family)
    )


def get_family_gvcfs(wildcards):
    return expand("work/call/{family}.g.bcf", family=FAMILIES)



def get_tools_used():
    """External tools whose versions the provenance records: the ones this configuration runs."""
    tools = ["bwa", "samtools", "bcftools", "htslib", "bgzip", "fastp"]
    if BATCH.calling.caller == "freebayes":
        tools.append("freebayes")
    return tools + list(EXTRA_TOOLS)


# stages that run further tools append them here (e.g. mosdepth for QC)
EXTRA_TOOLS = []


def get_final_outputs():
    outputs = [
        f"variants/{BATCH.batch}.vcf.gz",
        f"variants/{BATCH.batch}.vcf.gz.tbi",
        "provenance/tools.json",
    ]
    outputs += expand("alignments/{sample}.cram.crai", sample=SAMPLES)
    outputs += expand("gvcf/{sample}.g.vcf.gz.tbi", sample=SAMPLES)
    return outputs


def scaled_mem(base_mb):
    """Memory that grows with each retry (Snakemake `retries`), for steps that can run out."""

    def mem_mb(wildcards, attempt):
        return base_mb * attempt

    return mem_mb


def get_sample_family_gvcf(wildcards):
    return f"work/call/{BATCH.sample(wildcards.sample).family}.g.bcf"


def get_merge_command():
    """Families are merged into the batch VCF, hom-ref filled from the gVCF blocks (bcftools caller);
    a batch of one family needs no merge."""
    if len(FAMILIES) == 1:
        return "bcftools view"
    if BATCH.calling.caller == "bcftools":
        return f"bcftools merge --gvcf {REF}"
    return "bcftools merge"
