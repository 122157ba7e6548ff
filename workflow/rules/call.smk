# Joint calling per calling group (the whole batch up to calling.joint_max_samples samples, else groups of
# whole families), scattered over region chunks and gathered; groups merged into the batch VCF;
# normalisation (split, left-align, trim) and soft filters recorded in FILTER.

if BATCH.calling.caller == "bcftools":

    rule call_variants:
        input:
            unpack(get_group_crams),
            ref=REF,
            fai=f"{REF}.fai",
            regions="reference/chunks/chunk_{scatteritem}.bed",
            ploidy="work/call/{group}.ploidy",
            samples="work/call/{group}.samples",
        output:
            bcf=temp("work/call/{group}/chunk_{scatteritem}.bcf"),
        params:
            min_mapq=BATCH.calling.min_mapq,
            min_baseq=BATCH.calling.min_baseq,
        log:
            "logs/call/call_variants/{group}/chunk_{scatteritem}.log",
        benchmark:
            "benchmarks/call/call_variants/{group}/chunk_{scatteritem}.tsv"
        conda:
            "../envs/bcftools.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(2000),
            runtime=720,
        shell:
            # gVCF mode: variant records plus hom-ref blocks banded by per-sample depth, so that the
            # family VCF is an all-sites record (reanalysis needs no CRAM).
            "(bcftools mpileup --fasta-ref {input.ref:q} --regions-file {input.regions:q}"
            " --annotate FORMAT/AD,FORMAT/DP --min-MQ {params.min_mapq} --min-BQ {params.min_baseq}"
            " --max-depth 2000 --output-type u {input.crams:q}"
            " | bcftools call --multiallelic-caller --gvcf 0,5,10,20,30 --annotate GQ"
            " --ploidy-file {input.ploidy:q} --samples-file {input.samples:q}"
            " --output-type b --output {output.bcf:q}.tmp.bcf"
            " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

else:

    rule call_variants:
        input:
            unpack(get_group_crams),
            ref=REF,
            fai=f"{REF}.fai",
            regions="reference/chunks/chunk_{scatteritem}.bed",
            cnv="work/call/{group}.cnv.bed",
        output:
            bcf=temp("work/call/{group}/chunk_{scatteritem}.bcf"),
        params:
            min_mapq=BATCH.calling.min_mapq,
            min_baseq=BATCH.calling.min_baseq,
        log:
            "logs/call/call_variants/{group}/chunk_{scatteritem}.log",
        benchmark:
            "benchmarks/call/call_variants/{group}/chunk_{scatteritem}.tsv"
        conda:
            "../envs/freebayes.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(4000),
            runtime=1440,
        shell:
            "(freebayes --fasta-reference {input.ref:q} --targets {input.regions:q}"
            " --cnv-map {input.cnv:q} --min-mapping-quality {params.min_mapq}"
            " --min-base-quality {params.min_baseq} {input.crams:q}"
            " | bcftools view --output-type b --output {output.bcf:q}.tmp.bcf"
            " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"


rule gather_group_calls:
    input:
        get_group_chunk_calls,
    output:
        bcf="work/call/{group}.g.bcf",
        csi="work/call/{group}.g.bcf.csi",
    log:
        "logs/call/gather_group_calls/{group}.log",
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=120,
    shell:
        "(bcftools concat --output-type b --output {output.bcf:q}.tmp.bcf {input:q}"
        " && bcftools index --force --output {output.csi:q} {output.bcf:q}.tmp.bcf"
        " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"


rule extract_sample_gvcf:
    input:
        bcf=get_sample_group_gvcf,
    output:
        vcf="gvcf/{sample}.g.vcf.gz",
        tbi="gvcf/{sample}.g.vcf.gz.tbi",
    log:
        "logs/call/extract_sample_gvcf/{sample}.log",
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=120,
    shell:
        "(bcftools view --samples {wildcards.sample:q} --output-type z --output {output.vcf:q}.tmp.vcf.gz"
        " {input.bcf:q} && tabix -p vcf {output.vcf:q}.tmp.vcf.gz"
        " && mv {output.vcf:q}.tmp.vcf.gz.tbi {output.tbi:q} && mv {output.vcf:q}.tmp.vcf.gz {output.vcf:q})"
        " 2> {log:q}"


rule record_tool_versions:
    output:
        json="provenance/tools.json",
    params:
        tools=get_tools_used(),
    log:
        "logs/provenance/record_tool_versions.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.provenance tools --tools {params.tools:q} --out {output.json:q} 2> {log:q}"


rule write_vcf_header_lines:
    input:
        tools="provenance/tools.json",
        run=config["run_json"],
    output:
        txt="work/variants/provenance_header.txt",
    log:
        "logs/provenance/write_vcf_header_lines.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.provenance header --tools {input.tools:q} --run {input.run:q}"
        " --out {output.txt:q} 2> {log:q}"


rule joint_genotype:
    input:
        bcfs=get_group_gvcfs,
        ref=REF,
        fai=f"{REF}.fai",
        header="work/variants/provenance_header.txt",
    output:
        vcf="variants/{batch}.vcf.gz",
        tbi="variants/{batch}.vcf.gz.tbi",
    params:
        merge=get_merge_command(),
        min_qual=BATCH.calling.min_qual,
        depth_fraction=BATCH.calling.min_depth_fraction,
    log:
        "logs/call/joint_genotype/{batch}.log",
    benchmark:
        "benchmarks/call/joint_genotype/{batch}.tsv"
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=720,
    shell:
        # merge the calling groups (hom-ref filled from gVCF blocks), keep variant records, split
        # multiallelics, left-align and trim against the reference; then soft-filter: LowQual below
        # calling.min_qual, LowDP below calling.min_depth_fraction x the median INFO/DP of the batch's
        # variant records (relative to the batch's coverage, not an absolute depth); provenance header lines.
        "({params.merge} --output-type u {input.bcfs:q}"
        " | bcftools view --exclude 'ALT=\".\"' --output-type u"
        " | bcftools norm --multiallelics -any --fasta-ref {input.ref:q} --output-type u"
        " | bcftools view --exclude 'ALT=\"*\" || ALT=\"<*>\"' --output-type u"
        " | bcftools +fill-tags --output-type b --output {output.vcf:q}.unfiltered.bcf -- --tags AC,AN,AF"
        " && min_dp=$(bcftools query --format '%INFO/DP\\n' {output.vcf:q}.unfiltered.bcf | sort -n"
        " | awk -v f={params.depth_fraction} '{{d[NR] = $1}} END {{print NR ? f * d[int((NR + 1) / 2)] : 0}}')"
        " && bcftools filter --mode + --soft-filter LowQual --exclude 'QUAL<{params.min_qual}' --output-type u"
        " {output.vcf:q}.unfiltered.bcf"
        " | bcftools filter --mode + --soft-filter LowDP --exclude \"INFO/DP<$min_dp\" --output-type u"
        " | bcftools annotate --header-lines {input.header:q} --output-type z"
        " --output {output.vcf:q}.tmp.vcf.gz"
        " && rm {output.vcf:q}.unfiltered.bcf && tabix -p vcf {output.vcf:q}.tmp.vcf.gz"
        " && mv {output.vcf:q}.tmp.vcf.gz.tbi {output.tbi:q} && mv {output.vcf:q}.tmp.vcf.gz {output.vcf:q})"
        " 2> {log:q}"
