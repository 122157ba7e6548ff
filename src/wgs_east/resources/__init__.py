"""Resource bundles: the manifest model (``manifest``), its checks against the files and the reference
(``check``), and the preparation of real GRCh38 sources (``prepare``, used by ``resources/*.sh``)."""
