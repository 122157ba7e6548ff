"""Clinical reports: one self-contained HTML page per affected sample and one batch overview.

- :mod:`~wgs_east.report.inputs`: reading the workflow's outputs (QC JSON, classified JSON, mosdepth
  distribution, run facts, tool versions, resource manifest, HPO term names).
- :mod:`~wgs_east.report.context`: pure functions turning those into the data the templates get.
- :mod:`~wgs_east.report.plots`: the coverage figure (matplotlib, inlined as an SVG data URI).
- :mod:`~wgs_east.report.render`: the Jinja2 environment (autoescape on), CSS/JS inlined, atomic write.
- :mod:`~wgs_east.report.sample` / :mod:`~wgs_east.report.batch`: ``python -m`` entry points of the
  workflow's ``render_sample_report`` / ``render_batch_report`` rules.
"""
