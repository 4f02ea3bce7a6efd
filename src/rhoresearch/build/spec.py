"""Reading ``reports.yml``: report entries, grid expansion and parameter validation.

The format is documented in the comment header of the project's ``reports.yml``. In short::

    reports:
      - id: mental-health-{region}          # grid keys appear in the id as {name}
        notebook: notebooks/06-mental-health.ipynb
        title: "Mental health: {region}"
        parameters: {period: "2023-24"}
        grid: {region: [north, south]}        # one report per combination
        inputs: ["data/demo/mental_health/*.csv"]   # optional, for make dependencies
        timeout: 600                          # optional per-cell timeout in seconds
        disclosure: nhs-england               # optional: the notebook's disclosure_policy

Paths (``notebook``, ``inputs``) are relative to the folder holding the configuration file (for the
project's ``reports.yml``: the project root). Parameters are passed to the notebook unchanged, except
that ``{name}`` placeholders of grid keys are filled in string values.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import glob
import hashlib
import itertools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rhoresearch import config
from rhoresearch.exceptions import ConfigError, ParameterError

__all__ = [
    "ReportSpec",
    "default_value",
    "load_config",
    "validate_parameters",
    "DEFAULT_TIMEOUT",
    "load",
    "select",
    "validate",
    "resolve_reports_dir",
    "spec_root",
    "expand_inputs",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_KEYS = {
    "id",
    "notebook",
    "title",
    "parameters",
    "grid",
    "inputs",
    "timeout",
    "description",
    "disclosure",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class ReportSpec:
    """One report to build (after grid expansion).

    Attributes
    ----------
    id : str
        Unique report id (folder name under ``reports/``).
    notebook : pathlib.Path
        Absolute path of the notebook.
    title : str
        Title shown on the report and in the index.
    parameters : dict
        Values injected into the notebook's ``parameters`` cell.
    inputs : tuple of str
        Declared input globs (absolute), used as make dependencies.
    timeout : int
        Per-cell timeout in seconds.
    config_file : pathlib.Path
        The configuration file the entry came from.
    """

    id: str
    notebook: Path
    title: str
    parameters: dict = field(default_factory=dict)
    inputs: tuple = ()
    timeout: int = DEFAULT_TIMEOUT
    config_file: Path | None = None

    def entry(self, root: Path | None = None) -> dict:
        """The expanded entry as plain data (paths relative to ``root`` when inside it)."""

        def rel(p):
            p = Path(p)
            if root is not None:
                try:
                    return p.relative_to(root).as_posix()
                except ValueError:
                    pass
            return p.as_posix()

        return {
            "id": self.id,
            "notebook": rel(self.notebook),
            "title": self.title,
            "parameters": self.parameters,
            "inputs": [rel(p) for p in self.inputs],
            "timeout": self.timeout,
        }

    def entry_sha256(self, root: Path | None = None) -> str:
        """sha256 of the expanded entry (sorted JSON): changes only when this report's entry does."""
        text = json.dumps(self.entry(root), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fill(value, names: dict):
    """Fill ``{key}`` placeholders of grid keys in strings (recursively in lists and dicts)."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(
            lambda m: str(names[m.group(1)]) if m.group(1) in names else m.group(0), value
        )
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _expand(raw: dict, where: str, base: Path, config_file: Path) -> list[ReportSpec]:
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (expected: {', '.join(sorted(_KEYS))})"
        )
    for key in ("id", "notebook", "title"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where}: '{key}' is missing or not a non-empty string")
    params = raw.get("parameters") or {}
    if not isinstance(params, dict):
        raise ConfigError(f"{where}: 'parameters' must be a mapping, got {type(params).__name__}")
    grid = raw.get("grid") or {}
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise ConfigError(f"{where}: 'grid' must map parameter names to non-empty lists")
    missing = [k for k in grid if "{" + k + "}" not in raw["id"]]
    if missing:
        raise ConfigError(
            f"{where}: grid key(s) {', '.join(missing)} must appear in the id as "
            f"{{{missing[0]}}} so that each expanded report has its own id"
        )
    clash = sorted(set(grid) & set(params))
    if clash:
        raise ConfigError(f"{where}: {', '.join(clash)} given both in 'parameters' and 'grid'")
    if "disclosure" in raw:
        # `disclosure: <policy>` is the notebook parameter disclosure_policy, said once per entry
        policy = raw["disclosure"]
        if not isinstance(policy, str) or not policy.strip():
            raise ConfigError(
                f"{where}: 'disclosure' must be a policy name (threshold, nhs-england, opensafely "
                f"or custom), got {policy!r}"
            )
        if "disclosure_policy" in params or "disclosure_policy" in grid:
            raise ConfigError(
                f"{where}: give the disclosure policy once, as 'disclosure' or as the "
                "parameter disclosure_policy"
            )
        params = {**params, "disclosure_policy": policy.strip()}
    inputs = raw.get("inputs") or []
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise ConfigError(f"{where}: 'inputs' must be a list of paths or glob patterns")
    timeout = raw.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise ConfigError(f"{where}: 'timeout' must be a positive whole number of seconds")

    specs = []
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)) if keys else [()]:
        names = dict(zip(keys, combo, strict=True))
        report_id = _fill(raw["id"], names)
        if not _ID_RE.match(report_id):
            raise ConfigError(
                f"{where}: id '{report_id}' is not usable as a folder name "
                "(expected lower-case letters, digits, '.', '_' or '-')"
            )
        parameters = _fill(copy.deepcopy(params), names)
        parameters.update(names)
        specs.append(
            ReportSpec(
                id=report_id,
                notebook=(base / _fill(raw["notebook"], names)).resolve(),
                title=_fill(raw["title"], names),
                parameters=parameters,
                inputs=tuple(str(base / _fill(i, names)) for i in inputs),
                timeout=timeout,
                config_file=config_file,
            )
        )
    return specs


def load_config(path: str | Path) -> list[ReportSpec]:
    """Read a build configuration and return its reports, grids expanded, in file order.

    Raises
    ------
    ConfigError
        The file is missing or malformed, an id repeats, or a notebook does not exist.
    """
    path = Path(path).resolve()
    if not path.exists():
        raise ConfigError(f"{path}: build configuration not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'reports' list at the top")
    entries = data.get("reports") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'reports' must be a list of report entries")
    specs: list[ReportSpec] = []
    seen: dict[str, str] = {}
    for n, raw in enumerate(entries, start=1):
        where = f"{path.name}: report #{n}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a mapping with id, notebook, title, parameters")
        if isinstance(raw.get("id"), str):
            where = f"{path.name}: report '{raw['id']}'"
        for spec in _expand(raw, where, path.parent, path):
            if spec.id in seen:
                raise ConfigError(f"{where}: id '{spec.id}' repeats ({seen[spec.id]})")
            seen[spec.id] = where
            if not spec.notebook.exists():
                raise ConfigError(f"{where}: notebook {spec.notebook} does not exist")
            specs.append(spec)
    return specs


def default_value(text: str) -> tuple[bool, Any]:
    """A notebook parameter's default from its source text (as manifests record it).

    Returns
    -------
    (bool, object)
        Whether the text is a Python literal, and its value (``'"threshold"'`` -> ``"threshold"``).
    """
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


_TYPE_NAMES = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "dict": dict,
    "tuple": list,
}


def _type_ok(value, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is list:
        return isinstance(value, list | tuple)
    return isinstance(value, expected)


def validate_parameters(spec: ReportSpec, *, cache: dict | None = None) -> None:
    """Check a report's parameters against its notebook's ``parameters`` cell.

    Every name must be declared in the cell, and each value must have the type of the declared
    default (an ``int`` is accepted where the default is a ``float``; a ``None`` default accepts
    anything; a type annotation in the cell, ``x: int = 3``, takes precedence over the default).

    Raises
    ------
    ParameterError
        One line naming the report, the parameter and what was expected.
    """
    key = str(spec.notebook)
    if cache is not None and key in cache:
        declared = cache[key]
    else:
        import papermill  # here: reading the configuration does not need it

        declared = papermill.inspect_notebook(key)
        if cache is not None:
            cache[key] = declared
    nb_name = spec.notebook.name
    if spec.parameters and not declared:
        raise ParameterError(
            f"report '{spec.id}': {nb_name} has no cell tagged 'parameters', so parameter "
            f"'{next(iter(spec.parameters))}' cannot be set (expected a 'parameters' cell)"
        )
    for name, value in spec.parameters.items():
        if name not in declared:
            raise ParameterError(
                f"report '{spec.id}': parameter '{name}' is not declared in the parameters cell "
                f"of {nb_name} (expected one of: {', '.join(sorted(declared))})"
            )
        info = declared[name]
        expected = _TYPE_NAMES.get(str(info.get("inferred_type_name", "None")))
        default_text = info.get("default")
        if expected is None:
            ok, default = default_value(default_text)
            if not ok or default is None:
                continue
            expected = _TYPE_NAMES.get(type(default).__name__)
            if expected is None:
                continue
        if not _type_ok(value, expected):
            raise ParameterError(
                f"report '{spec.id}': parameter '{name}' = {value!r} is "
                f"{type(value).__name__}, expected {expected.__name__} like the default "
                f"{default_text} in {nb_name}"
            )


def load(config_path: str | Path | None = None) -> list[ReportSpec]:
    """Read the build configuration (default ``reports.yml`` at the project root)."""
    return load_config(config_path or config.build_config_path())


def select(specs: list[ReportSpec], ids: list[str] | None) -> list[ReportSpec]:
    """Keep the reports whose id matches one of ``ids`` (exact or shell pattern); all if empty."""
    if not ids:
        return list(specs)
    chosen: list[ReportSpec] = []
    unknown: list[str] = []
    for pattern in ids:
        hits = [s for s in specs if fnmatch.fnmatchcase(s.id, pattern)]
        if not hits:
            unknown.append(pattern)
        chosen.extend(h for h in hits if h not in chosen)
    if unknown:
        raise ConfigError(
            f"no report with id {', '.join(map(repr, unknown))} in the build configuration "
            f"(known: {', '.join(s.id for s in specs) or 'none'})"
        )
    return chosen


def validate(specs: list[ReportSpec]) -> None:
    """Check every report's parameters against its notebook (raises ParameterError)."""
    cache: dict = {}
    for spec in specs:
        validate_parameters(spec, cache=cache)


def resolve_reports_dir(reports_dir: str | Path | None) -> Path:
    """The reports folder: ``reports_dir`` resolved, or :func:`rhoresearch.config.reports_dir`."""
    return Path(reports_dir).resolve() if reports_dir is not None else config.reports_dir()


def spec_root(spec: ReportSpec) -> Path:
    """The folder the report's paths are relative to (its configuration file's folder)."""
    return spec.config_file.parent if spec.config_file else config.project_root()


def expand_inputs(spec: ReportSpec) -> list[Path]:
    """The report's declared inputs with glob patterns expanded, sorted within each pattern."""
    found: list[Path] = []
    for pattern in spec.inputs:
        if glob.has_magic(pattern):
            found.extend(Path(p) for p in sorted(glob.glob(pattern, recursive=True)))
        else:
            found.append(Path(pattern))
    return found
