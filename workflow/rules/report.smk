# Clinical reports: one self-contained HTML page per affected sample (header, QC verdict and coverage,
# candidate variants with their evidence trail) and a batch overview linking them and the MultiQC report.
# Data assembly, templates and plots live in wgs_east.report (python -m wgs_east.report.<module>).


rule render_sample_report:
    input:
        unpack(get_sample_report_inputs),
    output:
        html="reports/{sample}.html",
    params:
        optional=get_sample_report_args,
    wildcard_constraints:
        sample=get_report_sample_constraint(),
    log:
        "logs/report/render_sample_report/{sample}.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "python -m wgs_east.report.sample --sample {wildcards.sample:q} --batch-json {input.batch:q}"
        " --run-json {input.run:q} --tools {input.tools:q} --qc {input.qc:q} --coverage {input.coverage:q}"
        " --depth-dist {input.dist:q} {params.optional:q} --out {output.html:q} 2> {log:q}"


rule render_batch_report:
    input:
        unpack(get_batch_report_inputs),
    output:
        html="reports/{batch}.html",
    params:
        optional=get_batch_report_args,
    log:
        "logs/report/render_batch_report/{batch}.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "python -m wgs_east.report.batch --batch-json {input.batch:q} --run-json {input.run:q}"
        " --tools {input.tools:q} --qc {input.qc:q} {params.optional:q} --out {output.html:q} 2> {log:q}"
