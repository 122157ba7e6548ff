# Annotation with the resource bundle of the config's `resources:` (README, Annotation):
#   bcftools csq (local consequences, all transcripts) over the batch VCF, once;
#   per region chunk: the gene step (transcript choice, HGVS, NMD, repeats, ClinVar residues, gene table;
#   python -m wgs_east.annotate.genes), then one `bcftools annotate` per source (population, ClinVar,
#   in-silico scores); chunks gathered into annotated/{batch}.vcf.gz with the bundle's versions in the header.
# Defined only when a bundle is configured.

if MANIFEST is not None:

    rule write_annotation_header:
        input:
            manifest=RESOURCE_MANIFEST,
        output:
            txt="work/annotate/header.txt",
        log:
            "logs/annotate/write_annotation_header.log",
        conda:
            "../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=500,
            runtime=10,
        shell:
            "python -m wgs_east.annotate.fields header --manifest {input.manifest:q} --out {output.txt:q}"
            " 2> {log:q}"

    rule index_transcripts:
        input:
            gff=get_gene_models(),
        output:
            tsv="work/annotate/transcripts.tsv",
        log:
            "logs/annotate/index_transcripts.log",
        benchmark:
            "benchmarks/annotate/index_transcripts.tsv"
        conda:
            "../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(4000),
            runtime=60,
        shell:
            "python -m wgs_east.annotate.transcripts --gff {input.gff:q} --out {output.tsv:q} 2> {log:q}"

    rule predict_consequences:
        input:
            vcf="variants/{batch}.vcf.gz",
            tbi="variants/{batch}.vcf.gz.tbi",
            ref=REF,
            fai=f"{REF}.fai",
            gff=get_gene_models(),
            header="work/annotate/header.txt",
        output:
            bcf=temp("work/annotate/{batch}.csq.bcf"),
            csi=temp("work/annotate/{batch}.csq.bcf.csi"),
        log:
            "logs/annotate/predict_consequences/{batch}.log",
        benchmark:
            "benchmarks/annotate/predict_consequences/{batch}.tsv"
        conda:
            "../envs/bcftools.yaml"
        threads: 2
        resources:
            mem_mb=scaled_mem(8000),
            runtime=720,
        shell:
            # --local-csq: one record at a time. Haplotype-aware calling needs phased genotypes; the batch
            # VCF is unphased and --phase a would invent cis configurations (README, Annotation).
            "(bcftools annotate --no-version --header-lines {input.header:q} --output-type u {input.vcf:q}"
            " | bcftools csq --local-csq --samples - --trim-protein-seq 10 --fasta-ref {input.ref:q}"
            " --gff-annot {input.gff:q} --threads {threads} --output-type b --output {output.bcf:q}.tmp.bcf"
            " && bcftools index --force --output {output.csi:q} {output.bcf:q}.tmp.bcf"
            " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

    rule tabulate_gene_annotations:
        input:
            bcf=f"work/annotate/{BATCH.batch}.csq.bcf",
            csi=f"work/annotate/{BATCH.batch}.csq.bcf.csi",
            regions="reference/chunks/chunk_{scatteritem}.bed",
            transcripts="work/annotate/transcripts.tsv",
            ref=REF,
            fai=f"{REF}.fai",
            extra=get_gene_step_inputs(),
        output:
            tsv=temp("work/annotate/chunks/{scatteritem}.genes.tsv.gz"),
            tbi=temp("work/annotate/chunks/{scatteritem}.genes.tsv.gz.tbi"),
        params:
            extra=get_gene_step_args(),
        log:
            "logs/annotate/tabulate_gene_annotations/{scatteritem}.log",
        benchmark:
            "benchmarks/annotate/tabulate_gene_annotations/{scatteritem}.tsv"
        conda:
            "../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(4000),
            runtime=720,
        shell:
            "python -m wgs_east.annotate.genes --vcf {input.bcf:q} --regions {input.regions:q}"
            " --transcripts {input.transcripts:q} --reference {input.ref:q} {params.extra:q}"
            " --out {output.tsv:q} > {log:q} 2>&1"

    rule add_gene_annotations:
        input:
            bcf=f"work/annotate/{BATCH.batch}.csq.bcf",
            csi=f"work/annotate/{BATCH.batch}.csq.bcf.csi",
            regions="reference/chunks/chunk_{scatteritem}.bed",
            tsv="work/annotate/chunks/{scatteritem}.genes.tsv.gz",
            tbi="work/annotate/chunks/{scatteritem}.genes.tsv.gz.tbi",
        output:
            bcf=temp("work/annotate/chunks/{scatteritem}.genes.bcf"),
            csi=temp("work/annotate/chunks/{scatteritem}.genes.bcf.csi"),
        params:
            columns=get_gene_annotation_columns(),
        log:
            "logs/annotate/add_gene_annotations/{scatteritem}.log",
        conda:
            "../envs/bcftools.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=240,
        shell:
            # --regions-overlap 0: a record belongs to the chunk holding its POS (each record exactly once)
            "(bcftools annotate --no-version --regions-file {input.regions:q} --regions-overlap 0"
            " --annotations {input.tsv:q} --columns {params.columns:q}"
            " --output-type b --output {output.bcf:q}.tmp.bcf {input.bcf:q}"
            " && bcftools index --force --output {output.csi:q} {output.bcf:q}.tmp.bcf"
            " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

    rule annotate_from_source:
        input:
            unpack(get_source_step_inputs),
        output:
            bcf=temp("work/annotate/chunks/{scatteritem}.source_{source}.bcf"),
            csi=temp("work/annotate/chunks/{scatteritem}.source_{source}.bcf.csi"),
        params:
            columns=get_source_columns,
        log:
            "logs/annotate/annotate_from_source/{source}/{scatteritem}.log",
        benchmark:
            "benchmarks/annotate/annotate_from_source/{source}/{scatteritem}.tsv"
        conda:
            "../envs/bcftools.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(2000),
            runtime=480,
        shell:
            # alleles matched exactly: sources and batch VCF are normalised (biallelic, left-aligned)
            "(bcftools annotate --no-version --pair-logic exact --annotations {input.annotations:q}"
            " --columns {params.columns:q} --output-type b --output {output.bcf:q}.tmp.bcf {input.bcf:q}"
            " && bcftools index --force --output {output.csi:q} {output.bcf:q}.tmp.bcf"
            " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

    rule gather_annotations:
        input:
            chunks=get_annotated_chunks,
            csis=get_annotated_chunk_indexes,
            vcf="variants/{batch}.vcf.gz",
            tbi="variants/{batch}.vcf.gz.tbi",
        output:
            vcf="annotated/{batch}.vcf.gz",
            tbi="annotated/{batch}.vcf.gz.tbi",
        log:
            "logs/annotate/gather_annotations/{batch}.log",
        benchmark:
            "benchmarks/annotate/gather_annotations/{batch}.tsv"
        conda:
            "../envs/bcftools.yaml"
        threads: 2
        resources:
            mem_mb=1000,
            runtime=240,
        shell:
            # every record of the batch VCF must come out exactly once (chunks cover the genome)
            "(bcftools concat --no-version --threads {threads} --output-type z"
            " --output {output.vcf:q}.tmp.vcf.gz {input.chunks:q}"
            " && tabix -p vcf {output.vcf:q}.tmp.vcf.gz"
            " && n_in=$(bcftools index --nrecords {input.vcf:q})"
            " && n_out=$(bcftools index --nrecords {output.vcf:q}.tmp.vcf.gz)"
            " && if [ \"$n_in\" != \"$n_out\" ]; then echo \"annotated $n_out records of $n_in\" >&2; exit 1; fi"
            " && mv {output.vcf:q}.tmp.vcf.gz.tbi {output.tbi:q} && mv {output.vcf:q}.tmp.vcf.gz {output.vcf:q})"
            " 2> {log:q}"

    if MANIFEST.one("clinvar") is not None:

        rule normalise_clinvar:
            input:
                vcf=get_clinvar_vcf(),
                index=get_clinvar_index(),
                ref=REF,
                fai=f"{REF}.fai",
            output:
                bcf=temp("work/annotate/clinvar.norm.bcf"),
                csi=temp("work/annotate/clinvar.norm.bcf.csi"),
            log:
                "logs/annotate/normalise_clinvar.log",
            benchmark:
                "benchmarks/annotate/normalise_clinvar.tsv"
            conda:
                "../envs/bcftools.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=60,
            shell:
                # contigs of the reference only; split and left-align like the batch VCF; records whose REF
                # disagrees with the reference are dropped
                "(awk -v OFS='\\t' '{{print $1, 0, $2}}' {input.fai:q} > {output.bcf:q}.contigs.bed"
                " && bcftools view --regions-file {output.bcf:q}.contigs.bed --regions-overlap 0 --output-type u"
                " {input.vcf:q}"
                " | bcftools norm --no-version --multiallelics -any --check-ref x --fasta-ref {input.ref:q}"
                " --output-type b --output {output.bcf:q}.tmp.bcf"
                " && bcftools index --force --output {output.csi:q} {output.bcf:q}.tmp.bcf"
                " && rm {output.bcf:q}.contigs.bed && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

        rule tabulate_clinvar:
            input:
                bcf="work/annotate/clinvar.norm.bcf",
                csi="work/annotate/clinvar.norm.bcf.csi",
            output:
                tsv="work/annotate/clinvar.tsv.gz",
                tbi="work/annotate/clinvar.tsv.gz.tbi",
            params:
                fields=get_clinvar_field_args(),
            log:
                "logs/annotate/tabulate_clinvar.log",
            benchmark:
                "benchmarks/annotate/tabulate_clinvar.tsv"
            conda:
                "../envs/python.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=60,
            shell:
                "python -m wgs_east.annotate.clinvar table --vcf {input.bcf:q} {params.fields:q}"
                " --out {output.tsv:q} 2> {log:q}"

        rule predict_clinvar_consequences:
            input:
                bcf="work/annotate/clinvar.norm.bcf",
                csi="work/annotate/clinvar.norm.bcf.csi",
                ref=REF,
                fai=f"{REF}.fai",
                gff=get_gene_models(),
            output:
                bcf=temp("work/annotate/clinvar.plp.csq.bcf"),
            params:
                include=get_clinvar_prefilter(),
            log:
                "logs/annotate/predict_clinvar_consequences.log",
            benchmark:
                "benchmarks/annotate/predict_clinvar_consequences.tsv"
            conda:
                "../envs/bcftools.yaml"
            threads: 1
            resources:
                mem_mb=scaled_mem(8000),
                runtime=120,
            shell:
                # the (likely) pathogenic records only; python -m wgs_east.annotate.clinvar decides exactly
                "(bcftools view --include {params.include:q} --output-type u {input.bcf:q}"
                " | bcftools csq --local-csq --samples - --fasta-ref {input.ref:q} --gff-annot {input.gff:q}"
                " --output-type b --output {output.bcf:q}.tmp.bcf"
                " && mv {output.bcf:q}.tmp.bcf {output.bcf:q}) 2> {log:q}"

        rule index_clinvar_residues:
            input:
                bcf="work/annotate/clinvar.plp.csq.bcf",
            output:
                tsv="work/annotate/clinvar_residues.tsv",
            params:
                fields=get_clinvar_field_args(),
            log:
                "logs/annotate/index_clinvar_residues.log",
            conda:
                "../envs/python.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=60,
            shell:
                "python -m wgs_east.annotate.clinvar residues --vcf {input.bcf:q} {params.fields:q}"
                " --out {output.tsv:q} 2> {log:q}"
