"""Variant annotation: consequences (bcftools csq), HGVS-like notation, transcript choice, gene facts,
ClinVar residue matching, and the reader of the annotated VCF for the ACMG engine (``frame``)."""
