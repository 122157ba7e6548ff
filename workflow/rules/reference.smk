# Reference preparation, once per output directory: copy, faidx, sequence dictionary, bwa index,
# region chunks for scatter-gather. Nothing is ever written next to the user's FASTA.


rule copy_reference:
    input:
        fasta=str(BATCH.reference.fasta),
    output:
        fasta=REF,
    log:
        "logs/reference/copy_reference.log",
    conda:
        "../envs/htslib.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    shell:
        "(gzip -cdf {input.fasta:q} > {output.fasta:q}.tmp && mv {output.fasta:q}.tmp {output.fasta:q}) 2> {log:q}"


rule index_reference:
    input:
        fasta=REF,
    output:
        fai=f"{REF}.fai",
        dict="reference/genome.dict",
    log:
        "logs/reference/index_reference.log",
    conda:
        "../envs/samtools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "(samtools faidx {input.fasta:q} && samtools dict -o {output.dict:q} {input.fasta:q}) 2> {log:q}"


rule index_reference_bwa:
    input:
        fasta=REF,
    output:
        idx=multiext(REF, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        "logs/reference/index_reference_bwa.log",
    benchmark:
        "benchmarks/reference/index_reference_bwa.tsv"
    conda:
        "../envs/bwa.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mem(8000),
        runtime=180,
    shell:
        "bwa index {input.fasta:q} 2> {log:q}"


rule split_reference_regions:
    input:
        fasta=REF,
        fai=f"{REF}.fai",
    output:
        scatter.chunks("reference/chunks/chunk_{scatteritem}.bed"),
    params:
        chunk_size=CHUNK_SIZE,
        exclude=BATCH.reference.exclude_contigs,
    log:
        "logs/reference/split_reference_regions.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    shell:
        "python -m wgs_east.regions --fasta {input.fasta:q} --chunk-size {params.chunk_size}"
        " --exclude {params.exclude:q} -- {output:q} 2> {log:q}"


rule make_ploidy_files:
    input:
        batch=config["batch_json"],
        fai=f"{REF}.fai",
    output:
        ploidy="work/call/{group}.ploidy",
        samples="work/call/{group}.samples",
        cnv="work/call/{group}.cnv.bed",
    log:
        "logs/call/make_ploidy_files/{group}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    shell:
        "python -m wgs_east.ploidy --batch-json {input.batch:q} --group {wildcards.group:q}"
        " --fai {input.fai:q} --ploidy {output.ploidy:q} --samples {output.samples:q}"
        " --cnv-map {output.cnv:q} 2> {log:q}"
