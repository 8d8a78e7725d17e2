from __future__ import annotations

from pathlib import Path

import pytest

import seclabel

# The repository: testdata/ (the golden corpus) and host/seclabel.wasm.
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def engine() -> seclabel.Engine:
    """One engine for the tests that do not configure it."""
    return seclabel.Engine(instances=2)
