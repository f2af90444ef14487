"""The Metadata API's deploy: install a zip of metadata into the org's schema and storage."""

from .deploy import DeployOptions
from .persistence import DeployedMetadata
from .service import MetadataService

__all__ = ["DeployOptions", "DeployedMetadata", "MetadataService"]
