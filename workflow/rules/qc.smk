# Quality control: read, alignment, coverage, variant, sex, relatedness and contamination metrics
# (one JSON per step under qc/metrics/), per-sample PASS / WARN / FAIL verdicts, and a MultiQC report.
# Metric logic lives in wgs_east.qc (python -m wgs_east.qc.<module>); thresholds in the config's `qc:`.


rule find_sequenced_regions:
    input:
        fasta=REF,
    output:
        bed="work/qc/sequenced_regions.bed",
    log:
        "logs/qc/find_sequenced_regions.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    shell:
        "python -m wgs_east.qc.composition --fasta {input.fasta:q} --out-bed {output.bed:q} 2> {log:q}"


rule summarise_reads:
    input:
        get_fastp_reports,
        accounting=get_unit_read_accounting,
    output:
        json="qc/metrics/{sample}.reads.json",
    params:
        units=get_fastp_unit_args,
        accounting=get_accounting_unit_args,
    log:
        "logs/qc/summarise_reads/{sample}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.qc.reads --sample {wildcards.sample:q} --fastp {params.units:q}"
        " --accounting {params.accounting:q} --out {output.json:q} 2> {log:q}"


rule collect_alignment_stats:
    input:
        cram="alignments/{sample}.cram",
        crai="alignments/{sample}.cram.crai",
        ref=REF,
        fai=f"{REF}.fai",
    output:
        stats="qc/samtools/{sample}.stats.txt",
    log:
        "logs/qc/collect_alignment_stats/{sample}.log",
    benchmark:
        "benchmarks/qc/collect_alignment_stats/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    threads: 4
    resources:
        mem_mb=scaled_mem(2000),
        runtime=480,
    shell:
        "(samtools stats --threads {threads} --reference {input.ref:q} {input.cram:q} > {output.stats:q}.tmp"
        " && mv {output.stats:q}.tmp {output.stats:q}) 2> {log:q}"


rule summarise_alignment:
    input:
        stats="qc/samtools/{sample}.stats.txt",
    output:
        json="qc/metrics/{sample}.alignment.json",
    log:
        "logs/qc/summarise_alignment/{sample}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.qc.alignment --sample {wildcards.sample:q} --stats {input.stats:q}"
        " --out {output.json:q} 2> {log:q}"


rule compute_coverage:
    input:
        cram="alignments/{sample}.cram",
        crai="alignments/{sample}.cram.crai",
        ref=REF,
        fai=f"{REF}.fai",
        bed="work/qc/sequenced_regions.bed",
    output:
        summary="qc/mosdepth/{sample}.mosdepth.summary.txt",
        global_dist="qc/mosdepth/{sample}.mosdepth.global.dist.txt",
        region_dist="qc/mosdepth/{sample}.mosdepth.region.dist.txt",
        regions="qc/mosdepth/{sample}.regions.bed.gz",
        thresholds="qc/mosdepth/{sample}.thresholds.bed.gz",
    params:
        prefix=get_mosdepth_prefix,
        mapq=BATCH.qc.coverage_min_mapq,
        thresholds=get_coverage_thresholds(),
    log:
        "logs/qc/compute_coverage/{sample}.log",
    benchmark:
        "benchmarks/qc/compute_coverage/{sample}.tsv"
    conda:
        "../envs/mosdepth.yaml"
    threads: 4
    resources:
        mem_mb=scaled_mem(4000),
        runtime=480,
    shell:
        # Over the A/C/G/T intervals of the reference (N runs excluded); duplicates, secondary and
        # QC-failed reads excluded (mosdepth default flags); overlapping mates counted once.
        "mosdepth --threads {threads} --no-per-base --mapq {params.mapq:q} --by {input.bed:q}"
        " --thresholds {params.thresholds:q} --fasta {input.ref:q} {params.prefix:q} {input.cram:q} 2> {log:q}"


if BATCH.qc.target_bed is not None:

    rule compute_target_coverage:
        input:
            cram="alignments/{sample}.cram",
            crai="alignments/{sample}.cram.crai",
            ref=REF,
            fai=f"{REF}.fai",
            bed=str(BATCH.qc.target_bed),
        output:
            summary="qc/mosdepth/{sample}.target.mosdepth.summary.txt",
            regions="qc/mosdepth/{sample}.target.regions.bed.gz",
            thresholds="qc/mosdepth/{sample}.target.thresholds.bed.gz",
        params:
            prefix=get_mosdepth_prefix,
            mapq=BATCH.qc.coverage_min_mapq,
            thresholds=get_target_thresholds(),
        log:
            "logs/qc/compute_target_coverage/{sample}.log",
        benchmark:
            "benchmarks/qc/compute_target_coverage/{sample}.tsv"
        conda:
            "../envs/mosdepth.yaml"
        threads: 4
        resources:
            mem_mb=scaled_mem(4000),
            runtime=480,
        shell:
            "mosdepth --threads {threads} --no-per-base --mapq {params.mapq:q} --by {input.bed:q}"
            " --thresholds {params.thresholds:q} --fasta {input.ref:q} {params.prefix:q} {input.cram:q}"
            " 2> {log:q}"


rule summarise_coverage:
    input:
        unpack(get_coverage_reports),
        batch=config["batch_json"],
        fai=f"{REF}.fai",
    output:
        json="qc/metrics/{sample}.coverage.json",
    params:
        target=get_target_coverage_args,
    log:
        "logs/qc/summarise_coverage/{sample}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "python -m wgs_east.qc.coverage --batch-json {input.batch:q} --sample {wildcards.sample:q}"
        " --fai {input.fai:q} --summary {input.summary:q} --dist {input.region_dist:q}"
        " --thresholds {input.thresholds:q} {params.target:q} --out {output.json:q} 2> {log:q}"


rule collect_variant_stats:
    input:
        vcf="variants/{batch}.vcf.gz",
        tbi="variants/{batch}.vcf.gz.tbi",
    output:
        stats="qc/bcftools/{batch}.stats.txt",
    log:
        "logs/qc/collect_variant_stats/{batch}.log",
    benchmark:
        "benchmarks/qc/collect_variant_stats/{batch}.tsv"
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=240,
    shell:
        "(bcftools stats --samples - --apply-filters PASS {input.vcf:q} > {output.stats:q}.tmp"
        " && mv {output.stats:q}.tmp {output.stats:q}) 2> {log:q}"


rule summarise_variant_stats:
    input:
        stats="qc/bcftools/{batch}.stats.txt",
    output:
        json="qc/metrics/{batch}.variants.json",
    log:
        "logs/qc/summarise_variant_stats/{batch}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.qc.variant_stats --stats {input.stats:q} --out {output.json:q} 2> {log:q}"


rule compute_genotype_metrics:
    input:
        vcf="variants/{batch}.vcf.gz",
        tbi="variants/{batch}.vcf.gz.tbi",
        batch=config["batch_json"],
    output:
        json="qc/metrics/{batch}.genotypes.json",
    log:
        "logs/qc/compute_genotype_metrics/{batch}.log",
    benchmark:
        "benchmarks/qc/compute_genotype_metrics/{batch}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=480,
    shell:
        # Relatedness (KING-robust), X heterozygosity and the contamination estimate, one VCF pass.
        "python -m wgs_east.qc.genotypes --batch-json {input.batch:q} --vcf {input.vcf:q}"
        " --out {output.json:q} 2> {log:q}"


rule assign_qc_verdicts:
    input:
        metrics=get_qc_metrics(),
        batch=config["batch_json"],
    output:
        mqc=multiext(
            "qc/multiqc_custom/{batch}.wgs_east_",
            "verdicts_mqc.json",
            "general_stats_mqc.json",
            "relatedness_mqc.json",
            "read_accounting_mqc.json",
        ),
        tsv="qc/{batch}.qc.tsv",
        json="qc/{batch}.qc.json",
        pairs="qc/{batch}.relatedness.tsv",
    params:
        metrics_dir=get_metrics_dir,
        mqc_dir=get_output_dir,
    log:
        "logs/qc/assign_qc_verdicts/{batch}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "python -m wgs_east.qc.verdicts --batch-json {input.batch:q} --metrics-dir {params.metrics_dir:q}"
        " --out-tsv {output.tsv:q} --out-json {output.json:q} --out-pairs {output.pairs:q}"
        " --mqc-dir {params.mqc_dir:q} 2> {log:q}"


rule report_qc:
    input:
        reports=get_multiqc_inputs(),
        config=MULTIQC_CONFIG,
    output:
        html="qc/multiqc.html",
        data=directory("qc/multiqc_data"),
        files=temp("work/qc/multiqc_inputs.txt"),
    params:
        outdir=get_output_dir,
    log:
        "logs/qc/report_qc.log",
    conda:
        "../envs/multiqc.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=120,
    shell:
        "(printf '%s\\n' {input.reports:q} > {output.files:q}"
        " && multiqc --force --no-ansi --config {input.config:q} --file-list {output.files:q}"
        " --outdir {params.outdir:q} --filename multiqc.html) > {log:q} 2>&1"
