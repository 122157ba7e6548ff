"""wgs-east: whole-genome sequencing pipeline of the regional genome centre."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wgs-east")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
