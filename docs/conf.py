"""Sphinx configuration of the rhoresearch documentation (``make docs``).

Offline and strict: no intersphinx, no theme download; ``make docs`` runs ``sphinx-build -W
--keep-going -n`` so any warning, broken cross-reference or broken internal link fails the build.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import rhoresearch  # noqa: E402

project = "rhoresearch"
author = "rhoresearch developers"
copyright = "rhoresearch developers, MIT licence"
release = rhoresearch.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "rhodocs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md", "methods-review.md", "**/.ipynb_checkpoints"]
templates_path: list[str] = []

# MyST: $...$ maths, definition lists, anchors for headings (so [text](page.md#heading) links check)
myst_enable_extensions = ["dollarmath", "amsmath", "deflist", "colon_fence"]
myst_heading_anchors = 3

# API reference from the numpydoc docstrings
autosummary_generate = True
autodoc_typehints = "none"  # the types are in the numpydoc Parameters sections

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Strict cross-references: only the names of other projects (no intersphinx offline) are exempt.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(pd|pandas|np|numpy|scipy|statsmodels|matplotlib|ibis|pyspark)(\..*)?"),
    (r"py:.*", r"(DataFrame|Series|ndarray|ArrayLike|Path|Figure|Axes)"),
]

# MathJax is loaded by the reader's browser; without a network the formulas show as TeX source,
# which stays readable. Nothing is fetched at build time.
html_theme = "alabaster"
html_title = f"rhoresearch {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Reproducible evidence on ethnic inequalities in health care",
    "fixed_sidebar": False,
    "page_width": "1100px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False
