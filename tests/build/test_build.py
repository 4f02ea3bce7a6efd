"""Tests of the report build (rhoresearch.build): configuration, parameters, builds, faults, verify.

The notebooks are small fixtures of this test suite (tests/fixtures/notebooks/), not the workstream
ones; each test builds into a scratch project root (RHORESEARCH_ROOT). Kernel runs are costly, so the
reports built once in the module fixture ``built`` are shared.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _buildkit import FIXTURES, make_project, project_env, subprocess_env, without_times

from rhoresearch import build
from rhoresearch.build.spec import load_config, validate_parameters
from rhoresearch.build.verify import compare_results
from rhoresearch.exceptions import (
    BuildError,
    ConfigError,
    NotebookExecutionError,
    ParameterError,
)
from rhoresearch.provenance import file_sha256

PY = sys.executable


def _spec(report_id="light-north", **params):
    specs = {s.id: s for s in load_config(FIXTURES / "reports.yml")}
    spec = specs[report_id]
    return type(spec)(**{**spec.__dict__, "parameters": {**spec.parameters, **params}})


# --- configuration and parameters (no kernel) --------------------------------------------------


def test_config_expands_grid_with_own_ids_titles_and_parameters():
    specs = load_config(FIXTURES / "reports.yml")
    assert [s.id for s in specs] == ["full", "light-north", "light-south", "failing", "sleepy"]
    north = specs[1]
    assert north.parameters == {"multiplier": 3, "region": "north"}
    assert north.title == "Light report: north"
    assert north.notebook == (FIXTURES / "notebooks" / "report_light.ipynb").resolve()
    assert specs[2].parameters["region"] == "south"
    # the entry hash changes with the entry, and only with it
    assert north.entry_sha256() != specs[2].entry_sha256()
    assert _spec("light-north", multiplier=4).entry_sha256() != north.entry_sha256()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {id: a, notebook: notebooks/report_light.ipynb}\n", "'title' is missing"),
        (
            "  - {id: a, notebook: notebooks/report_light.ipynb, title: t, grid: {region: [x]}}\n",
            "must appear in the id",
        ),
        ("  - {id: a, notebook: notebooks/nope.ipynb, title: t}\n", "does not exist"),
        ("  - {id: A B, notebook: notebooks/report_light.ipynb, title: t}\n", "folder name"),
        ("  - {id: a, notebook: notebooks/report_light.ipynb, title: t, colour: red}\n", "colour"),
        (
            "  - {id: a, notebook: notebooks/report_light.ipynb, title: t}\n"
            "  - {id: a, notebook: notebooks/report_light.ipynb, title: u}\n",
            "repeats",
        ),
    ],
)
def test_config_errors_say_what_and_where(tmp_path, entry, message):
    make_project(tmp_path, config_text="reports:\n" + entry)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "reports.yml")


def test_project_configuration_is_valid_and_keeps_the_workstream_marker():
    # workstream entries are appended under the marker; every report's parameters must match
    root = Path(__file__).resolve().parents[2]
    specs = load_config(root / "reports.yml")
    build.validate(specs)
    assert "# --- workstream reports ---" in (root / "reports.yml").read_text()


def test_unknown_parameter_is_one_line_naming_report_and_parameter():
    with pytest.raises(ParameterError) as info:
        validate_parameters(_spec(multiplyer=2))
    message = str(info.value)
    assert "\n" not in message
    assert "report 'light-north'" in message
    assert "'multiplyer'" in message
    assert "expected one of: multiplier, region" in message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"multiplier": "three"}, "expected int"),
        ({"multiplier": 2.5}, "expected int"),
        ({"multiplier": True}, "expected int"),
        ({"region": 3}, "expected str"),
    ],
)
def test_type_mismatch_is_one_line(params, expected):
    with pytest.raises(ParameterError) as info:
        validate_parameters(_spec(**params))
    message = str(info.value)
    assert "\n" not in message and "report 'light-north'" in message and expected in message
    assert f"parameter '{next(iter(params))}'" in message


def test_int_is_accepted_for_a_float_default():
    assert validate_parameters(_spec("sleepy", seconds=2)) is None  # default 1.0: accepted
    with pytest.raises(ParameterError, match="parameter 'seconds'"):
        validate_parameters(_spec("sleepy", seconds="2"))  # a string is not


def test_build_validates_every_report_before_running_any(tmp_path):
    text = (FIXTURES / "reports.yml").read_text().replace("multiplier: 3", "multiplier: x")
    make_project(tmp_path, config_text=text)
    with project_env(tmp_path), pytest.raises(ParameterError, match="light-north"):
        build.build()
    assert not list((tmp_path / "reports").glob("*/manifest.json"))


def test_compare_results_names_the_first_differing_cells(tmp_path):
    a, b = tmp_path / "a" / "results", tmp_path / "b" / "results"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (a / "t.csv").write_text("g,count,rate\nA,10,1.5\nB,20,2.5\n")
    (b / "t.csv").write_text("g,count,rate\nA,10,1.5000000000001\nB,20,2.6\n")
    (a / "gone.csv").write_text("x\n1\n")
    out = compare_results(a.parent, b.parent, rtol=1e-9)
    assert out[0] == "results/gone.csv not produced by the rerun"
    assert "results/t.csv: 1 cell(s) differ" in out[1] and "row 1 rate: 2.5 -> 2.6" in out[1]
    assert compare_results(a.parent, a.parent) == []


# --- builds (slow: they start kernels) ---------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A scratch project with 'full', 'light-north' and 'light-south' built."""
    root = make_project(tmp_path_factory.mktemp("built"))
    with project_env(root):
        results = build.build(["full", "light-*"])
    assert results == {"full": "built", "light-north": "built", "light-south": "built"}
    return root


@pytest.mark.slow
def test_success_writes_the_report_folder(built):
    folder = built / "reports" / "full"
    assert sorted(p.name for p in folder.iterdir() if p.name != "kernel.log") == [
        "figures",
        "manifest.json",
        "report.html",
        "report.ipynb",
        "results",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in (
        "report_id",
        "notebook",
        "parameters",
        "inputs",
        "outputs",
        "code",
        "environment",
        "started_at",
        "finished_at",
        "status",
        "cells",
    ):
        assert key in manifest, key
    assert manifest["status"] == "success" and manifest["report_id"] == "full"
    assert manifest["notebook"] == "notebooks/report_full.ipynb"
    data = built / "data" / "demo" / "sample" / "counts.csv"
    assert manifest["inputs"] == [
        {
            "path": "data/demo/sample/counts.csv",
            "bytes": data.stat().st_size,
            "sha256": file_sha256(data),
        }
    ]
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert outputs["results/rates.csv"] == file_sha256(folder / "results" / "rates.csv")
    assert "figures/rates.png" in outputs
    assert set(manifest["code"]) >= {"commit", "dirty", "version"}
    assert manifest["environment"]["packages"]["papermill"]
    assert all(c["duration_s"] is not None for c in manifest["cells"])
    assert manifest["demo_data"] is True
    assert (folder / "results" / "rates.csv").read_bytes() == (
        b"group,count,population,rate\nA,20,1900,10.5263157895\nB,30,2000,15\nC,15,1500,10\n"
    )


@pytest.mark.slow
def test_html_has_header_banner_footer_and_no_code_or_remote_scripts(built):
    page = (built / "reports" / "full" / "report.html").read_text()
    assert "<title>Full sample report</title>" in page
    assert "Demonstration data" in page
    assert "Provenance" in page and "counts.csv" in page
    assert 'src="data:image/png;base64,' in page
    assert 'alt="Bar chart of the rate per 1,000 by group"' in page
    assert "import pandas" not in page and "data_path =" not in page  # code hidden
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", page, re.I)
    assert "cdnjs" not in page and "unpkg" not in page and "mathjax" not in page.lower()
    north = (built / "reports" / "light-north" / "report.html").read_text()
    assert "Demonstration data</strong>" not in north  # no demo input, no banner
    assert "region" in north and "north" in north  # parameters in the header


@pytest.mark.slow
def test_grid_reports_get_their_own_parameters_and_results(built):
    for region in ("north", "south"):
        folder = built / "reports" / f"light-{region}"
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["parameters"] == {"multiplier": 3, "region": region}
        csv = (folder / "results" / "summary.csv").read_text()
        assert csv == f"region,count,share\n{region},30,0.333333333333\n"
    index = (built / "reports" / "index.html").read_text()
    for report_id in ("full", "light-north", "light-south"):
        assert f'href="{report_id}/report.html"' in index


@pytest.mark.slow
def test_second_build_is_a_no_op_until_something_changes(built):
    with project_env(built):
        t0 = time.perf_counter()
        assert build.build(["full", "light-*"]) == dict.fromkeys(
            ["full", "light-north", "light-south"], "up to date"
        )
        assert time.perf_counter() - t0 < 5
        specs = {s.id: s for s in build.load()}
        nb = built / "notebooks" / "report_light.ipynb"
        before = nb.stat()
        try:
            os.utime(nb, (before.st_atime, time.time() + 60))
            assert build.status(specs["light-north"]) == "notebooks/report_light.ipynb changed"
            assert build.status(specs["full"]) == "up to date"
        finally:
            os.utime(nb, ns=(before.st_atime_ns, before.st_mtime_ns))
        changed = type(specs["full"])(**{**specs["full"].__dict__, "title": "Renamed"})
        assert build.status(changed) == "its reports.yml entry changed"


@pytest.mark.slow
def test_make_fragment_targets_each_report_and_is_quiet_when_up_to_date(built):
    with project_env(built):
        fragment = build.write_makefile()
    text = fragment.read_text()
    assert "REPORT_IDS := full light-north light-south failing sleepy" in text
    assert (
        "reports/full/manifest.json: notebooks/report_full.ipynb reports/.config/full.json" in text
    )
    stamp = built / "reports" / ".config" / "full.json"
    assert json.loads(stamp.read_text())["notebook"] == "notebooks/report_full.ipynb"
    targets = [f"reports/{i}/manifest.json" for i in ("full", "light-north", "light-south")]
    make = ["make", "-f", str(fragment), "PY=false", "RHO_SOURCES="]
    assert subprocess.run([*make, "-q", *targets], cwd=built).returncode == 0
    stat = stamp.stat()
    os.utime(stamp, (stat.st_atime, time.time() + 60))
    try:
        dry = subprocess.run([*make, "-n", *targets], cwd=built, capture_output=True, text=True)
        assert dry.stdout.count("rhoresearch build") == 1 and "reports full" in dry.stdout
    finally:
        os.utime(stamp, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.slow
def test_failing_cell_keeps_the_previous_report_and_names_the_cell(built, caplog):
    reports = built / "reports"
    previous = reports / "failing"
    shutil.copytree(reports / "light-north", previous)  # stands in for a previous good build
    before = {p: p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    with project_env(built):
        spec = {s.id: s for s in build.load()}["failing"]
        with pytest.raises(NotebookExecutionError) as info:
            build.build_report(spec, force=True)
    error = info.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith("report 'failing' failed: notebooks/report_fail.ipynb cell 4")
    assert "ZeroDivisionError: division by zero" in message
    assert (error.report_id, error.cell_index, error.ename) == ("failing", 4, "ZeroDivisionError")
    kept = reports / "_failed" / "failing" / "report.ipynb"
    assert kept.exists() and "ZeroDivisionError" in kept.read_text()
    failed_manifest = json.loads((kept.parent / "manifest.json").read_text())
    assert failed_manifest["status"] == "failed"
    assert {p: p.read_bytes() for p in previous.rglob("*") if p.is_file()} == before
    assert not list(reports.glob(".tmp-*"))
    with project_env(built):
        build.index()
    assert "last build failed" in (reports / "index.html").read_text().lower()
    shutil.rmtree(previous)


@pytest.mark.slow
def test_cli_build_exits_non_zero_on_a_failing_notebook(built):
    env = subprocess_env(built)
    proc = subprocess.run(
        [PY, "-m", "rhoresearch", "build", "failing"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert "report 'failing' failed" in lines[0] and "cell 4 (In [3])" in lines[0]


@pytest.mark.slow
def test_two_builds_give_identical_results_and_manifests_but_times(built, tmp_path):
    with project_env(built):
        spec = {s.id: s for s in build.load()}["full"]
        again = build.build_report(spec, reports_dir=tmp_path, force=True)
    first = json.loads((built / "reports" / "full" / "manifest.json").read_text())
    assert without_times(again) == without_times(first)
    second = json.loads((tmp_path / "full" / "manifest.json").read_text())
    assert without_times(second) == without_times(first)
    for name in ("results/rates.csv", "results/rates.meta.json", "figures/rates.png"):
        assert (tmp_path / "full" / name).read_bytes() == (
            built / "reports" / "full" / name
        ).read_bytes()


@pytest.mark.slow
def test_verify_reproduces_then_names_a_tampered_input(built, tmp_path):
    with project_env(built):
        (verdict,) = build.verify(["full"])
    assert verdict.verdict == "REPRODUCED", verdict.line()
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    data = copy / "data" / "demo" / "sample" / "counts.csv"
    data.write_text(data.read_text() + "D,9,800\n")
    proc = subprocess.run(
        [PY, "-m", "rhoresearch", "verify", "full"],
        env=subprocess_env(copy),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("full: INPUTS CHANGED: data/demo/sample/counts.csv sha256 "), (
        proc.stdout
    )
    assert "0 of 1 report(s) reproduced" in proc.stdout


@pytest.mark.slow
def test_two_builds_running_at_once_build_each_report_once(tmp_path):
    root = make_project(tmp_path)
    env = subprocess_env(root)
    cmd = [PY, "-m", "rhoresearch", "build"]
    procs = [
        subprocess.Popen([*cmd, *ids], env=env, stderr=subprocess.PIPE, text=True)
        for ids in (["light-north", "light-south"], ["light-south", "light-north"])
    ]
    logs = [p.communicate(timeout=150)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    joined = "".join(logs)
    assert joined.count(": built in") == 2, joined
    assert joined.count("up to date") >= 2
    index = (root / "reports" / "index.html").read_text()
    assert 'href="light-north/report.html"' in index and 'href="light-south/report.html"' in index
    assert not list((root / "reports").glob(".tmp-*"))


@pytest.mark.slow
def test_build_killed_part_way_leaves_no_complete_looking_report(tmp_path):
    config = (FIXTURES / "reports.yml").read_text().replace("seconds: 0.2", "seconds: 60.0")
    root = make_project(tmp_path, config_text=config)
    reports = root / "reports"
    proc = subprocess.Popen(
        [PY, "-m", "rhoresearch", "build", "sleepy"],
        env=subprocess_env(root),
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not list(reports.glob(".tmp-sleepy-*/started")):
            assert proc.poll() is None and time.monotonic() < deadline, "cell never started"
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (reports / "sleepy").exists()
    leftovers = list(reports.glob(".tmp-sleepy-*"))
    assert leftovers and not (leftovers[0] / "manifest.json").exists()
    (root / "reports.yml").write_text(config.replace("seconds: 60.0", "seconds: 0.1"))
    with project_env(root):
        assert build.build(["sleepy"]) == {"sleepy": "built"}
    assert json.loads((reports / "sleepy" / "manifest.json").read_text())["status"] == "success"
    assert not list(reports.glob(".tmp-sleepy-*"))


def test_build_errors_pickle_with_their_evidence():
    error = NotebookExecutionError("m", report_id="r", notebook="n", cell_index=3, ename="E")
    again = pickle.loads(pickle.dumps(error))
    assert (again.report_id, again.cell_index, again.ename, str(again)) == ("r", 3, "E", "m")
    assert isinstance(again, BuildError)
    plain = pickle.loads(pickle.dumps(BuildError("2 reports failed: a, b")))
    assert type(plain) is BuildError and str(plain) == "2 reports failed: a, b"


def test_build_imports_without_compiling_the_iri_grammar():
    # jsonschema (through nbformat) imports rfc3987_syntax, which compiles a Lark grammar at import
    # (1.3 s of CPU per build process); rhoresearch.build puts a stand-in that imports it on the
    # first IRI check (the check itself is jsonschema's, unchanged: not run here, it would compile)
    try:
        import rfc3987_syntax  # noqa: F401
    except ImportError:
        pytest.skip("rfc3987_syntax is not installed: nothing to defer")
    code = (
        "import sys, rhoresearch.build, jsonschema\n"
        "m = sys.modules.get('rfc3987_syntax')\n"
        "print(getattr(m, '_rhoresearch_stand_in', False), 'lark' in sys.modules,"
        " callable(m.is_valid_syntax))\n"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "True"]


def test_environment_info_is_read_once_and_handed_out_as_copies():
    from rhoresearch.build import manifest

    first = manifest.environment_info()
    first["packages"]["numpy"] = "tampered"
    assert manifest.environment_info()["packages"]["numpy"] != "tampered"
    assert manifest._environment_cache  # cached for the next report of this process


@pytest.mark.slow
def test_session_fixtures_make_each_thing_once(demo_data, demo_report, tmp_path):
    folder, truth = demo_data("workforce")
    stamp = (folder / "staff_in_post.csv").stat().st_mtime_ns
    again, truth_again = demo_data("workforce")
    assert again == folder and truth_again == truth and truth
    assert (folder / "staff_in_post.csv").stat().st_mtime_ns == stamp  # not generated twice
    with project_env(make_project(tmp_path / "project")):
        report = demo_report("light-north")
        manifest = json.loads((report / "manifest.json").read_text())
        assert demo_report("light-north") == report
        assert json.loads((report / "manifest.json").read_text()) == manifest  # not rebuilt
