"""Classification of the affected samples: annotated VCF -> ACMG engine -> per-sample ranked lists.

- :mod:`~wgs_east.classify.reader`: the annotated VCF in chunks (engine input rows + genotypes).
- :mod:`~wgs_east.classify.pedigree`: affected samples, their parents, QC verdict and parentage.
- :mod:`~wgs_east.classify.sample`: one proband's calls through the engine (pass 1 streamed, pass 2
  from whole-VCF gene totals, :mod:`~wgs_east.classify.phase`).
- :mod:`~wgs_east.classify.inheritance`: de novo, homozygous, compound heterozygous, X-linked
  hemizygous, dominant-inherited candidates matched against the gene's modes of inheritance.
- :mod:`~wgs_east.classify.filters`: optional gene panel / HPO filter (never hides a P/LP variant).
- :mod:`~wgs_east.classify.output`: ``{sample}.tsv``, ``{sample}.json``, ``{sample}.vcf.gz``.
- :mod:`~wgs_east.classify.run`: ``wgs-east classify`` and ``python -m wgs_east.classify.run``.
"""
