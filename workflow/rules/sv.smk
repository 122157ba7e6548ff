# Structural variants and copy number (README, Structural variants): delly (read pairs + split reads) per
# sample, its sites merged across the batch and every family's members genotyped at every site; cnvkit (read
# depth, flat reference) per sample; both merged (wgs_east.sv.merge) into the batch SV VCF and per-sample
# copy-number tables.

rule sv_call_delly:
    input:
        cram="alignments/{sample}.cram",
        crai="alignments/{sample}.cram.crai",
        ref=REF,
        fai=f"{REF}.fai",
    output:
        bcf="work/sv/delly/{sample}.bcf",
        csi="work/sv/delly/{sample}.bcf.csi",
    log:
        "logs/sv/sv_call_delly/{sample}.log",
    benchmark:
        "benchmarks/sv/sv_call_delly/{sample}.tsv"
    conda:
        "../envs/delly.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=720,
    shell:
        "(delly call --genome {input.ref:q} --outfile {output.bcf:q}.tmp.bcf {input.cram:q}"
        " && mv {output.bcf:q}.tmp.bcf.csi {output.csi:q} && mv {output.bcf:q}.tmp.bcf {output.bcf:q})"
        " > {log:q} 2>&1"


rule sv_merge_sites:
    input:
        bcfs=expand("work/sv/delly/{sample}.bcf", sample=SAMPLES),
        csis=expand("work/sv/delly/{sample}.bcf.csi", sample=SAMPLES),
    output:
        bcf="work/sv/delly/sites.bcf",
        csi="work/sv/delly/sites.bcf.csi",
    log:
        "logs/sv/sv_merge_sites.log",
    benchmark:
        "benchmarks/sv/sv_merge_sites.tsv"
    conda:
        "../envs/delly.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(2000),
        runtime=120,
    shell:
        "(delly merge --outfile {output.bcf:q}.tmp.bcf {input.bcfs:q}"
        " && mv {output.bcf:q}.tmp.bcf.csi {output.csi:q} && mv {output.bcf:q}.tmp.bcf {output.bcf:q})"
        " > {log:q} 2>&1"


rule sv_genotype_family:
    input:
        unpack(get_family_crams),
        sites="work/sv/delly/sites.bcf",
        csi="work/sv/delly/sites.bcf.csi",
        ref=REF,
        fai=f"{REF}.fai",
    output:
        bcf="work/sv/delly/family_{family}.bcf",
        csi="work/sv/delly/family_{family}.bcf.csi",
    log:
        "logs/sv/sv_genotype_family/{family}.log",
    benchmark:
        "benchmarks/sv/sv_genotype_family/{family}.tsv"
    conda:
        "../envs/delly.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=720,
    shell:
        "(delly call --genome {input.ref:q} --vcffile {input.sites:q} --outfile {output.bcf:q}.tmp.bcf"
        " {input.crams:q}"
        " && mv {output.bcf:q}.tmp.bcf.csi {output.csi:q} && mv {output.bcf:q}.tmp.bcf {output.bcf:q})"
        " > {log:q} 2>&1"


rule cnv_reference:
    input:
        ref=REF,
        fai=f"{REF}.fai",
    output:
        cnn="work/sv/cnvkit/flat_reference.cnn",
        targets="work/sv/cnvkit/genome.target.bed",
        antitargets="work/sv/cnvkit/genome.antitarget.bed",
    params:
        bin_size=BATCH.sv.cnv_bin_size,
        dir=get_output_dir,
    log:
        "logs/sv/cnv_reference.log",
    benchmark:
        "benchmarks/sv/cnv_reference.tsv"
    conda:
        "../envs/cnvkit.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=120,
    shell:
        # a flat reference (equal expected depth everywhere, GC and repeat content from the FASTA): every
        # sample is compared with it alone, so inherited events shared by a family are not normalised away
        # the cnvkit command is `cnvkit` (Debian) or `cnvkit.py` (bioconda)
        "(cnvkit=$(command -v cnvkit || command -v cnvkit.py)"
        " && $cnvkit batch --normal --fasta {input.ref:q} --method wgs --target-avg-size {params.bin_size:q}"
        " --output-reference {output.cnn:q}.tmp.cnn --output-dir {params.dir:q}"
        " && mv {output.cnn:q}.tmp.cnn {output.cnn:q}) > {log:q} 2>&1"


rule cnv_call_cnvkit:
    input:
        cram="alignments/{sample}.cram",
        crai="alignments/{sample}.cram.crai",
        ref=REF,
        fai=f"{REF}.fai",
        cnn="work/sv/cnvkit/flat_reference.cnn",
        targets="work/sv/cnvkit/genome.target.bed",
        antitargets="work/sv/cnvkit/genome.antitarget.bed",
    output:
        cnr="work/sv/cnvkit/{sample}.cnr",
        cns="work/sv/cnvkit/{sample}.call.cns",
    params:
        p_value=BATCH.sv.cnv_segment_p,
        sex=get_cnvkit_sex,
        tmp="work/sv/cnvkit/{sample}.tmp",
        steps=CNVKIT_STEPS,
    log:
        "logs/sv/cnv_call_cnvkit/{sample}.log",
    benchmark:
        "benchmarks/sv/cnv_call_cnvkit/{sample}.tsv"
    conda:
        "../envs/cnvkit.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=720,
    shell:
        # cnvkit reads a BAM 5x faster than the CRAM (measured on the test genome: 2.1 vs 10.7 CPU s for the
        # bin coverage); the temporary BAM is deleted at the end. CBS segmentation at p < sv.cnv_segment_p;
        # `call --method clonal --purity 1` (copy number = log2 ratio rounded to integer copies of a pure
        # sample) with the declared sex: the default threshold method called a male's chrX at log2 -1.12
        # (one copy, noise) copy number 0 on the test genome. The five cnvkit steps run in one Python process
        # of cnvkit's interpreter (wgs_east/sv/cnvkit_steps.py): 3.8 instead of 9.5 s per test sample.
        "(cnvkit=$(command -v cnvkit || command -v cnvkit.py) && py=$(sed -n '1s/^#! *//p' \"$cnvkit\")"
        " && rm -rf {params.tmp:q} && mkdir -p {params.tmp:q}"
        " && samtools view --bam --reference {input.ref:q} --output {params.tmp:q}/s.bam {input.cram:q}"
        " && samtools index {params.tmp:q}/s.bam"
        " && $py {params.steps:q}"
        " coverage {params.tmp:q}/s.bam {input.targets:q} --processes 1 --output {params.tmp:q}/s.targetcoverage.cnn"
        " :: coverage {params.tmp:q}/s.bam {input.antitargets:q} --processes 1"
        " --output {params.tmp:q}/s.antitargetcoverage.cnn"
        " :: fix {params.tmp:q}/s.targetcoverage.cnn {params.tmp:q}/s.antitargetcoverage.cnn {input.cnn:q}"
        " --output {params.tmp:q}/s.cnr"
        " :: segment {params.tmp:q}/s.cnr --method cbs --threshold {params.p_value:q} --output {params.tmp:q}/s.cns"
        " :: call {params.tmp:q}/s.cns --method clonal --purity 1 {params.sex:q} --output {params.tmp:q}/s.call.cns"
        " && mv {params.tmp:q}/s.cnr {output.cnr:q} && mv {params.tmp:q}/s.call.cns {output.cns:q}"
        " && rm -rf {params.tmp:q}) > {log:q} 2>&1"


rule sv_merge_callers:
    input:
        delly=expand("work/sv/delly/family_{family}.bcf", family=FAMILIES),
        cnvkit=expand("work/sv/cnvkit/{sample}.call.cns", sample=SAMPLES),
        header="work/variants/provenance_header.txt",
        ref=REF,
        fai=f"{REF}.fai",
        batch=config["batch_json"],
    output:
        vcf=f"sv/{BATCH.batch}.sv.vcf.gz",
        tbi=f"sv/{BATCH.batch}.sv.vcf.gz.tbi",
        tsv=expand("sv/{sample}.cnv.tsv", sample=SAMPLES),
        metrics=f"qc/metrics/{BATCH.batch}.sv.json",
    params:
        args=get_sv_merge_args,
        min_overlap=BATCH.sv.min_overlap,
        max_distance=BATCH.sv.max_breakend_distance,
        min_bins=BATCH.sv.cnv_min_bins,
    log:
        "logs/sv/sv_merge_callers.log",
    benchmark:
        "benchmarks/sv/sv_merge_callers.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(2000),
        runtime=60,
    shell:
        "python -m wgs_east.sv.merge --batch-json {input.batch:q} --fai {input.fai:q} --ref {input.ref:q}"
        " --delly {input.delly:q} --cnvkit {params.args[cnvkit]:q} --header {input.header:q}"
        " --vcf {output.vcf:q} --cnv-tsv {params.args[tsv]:q} --min-overlap {params.min_overlap:q}"
        " --max-distance {params.max_distance:q} --min-bins {params.min_bins:q} --metrics {output.metrics:q}"
        " 2> {log:q}"
