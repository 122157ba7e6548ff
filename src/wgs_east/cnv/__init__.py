"""Copy-number and structural variants: ClinGen CNV points (:mod:`.scoring`), population frequency
from a gnomAD-SV-style source (:mod:`.population`)."""
