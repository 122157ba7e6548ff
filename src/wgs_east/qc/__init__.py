"""Quality control: per-sample metrics from the tools' outputs and PASS / WARN / FAIL verdicts.

Each metric module is a set of pure functions (numpy / pandas / plain data) with a thin reader and a
small CLI that the workflow calls as ``python -m wgs_east.qc.<module>``; every metric step writes one JSON
file under ``qc/metrics/``. :mod:`wgs_east.qc.verdicts` turns those files and the batch's thresholds into
``qc/{batch}.qc.tsv`` / ``.qc.json``; it can be re-run on existing metric files with another config.
"""
