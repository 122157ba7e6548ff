# Config loading, wildcard constraints and input functions (get_<thing>) shared by all stages.
import json
import re
from pathlib import Path

from wgs_east import __version__ as WGS_EAST_VERSION
from wgs_east.config.models import Batch
from wgs_east.reference import is_gzip, run_contigs
from wgs_east.regions import batch_chunk_size, count_chunks


BATCH = Batch.model_validate_json(Path(config["batch_json"]).read_text())
# a reanalysis (wgs-east reanalyze) records the earlier run it derives from: {"dir", "sample", ...}
DERIVED_FROM = json.loads(Path(config["run_json"]).read_text()).get("derived_from")
SAMPLES = BATCH.sample_ids
FAMILIES = sorted(BATCH.families)
# joint-calling groups: the whole batch, or whole families packed up to calling.joint_max_samples samples
CALL_GROUPS = {g: [s.id for s in members] for g, members in BATCH.call_groups().items()}
GROUP_OF = {s: g for g, members in CALL_GROUPS.items() for s in members}
UNITS = {s.id: [u.id for u in s.units] for s in BATCH.samples}
REF = "reference/genome.fa"
CONTIGS = run_contigs(BATCH.reference.fasta, Path(REF))


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(set(values)))


wildcard_constraints:
    sample=_alternatives(SAMPLES),
    family=_alternatives(FAMILIES),
    group=_alternatives(CALL_GROUPS),
    unit=_alternatives(u for units in UNITS.values() for u in units),
    batch=re.escape(BATCH.batch),


# region chunks: calling.chunk_size, larger when groups x chunks would exceed calling.max_chunk_jobs
CHUNK_SIZE = batch_chunk_size(BATCH, CONTIGS)


scattergather:
    chunks=count_chunks(CONTIGS, CHUNK_SIZE, BATCH.reference.exclude_contigs),


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


def get_unit_read_accounting(wildcards):
    """Every unit's read accounting (which needs its complete FASTQ check): the CRAM waits for them."""
    return expand(
        "qc/read_accounting/{sample}/{unit}.json",
        sample=wildcards.sample,
        unit=UNITS[wildcards.sample],
    )


def get_fastp_input_links(wildcards):
    """Names fastp reads a unit's FASTQs through: `.fastq.gz` when the file is gzip (magic bytes), else
    `.fastq`, whatever the file is called."""
    unit = get_unit(wildcards)
    return [
        f"work/trim/{wildcards.sample}/{wildcards.unit}.in_{mate}.fastq{_gzip_suffix(path)}"
        for mate, path in (("R1", unit.fastq1), ("R2", unit.fastq2))
    ]


def _gzip_suffix(path):
    try:
        return ".gz" if is_gzip(path) else ""
    except OSError:  # FASTQs gone after the run (e.g. a reanalysis): the job is not run anyway
        return ".gz"


def get_group_crams(wildcards):
    members = CALL_GROUPS[wildcards.group]
    return {
        "crams": expand("alignments/{sample}.cram", sample=members),
        "crais": expand("alignments/{sample}.cram.crai", sample=members),
    }


def get_group_chunk_calls(wildcards):
    return gather.chunks(
        "work/call/{group}/chunk_{{scatteritem}}.bcf".format(group=wildcards.group)
    )


def get_group_gvcfs(wildcards):
    return expand("work/call/{group}.g.bcf", group=sorted(CALL_GROUPS))



def get_tools_used():
    """External tools whose versions the provenance records: the ones this configuration runs."""
    tools = ["bwa", "samtools", "bcftools", "htslib", "bgzip", "fastp"]
    if BATCH.calling.caller == "freebayes":
        tools.append("freebayes")
    return tools + list(EXTRA_TOOLS)


# tools run by stages beyond calling (QC runs mosdepth; the SV stage delly and cnvkit)
EXTRA_TOOLS = ["mosdepth"] + (["delly", "cnvkit"] if BATCH.sv.enabled else [])


def get_final_outputs():
    outputs = [
        f"variants/{BATCH.batch}.vcf.gz",
        f"variants/{BATCH.batch}.vcf.gz.tbi",
        "provenance/tools.json",
    ]
    # every deliverable is a target, not only its index: a deleted CRAM or gVCF is made again by a re-run
    # (Snakemake does not redo a missing file whose dependants are up to date)
    outputs += expand("alignments/{sample}.{ext}", sample=SAMPLES, ext=["cram", "cram.crai"])
    outputs += expand("gvcf/{sample}.{ext}", sample=SAMPLES, ext=["g.vcf.gz", "g.vcf.gz.tbi"])
    outputs += expand(
        "qc/{batch}.{name}",
        batch=BATCH.batch,
        name=["qc.tsv", "qc.json", "relatedness.tsv"],
    )
    outputs.append("qc/multiqc.html")
    outputs += get_sv_outputs()  # sv.smk
    if BATCH.resources is not None:  # annotation (annotate.smk)
        outputs += [f"annotated/{BATCH.batch}.vcf.gz", f"annotated/{BATCH.batch}.vcf.gz.tbi"]
        outputs += get_classification_outputs()  # classify.smk
    outputs += get_report_outputs()
    return outputs


def scaled_mem(base_mb):
    """Memory that grows with each retry (Snakemake `retries`), for steps that can run out."""

    def mem_mb(wildcards, attempt):
        return base_mb * attempt

    return mem_mb


def get_sample_group_gvcf(wildcards):
    return f"work/call/{GROUP_OF[wildcards.sample]}.g.bcf"


def get_merge_command():
    """Joint-calling groups are merged into the batch VCF, hom-ref filled from the gVCF blocks (bcftools
    caller); a batch called as one group needs no merge."""
    if len(CALL_GROUPS) == 1:
        return "bcftools view"
    if BATCH.calling.caller == "bcftools":
        return f"bcftools merge --gvcf {REF}"
    return "bcftools merge"


# --- QC ---
import wgs_east.qc

MULTIQC_CONFIG = str(Path(wgs_east.qc.__file__).with_name("multiqc_config.yaml"))
COVERAGE_THRESHOLDS = (10, 20, 30)


def get_fastp_reports(wildcards):
    return expand(
        "qc/fastp/{sample}/{unit}.fastp.json",
        sample=wildcards.sample,
        unit=UNITS[wildcards.sample],
    )


def get_fastp_unit_args(wildcards):
    """UNIT=PATH arguments of `python -m wgs_east.qc.reads`."""
    return [
        f"{unit}=qc/fastp/{wildcards.sample}/{unit}.fastp.json"
        for unit in UNITS[wildcards.sample]
    ]


def get_accounting_unit_args(wildcards):
    """UNIT=PATH arguments (read accounting) of `python -m wgs_east.qc.reads`."""
    return [f"{unit}=qc/read_accounting/{wildcards.sample}/{unit}.json" for unit in UNITS[wildcards.sample]]


def get_coverage_thresholds():
    return ",".join(str(t) for t in COVERAGE_THRESHOLDS)


def get_target_thresholds():
    depths = sorted({*COVERAGE_THRESHOLDS, BATCH.qc.region_min_depth})
    return ",".join(str(t) for t in depths)


def get_coverage_reports(wildcards):
    prefix = f"qc/mosdepth/{wildcards.sample}"
    reports = {
        "summary": f"{prefix}.mosdepth.summary.txt",
        "region_dist": f"{prefix}.mosdepth.region.dist.txt",
        "thresholds": f"{prefix}.thresholds.bed.gz",
    }
    if BATCH.qc.target_bed is not None:
        reports["target_regions"] = f"{prefix}.target.regions.bed.gz"
        reports["target_thresholds"] = f"{prefix}.target.thresholds.bed.gz"
    return reports


def get_target_coverage_args(wildcards, input):
    """The optional target arguments of `python -m wgs_east.qc.coverage` (a list: `:q` quotes each)."""
    if BATCH.qc.target_bed is None:
        return []
    return [
        "--target-regions",
        input.target_regions,
        "--target-thresholds",
        input.target_thresholds,
    ]


def get_qc_metrics():
    per_sample = expand(
        "qc/metrics/{sample}.{kind}.json",
        sample=SAMPLES,
        kind=["reads", "alignment", "coverage"],
    )
    return per_sample + expand(
        "qc/metrics/{batch}.{kind}.json",
        batch=BATCH.batch,
        kind=["variants", "genotypes"] + (["sv"] if BATCH.sv.enabled else []),
    )


def get_multiqc_inputs():
    """The tools' outputs MultiQC aggregates, plus the wgs-east custom-content files."""
    reports = [
        f"qc/fastp/{s}/{u}.fastp.json" for s in SAMPLES for u in UNITS[s]
    ]
    reports += expand("qc/samtools/{sample}.stats.txt", sample=SAMPLES)
    reports += expand(
        "qc/mosdepth/{sample}.mosdepth.{kind}",
        sample=SAMPLES,
        kind=["summary.txt", "global.dist.txt", "region.dist.txt"],
    )
    reports.append(f"qc/bcftools/{BATCH.batch}.stats.txt")
    reports += expand(
        "qc/multiqc_custom/{batch}.wgs_east_{name}_mqc.json",
        batch=BATCH.batch,
        name=["verdicts", "general_stats", "relatedness", "read_accounting"],
    )
    return reports


def get_mosdepth_prefix(wildcards, output):
    """mosdepth's output prefix, from the path of its summary output."""
    return output.summary.removesuffix(".mosdepth.summary.txt")


def get_metrics_dir(wildcards, input):
    return str(Path(input.metrics[0]).parent)


def get_output_dir(wildcards, output):
    """The directory of a rule's first output."""
    return str(Path(output[0]).parent)


# --- classification ---
from wgs_east.acmg.settings import AcmgSettings

AFFECTED = [s.id for s in BATCH.samples if s.affected]


def get_affected_constraint():
    """Wildcard constraint of the classification outputs: affected samples only."""
    return _alternatives(AFFECTED) if AFFECTED else "(?!)"


def get_resource_manifest():
    """The resource bundle manifest of the annotation (provenance, gene table)."""
    return str(BATCH.resources)


def get_classification_inputs(wildcards):
    inputs = {
        "vcf": f"annotated/{BATCH.batch}.vcf.gz",
        "tbi": f"annotated/{BATCH.batch}.vcf.gz.tbi",
        "qc": f"qc/{BATCH.batch}.qc.json",
        "manifest": get_resource_manifest(),
        "batch": config["batch_json"],
        "run": config["run_json"],
    }
    if BATCH.classification.panel_file is not None:
        inputs["panel"] = str(BATCH.classification.panel_file)
    if not isinstance(BATCH.acmg, AcmgSettings):
        inputs["acmg"] = str(BATCH.acmg)
    return inputs


def get_classified_dir(wildcards, output):
    return str(Path(output.tsv).parent)


def get_previous_classification(wildcards):
    """classified/{sample}.tsv of the earlier run a reanalysis derives from."""
    return str(Path(DERIVED_FROM["dir"]) / "classified" / f"{DERIVED_FROM['sample']}.tsv")


def get_classification_outputs():
    return expand(
        "classified/{sample}.{ext}",
        sample=AFFECTED,
        ext=["tsv", "json", "vcf.gz", "vcf.gz.tbi"] + (["sv.tsv", "sv.json"] if BATCH.sv.enabled else []),
    )


# --- report ---
# (a sample id equal to the batch id is refused by the config checks: reports/{batch}.html is the overview)
REPORT_SAMPLES = [s.id for s in BATCH.samples if s.affected]


def get_report_sample_constraint():
    """Wildcard constraint of the sample reports: affected samples only."""
    return _alternatives(REPORT_SAMPLES) if REPORT_SAMPLES else "(?!)"


def get_report_manifest():
    """The resource bundle manifest, or None when the batch has none (then nothing is classified and the
    reports say so)."""
    manifest = getattr(BATCH, "resources", None)
    return None if manifest is None else str(manifest)


def get_report_classified(sample):
    """classified/{sample}.json when the classification runs (it needs the annotation bundle and the
    classification stage in the workflow); otherwise the report says that nothing was classified."""
    if get_report_manifest() is None or not workflow.is_rule("classify_variants"):
        return None
    return f"classified/{sample}.json"


def get_sample_report_inputs(wildcards):
    inputs = {
        "batch": config["batch_json"],
        "run": config["run_json"],
        "tools": "provenance/tools.json",
        "qc": f"qc/{BATCH.batch}.qc.json",
        "coverage": f"qc/metrics/{wildcards.sample}.coverage.json",
        "dist": f"qc/mosdepth/{wildcards.sample}.mosdepth.region.dist.txt",
        "multiqc": "qc/multiqc.html",  # linked from the page
    }
    classified = get_report_classified(wildcards.sample)
    if classified is not None:
        inputs["classified"] = classified
        if BATCH.sv.enabled:
            inputs["sv"] = f"classified/{wildcards.sample}.sv.json"
    if get_report_manifest() is not None:
        inputs["manifest"] = get_report_manifest()
    return inputs


def get_sample_report_args(wildcards, input):
    """Optional arguments of `python -m wgs_east.report.sample` (a list: `:q` quotes each)."""
    args = []
    if "classified" in input.keys():
        args += ["--classified", input.classified]
    if "manifest" in input.keys():
        args += ["--resources", input.manifest]
    if "sv" in input.keys():
        args += ["--sv", input.sv]
    return args


def get_batch_report_inputs(wildcards):
    inputs = {
        "batch": config["batch_json"],
        "run": config["run_json"],
        "tools": "provenance/tools.json",
        "qc": f"qc/{BATCH.batch}.qc.json",
        "multiqc": "qc/multiqc.html",
        "reports": expand("reports/{sample}.html", sample=REPORT_SAMPLES),  # linked from the page
    }
    classified = [get_report_classified(s) for s in REPORT_SAMPLES]
    inputs["classified"] = [c for c in classified if c is not None]
    if get_report_manifest() is not None:
        inputs["manifest"] = get_report_manifest()
    return inputs


def get_batch_report_args(wildcards, input):
    """Optional arguments of `python -m wgs_east.report.batch` (a list: `:q` quotes each)."""
    args = []
    if input.classified:
        args += ["--classified", *input.classified]
    if "manifest" in input.keys():
        args += ["--resources", input.manifest]
    return args


def get_report_outputs():
    return [f"reports/{BATCH.batch}.html"] + expand("reports/{sample}.html", sample=REPORT_SAMPLES)


# --- annotation ---
from wgs_east.annotate import sources as annotation_sources
from wgs_east.annotate.fields import GENES_STEP_FIELDS
from wgs_east.resources.manifest import load_manifest

RESOURCE_MANIFEST = str(BATCH.resources) if BATCH.resources is not None else None
MANIFEST = load_manifest(BATCH.resources) if BATCH.resources is not None else None
ANNOTATION_CHAIN = annotation_sources.chain(MANIFEST)
CLINVAR_RESIDUES = "work/annotate/clinvar_residues.tsv"


wildcard_constraints:
    source=_alternatives(ANNOTATION_CHAIN) if ANNOTATION_CHAIN else "(?!)",


def _bundle_source(kind):
    found = MANIFEST.one(kind) if MANIFEST is not None else None
    return found[1] if found is not None else None


def get_gene_models():
    return str(_bundle_source("gene_models").path)


def get_gene_step_inputs():
    """Inputs of the gene step besides the csq output: ClinVar residue index, gene table (when in the bundle)."""
    inputs = [CLINVAR_RESIDUES] if _bundle_source("clinvar") is not None else []
    table = _bundle_source("gene_table")
    return inputs + ([str(table.path)] if table is not None else [])


def get_gene_step_args():
    from wgs_east.annotate.genetable import format_columns

    args = ["--clinvar-residues", CLINVAR_RESIDUES] if _bundle_source("clinvar") is not None else []
    table = _bundle_source("gene_table")
    if table is not None:
        args += ["--gene-table", str(table.path), "--gene-columns", format_columns(table.columns.model_dump())]
    return args


def get_gene_annotation_columns():
    """`bcftools annotate --columns` of the gene step's table."""
    return ",".join(["CHROM", "POS", "REF", "ALT", *(f"INFO/{f.id}" for f in GENES_STEP_FIELDS)])


def _chunk_step(scatteritem, step):
    name = "genes" if step is None else f"source_{step}"
    return f"work/annotate/chunks/{scatteritem}.{name}.bcf"


def get_source_step_inputs(wildcards):
    """The previous step's chunk (gene step, then the sources in chain order) and the source's file."""
    i = ANNOTATION_CHAIN.index(wildcards.source)
    previous = _chunk_step(wildcards.scatteritem, ANNOTATION_CHAIN[i - 1] if i else None)
    annotations = annotation_sources.annotation_file(MANIFEST, wildcards.source)
    return {
        "bcf": previous,
        "csi": f"{previous}.csi",
        "annotations": annotations,
        "index": annotation_sources.index_file(annotations),
    }


def get_source_columns(wildcards):
    return annotation_sources.columns(MANIFEST, wildcards.source)


def get_annotated_chunks(wildcards):
    last = ANNOTATION_CHAIN[-1] if ANNOTATION_CHAIN else None
    return gather.chunks(_chunk_step("{scatteritem}", last))


def get_annotated_chunk_indexes(wildcards):
    return [f"{path}.csi" for path in get_annotated_chunks(wildcards)]


def get_clinvar_vcf():
    return str(_bundle_source("clinvar").path)


def get_clinvar_index():
    return annotation_sources.index_file(get_clinvar_vcf())


def get_clinvar_field_args():
    fields = _bundle_source("clinvar").fields
    return ["--sig", fields.sig, "--revstat", fields.revstat]


def get_clinvar_prefilter():
    """`bcftools view --include` keeping the records that may be P/LP (the exact test is in Python)."""
    return f'INFO/{_bundle_source("clinvar").fields.sig}~"athogenic"'


# --- structural variants (sv.smk) ---
import wgs_east.sv

CNVKIT_STEPS = str(Path(wgs_east.sv.__file__).with_name("cnvkit_steps.py"))


def get_sv_outputs():
    if not BATCH.sv.enabled:
        return []
    return [f"sv/{BATCH.batch}.sv.vcf.gz", f"sv/{BATCH.batch}.sv.vcf.gz.tbi"] + expand(
        "sv/{sample}.cnv.tsv", sample=SAMPLES
    )


def get_family_crams(wildcards):
    members = [s.id for s in BATCH.families[wildcards.family]]
    return {
        "crams": expand("alignments/{sample}.cram", sample=members),
        "crais": expand("alignments/{sample}.cram.crai", sample=members),
    }


def get_cnvkit_sex(wildcards):
    """cnvkit call --sample-sex: the declared sex (unknown: cnvkit guesses from X/Y coverage)."""
    sex = BATCH.sample(wildcards.sample).sex.value
    return [] if sex == "unknown" else ["--sample-sex", sex]


def get_sv_merge_args(wildcards, input):
    return {
        "cnvkit": [f"{s}=work/sv/cnvkit/{s}.call.cns" for s in SAMPLES],
        "tsv": [f"{s}=sv/{s}.cnv.tsv" for s in SAMPLES],
    }
