"""Batch configuration: pydantic models (models.py), cross-field checks (checks.py), loading (load.py)."""

from wgs_east.config.load import file_sha256, load_batch
from wgs_east.config.models import Batch, Sample, Sex, Unit

__all__ = ["Batch", "Sample", "Sex", "Unit", "file_sha256", "load_batch"]
