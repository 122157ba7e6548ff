# ACMG/AMP classification of the affected samples: the annotated batch VCF through the engine
# (wgs_east.acmg), per affected sample a ranked TSV, a JSON with the evidence trail, a VCF with the
# class, points and criteria as INFO, and the audit of every Benign / Likely benign / BA1 call
# (benign.tsv.gz). One job per affected sample (each streams the batch VCF once);
# PS2 vs PM6 follows the QC relatedness check, the QC verdict is carried into every output.
# Defined only when a resource bundle is configured (the annotation stage runs). A reanalysis
# (wgs-east reanalyze, run.json `derived_from`) also compares the sample's classification with the
# earlier run's: changes.tsv (wgs_east.classify.changes).

if BATCH.resources is not None:

    rule classify_variants:
        input:
            unpack(get_classification_inputs),
        output:
            tsv="classified/{sample}.tsv",
            json="classified/{sample}.json",
            vcf="classified/{sample}.vcf.gz",
            tbi="classified/{sample}.vcf.gz.tbi",
            benign="classified/{sample}.benign.tsv.gz",
        params:
            outdir=get_classified_dir,
        wildcard_constraints:
            sample=get_affected_constraint(),
        log:
            "logs/classify/classify_variants/{sample}.log",
        benchmark:
            "benchmarks/classify/classify_variants/{sample}.tsv"
        conda:
            "../envs/classify.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mem(4000),
            runtime=240,
        shell:
            "python -m wgs_east.classify.run --vcf {input.vcf:q} --batch-json {input.batch:q}"
            " --run-json {input.run:q} --qc {input.qc:q} --resources {input.manifest:q}"
            " --outdir {params.outdir:q} --sample {wildcards.sample:q} > {log:q} 2>&1"

    if BATCH.sv.enabled:

        # Structural variants of one affected sample (wgs_east.cnv.sv): genes and exons, ClinGen HI/TS,
        # gnomAD-SV frequency, ClinVar SVs, family inheritance, ClinGen CNV points (Riggs et al. 2020)
        # for losses and gains, gene-breaking inversions/breakends as candidates.
        rule classify_svs:
            input:
                vcf=f"sv/{BATCH.batch}.sv.vcf.gz",
                tbi=f"sv/{BATCH.batch}.sv.vcf.gz.tbi",
                cnv="sv/{sample}.cnv.tsv",
                qc=f"qc/{BATCH.batch}.qc.json",
                manifest=get_resource_manifest(),
                batch=config["batch_json"],
                run=config["run_json"],
            output:
                tsv="classified/{sample}.sv.tsv",
                json="classified/{sample}.sv.json",
            wildcard_constraints:
                sample=get_affected_constraint(),
            log:
                "logs/classify/classify_svs/{sample}.log",
            benchmark:
                "benchmarks/classify/classify_svs/{sample}.tsv"
            conda:
                "../envs/classify.yaml"
            threads: 1
            resources:
                mem_mb=scaled_mem(1000),
                runtime=30,
            shell:
                "python -m wgs_east.cnv.sv --vcf {input.vcf:q} --sample {wildcards.sample:q}"
                " --batch-json {input.batch:q} --run-json {input.run:q} --qc {input.qc:q}"
                " --resources {input.manifest:q} --cnv {input.cnv:q}"
                " --out-tsv {output.tsv:q} --out-json {output.json:q} > {log:q} 2>&1"

    if DERIVED_FROM is not None:

        rule compare_classifications:
            input:
                old=get_previous_classification,
                new=f"classified/{DERIVED_FROM['sample']}.tsv",
            output:
                tsv="changes.tsv",
            log:
                "logs/classify/compare_classifications.log",
            conda:
                "../envs/classify.yaml"
            threads: 1
            resources:
                mem_mb=1000,
                runtime=15,
            shell:
                "python -m wgs_east.classify.changes --old {input.old:q} --new {input.new:q}"
                " --out {output.tsv:q} > {log:q} 2>&1"
