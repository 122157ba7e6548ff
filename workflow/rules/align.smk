# Read trimming (fastp) and alignment (bwa mem -> fixmate -> sort -> merge units -> markdup -> CRAM).


rule trim_reads:
    input:
        unpack(get_fastqs),
    output:
        r1=temp("work/trim/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("work/trim/{sample}/{unit}_R2.fastq.gz"),
        json="qc/fastp/{sample}/{unit}.fastp.json",
        html="qc/fastp/{sample}/{unit}.fastp.html",
    params:
        links=get_fastp_input_links,
    log:
        "logs/align/trim_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/trim_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/fastp.yaml"
    threads: 2
    resources:
        mem_mb=scaled_mem(2000),
        runtime=240,
    shell:
        # fastp decides gzip or plain text by the file name (.gz) and writes its command line unescaped
        # into its JSON: it reads the inputs through symlinks whose names say what the content is
        # (gzip magic bytes) and hold no character of the user's path.
        "ln -sfn {input.r1:q} {params.links[0]:q} && ln -sfn {input.r2:q} {params.links[1]:q}"
        " && fastp --in1 {params.links[0]:q} --in2 {params.links[1]:q} --out1 {output.r1:q} --out2 {output.r2:q}"
        " --detect_adapter_for_pe --compression 1 --thread {threads}"
        " --json {output.json:q} --html {output.html:q} --report_title {wildcards.sample:q}.{wildcards.unit:q}"
        " 2> {log:q} && rm -f {params.links:q}"


rule map_reads:
    input:
        r1="work/trim/{sample}/{unit}_R1.fastq.gz",
        r2="work/trim/{sample}/{unit}_R2.fastq.gz",
        ref=REF,
        idx=multiext(REF, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    output:
        bam=temp("work/align/{sample}/{unit}.bam"),
    params:
        read_group=get_read_group,
    log:
        "logs/align/map_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/map_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/bwa.yaml"
    threads: 8
    resources:
        mem_mb=scaled_mem(12000),
        runtime=1440,
    shell:
        "(bwa mem -t {threads} -R {params.read_group:q} {input.ref:q} {input.r1:q} {input.r2:q}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 768M -T {output.bam:q}.sorttmp -o {output.bam:q}.tmp.bam -"
        " && mv {output.bam:q}.tmp.bam {output.bam:q}) 2> {log:q}"


rule mark_duplicates:
    input:
        bams=get_unit_bams,
        accounting=get_unit_read_accounting,
        ref=REF,
        fai=f"{REF}.fai",
    output:
        cram="alignments/{sample}.cram",
        stats="qc/markdup/{sample}.markdup.txt",
    log:
        "logs/align/mark_duplicates/{sample}.log",
    benchmark:
        "benchmarks/align/mark_duplicates/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    threads: 4
    resources:
        mem_mb=scaled_mem(4000),
        runtime=720,
    shell:
        "(samtools merge -@ {threads} -u -o - {input.bams:q}"
        " | samtools markdup -@ {threads} -s -f {output.stats:q} -T {output.cram:q}.mdtmp"
        " --reference {input.ref:q} -O cram - {output.cram:q}.tmp.cram"
        " && mv {output.cram:q}.tmp.cram {output.cram:q}) 2> {log:q}"


rule index_alignments:
    input:
        cram="alignments/{sample}.cram",
    output:
        crai="alignments/{sample}.cram.crai",
    log:
        "logs/align/index_alignments/{sample}.log",
    conda:
        "../envs/samtools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        "samtools index {input.cram:q} {output.crai:q} 2> {log:q}"


rule check_fastq_pair:
    input:
        unpack(get_fastqs),
    output:
        json="qc/fastq_check/{sample}/{unit}.json",
    log:
        "logs/align/check_fastq_pair/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/check_fastq_pair/{sample}/{unit}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=720,
    shell:
        # the complete check (every record, R1/R2 names pairwise, counts, gzip integrity) runs beside
        # trimming and mapping; the CRAM of a sample is only made when all its units passed.
        "python -m wgs_east.fastq {input.r1:q} {input.r2:q} --out {output.json:q} 2> {log:q}"


rule account_reads:
    input:
        check="qc/fastq_check/{sample}/{unit}.json",
        fastp="qc/fastp/{sample}/{unit}.fastp.json",
        bam="work/align/{sample}/{unit}.bam",
    output:
        json="qc/read_accounting/{sample}/{unit}.json",
    params:
        max_loss=BATCH.qc.max_unit_read_loss,
    log:
        "logs/align/account_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/account_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=500,
        runtime=240,
    shell:
        # pairs checked = pairs read by fastp; fastp's filtering within qc.max_unit_read_loss; reads
        # written by fastp = primary reads of the unit's alignment. Else the job fails naming the unit,
        # and the sample's CRAM is not made.
        "python -m wgs_east.qc.accounting --sample {wildcards.sample:q} --unit {wildcards.unit:q}"
        " --fastq-check {input.check:q} --fastp {input.fastp:q} --bam {input.bam:q}"
        " --max-filtered-fraction {params.max_loss:q} --threads {threads} --out {output.json:q} 2> {log:q}"
