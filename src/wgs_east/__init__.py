"""wgs-east: whole-genome sequencing pipeline of the regional genome centre."""

__version__ = "0.1.0"
"""The pipeline version (also the package's: pyproject.toml reads it from here); set here only, so that no
command pays for importlib.metadata at start-up."""
