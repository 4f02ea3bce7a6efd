"""The ``disclosure:`` key of a reports.yml entry: the notebook parameter ``disclosure_policy``."""

from pathlib import Path

import pytest

from rhoresearch.build.spec import load_config
from rhoresearch.exceptions import ConfigError

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def _config(tmp_path: Path, entry: str) -> Path:
    notebook = sorted(NOTEBOOK.glob("*.ipynb"))[0]
    path = tmp_path / "reports.yml"
    path.write_text(
        "reports:\n"
        f"  - id: one\n    notebook: {notebook}\n    title: One\n" + entry,
        encoding="utf-8",
    )
    return path


def test_disclosure_key_becomes_the_policy_parameter(tmp_path):
    (spec,) = load_config(_config(tmp_path, "    disclosure: nhs-england\n"))
    assert spec.parameters["disclosure_policy"] == "nhs-england"


def test_no_disclosure_key_leaves_the_notebook_default(tmp_path):
    (spec,) = load_config(_config(tmp_path, ""))
    assert "disclosure_policy" not in spec.parameters


def test_policy_given_twice_is_refused(tmp_path):
    entry = "    disclosure: opensafely\n    parameters: {disclosure_policy: threshold}\n"
    with pytest.raises(ConfigError, match="once"):
        load_config(_config(tmp_path, entry))


def test_policy_must_be_a_name(tmp_path):
    with pytest.raises(ConfigError, match="policy name"):
        load_config(_config(tmp_path, "    disclosure: {name: opensafely}\n"))
