"""Shared test set-up.

Notebook tests (nbval over ``notebooks/``) and any report code run inside the test session write into a
scratch run folder, never into the user's ``reports/``.
"""

from __future__ import annotations

import os
import tempfile

import matplotlib

matplotlib.use("Agg")

# Set before any kernel starts: nbval kernels inherit this environment.
os.environ.setdefault("RHORESEARCH_RUN_DIR", tempfile.mkdtemp(prefix="rhoresearch-test-run-"))
os.environ.setdefault("MPLBACKEND", "Agg")
