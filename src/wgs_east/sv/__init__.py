"""Structural-variant and copy-number calling outputs: delly (read pairs, split reads) genotyped per family,
cnvkit (read depth) segments per sample, merged into one batch VCF (`wgs_east.sv.merge`)."""
