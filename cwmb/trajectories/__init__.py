"""The CWMB trajectory dataset: schema, lossless storage and collection."""

from cwmb.trajectories.dataset import SCHEMA_VERSION, Dataset
from cwmb.trajectories.storage import load_dataset, write_dataset

__all__ = ["SCHEMA_VERSION", "Dataset", "load_dataset", "write_dataset"]
