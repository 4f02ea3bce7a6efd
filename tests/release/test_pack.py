"""Tests for the release pack (issue 16): a clean report, and one with a record-level table."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rhoresearch import cli, disclosure, release
from rhoresearch.exceptions import InputError

_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 16


def _report(tmp_path, report_id="demo-report", policy=None):
    """A built report as the build leaves it: manifest, report.html, results with sidecars, a
    figure with its data; and a build configuration naming it."""
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}")
    config = tmp_path / "reports.yml"
    config.write_text(
        f"reports:\n  - id: {report_id}\n    notebook: nb.ipynb\n    title: A demo report\n"
    )
    folder = tmp_path / "reports" / report_id
    (folder / "results").mkdir(parents=True)
    (folder / "figures").mkdir()
    params = {} if policy is None else {"disclosure_policy": policy}
    manifest = {"status": "success", "parameters": params, "notebook": "nb.ipynb"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "report.html").write_text("<html><main>report</main></html>")
    (folder / "report.ipynb").write_text("{}")
    table = pd.DataFrame({"ethnic_group": ["A", "B", "C"], "count": [3, 20, 40]})
    safe = disclosure.render(disclosure.suppress(table, counts="count"))
    safe.to_csv(folder / "results" / "counts.csv", index=False)
    disclosure.write_sidecar(folder / "results" / "counts.csv", counts=["count"])
    (folder / "figures" / "rates.png").write_bytes(_PNG)
    safe.to_csv(folder / "figures" / "rates.csv", index=False)
    (folder / "results" / "tables.xlsx").write_bytes(b"PK")  # the build's spreadsheet of the CSVs
    return config, tmp_path / "reports", folder


def test_clean_report_passes_and_only_releasable_files_are_copied(tmp_path):
    config, reports, folder = _report(tmp_path)
    result = release.pack("demo-report", config_path=config, reports_dir=reports)
    assert result.ok
    assert sorted(result.released) == [
        "figures/rates.csv",
        "figures/rates.png",
        "report.html",
        "results/counts.csv",
    ]
    out = folder / "release"
    assert not (out / "report.ipynb").exists() and not (out / "manifest.json").exists()
    assert not (out / "results" / "counts.meta.json").exists()
    doc = json.loads((out / "release.json").read_text())
    entry = next(e for e in doc["files"] if e["file"] == "results/counts.csv")
    assert entry["controls"]["policy"] == "threshold"
    assert entry["controls"]["threshold"] == 5
    assert entry["controls"]["secondary_suppression"] is True
    assert entry["smallest_count_shown"] == 40.0  # 3 and 20 are hidden (primary, secondary)
    assert entry["suppressed_cells"] == 2
    assert "disclosure scan" in entry["checks_passed"]
    md = (out / "release.md").read_text()
    assert "results/counts.csv" in md and "Disclosure control (policy 'threshold')" in md
    # the spreadsheet repeats the released CSVs: left out, and said so, not refused
    assert not (out / "results" / "tables.xlsx").exists() and "tables.xlsx" in md
    assert "results/tables.xlsx" in doc["left_out"]


def test_record_level_table_is_refused_and_named(tmp_path, capsys):
    config, reports, folder = _report(tmp_path)
    records = pd.DataFrame(
        {"patient_id": range(6000), "date_of_birth": "1980-01-01", "ethnic_group": "A"}
    )
    records.to_csv(folder / "results" / "records.csv", index=False)
    (folder / "results" / "notes.docx").write_bytes(b"x")
    result = release.pack("demo-report", config_path=config, reports_dir=reports)
    assert not result.ok
    reasons = " ".join(result.refused["results/records.csv"])
    assert "6,000 rows" in reasons and "patient_id" in reasons and "date_of_birth" in reasons
    assert "file type .docx" in " ".join(result.refused["results/notes.docx"])
    assert not (folder / "release" / "results" / "records.csv").exists()
    assert (folder / "release" / "results" / "counts.csv").exists()
    # the command names the file and why, and exits non-zero
    code = cli.main(
        ["release", "demo-report", "--config", str(config), "--reports-dir", str(reports)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "results/records.csv not released" in err and "patient_id" in err


def test_unsafe_table_is_refused(tmp_path):
    config, reports, folder = _report(tmp_path)
    pd.DataFrame({"group": ["A", "B"], "count": [2, 40]}).to_csv(
        folder / "results" / "leak.csv", index=False
    )
    result = release.pack("demo-report", config_path=config, reports_dir=reports)
    assert "disclosure scan" in " ".join(result.refused["results/leak.csv"])


def test_report_policy_is_applied(tmp_path):
    config, reports, folder = _report(tmp_path, policy="nhs-england")
    # a table without a sidecar is checked against the report's policy: 41 is not rounded
    pd.DataFrame({"group": ["A", "B"], "count": [40, 41]}).to_csv(
        folder / "figures" / "extra.csv", index=False
    )
    result = release.pack("demo-report", config_path=config, reports_dir=reports)
    doc = json.loads((result.folder / "release.json").read_text())
    assert doc["policy"]["name"] == "nhs-england"
    assert "multiple of 5" in " ".join(result.refused["figures/extra.csv"])
    # a table whose sidecar records how it was made is checked against that
    assert "results/counts.csv" in result.released


def test_unknown_or_unbuilt_report(tmp_path):
    config, reports, folder = _report(tmp_path)
    with pytest.raises(InputError, match="no report"):
        release.pack("other", config_path=config, reports_dir=reports)
    (folder / "manifest.json").unlink()
    with pytest.raises(InputError, match="not built"):
        release.pack("demo-report", config_path=config, reports_dir=reports)


@pytest.mark.parametrize(
    "name",
    [
        "patient_id",
        "Person ID",
        "nhs_number",
        "NHS No",
        "dob",
        "Date of birth",
        "record_id",
        "detention_id",
        "birth_id",
    ],
)
def test_identifying_columns(name):
    assert release.IDENTIFYING_COLUMN.match(name.strip().lower().replace(" ", "_"))


@pytest.mark.parametrize("name", ["ethnic_group", "count", "patients", "provider_id_count"])
def test_not_identifying_columns(name):
    assert not release.IDENTIFYING_COLUMN.match(name)
