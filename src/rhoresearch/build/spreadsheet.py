"""Every result table of a report in one accessible spreadsheet: ``results/tables.xlsx``.

Written with gptables, which follows the Government Statistical Service guidance on releasing
statistics in spreadsheets: a cover sheet, a contents sheet, a notes sheet, one table per sheet
starting in cell A1's block (title, descriptions, then the table), no merged cells, no blank rows
or columns inside a table, and symbols in cells explained in the notes. Columns keep the result
CSVs' names, so a reader can match the sheet with the CSV and the report.

References
----------
Government Statistical Service (2021). *Releasing statistics in spreadsheets*.
https://analysisfunction.civilservice.gov.uk/policy-store/releasing-statistics-in-spreadsheets/

Office for National Statistics. *gptables: good practice spreadsheets from pandas*.
https://gptables.readthedocs.io/
"""

from __future__ import annotations

import logging
import re
import warnings
from datetime import datetime
from pathlib import Path

import gptables
import pandas as pd

__all__ = ["SPREADSHEET", "write_spreadsheet"]

logger = logging.getLogger(__name__)

#: Where the spreadsheet goes, relative to a report folder.
SPREADSHEET = "results/tables.xlsx"
#: The creation date written into every spreadsheet: fixed, so that a rebuild gives the same bytes
#: (the build date is in the manifest).
FIXED_CREATED = datetime(2000, 1, 1)
_SYMBOL = re.compile(r"^\[([a-z]+)\]$")
#: GSS symbols in tables, by the letters inside the brackets.
_SYMBOLS = {
    "c": "confidential: suppressed to protect people's privacy",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "low": "rounds to zero but is not zero",
    "e": "estimated",
    "r": "revised",
    "p": "provisional",
    "w": "no or few cases",
}


def _title(stem: str) -> str:
    text = stem.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _gss_symbols(table: pd.DataFrame) -> pd.DataFrame:
    """A hidden cell written with a symbol of only punctuation (``*``, NHS England's) becomes
    ``[c]``, the GSS shorthand for confidential: a spreadsheet cell of special characters alone
    is not accessible (and gptables refuses it)."""
    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            text = out[column].astype("string")
            hidden = text.str.fullmatch(r"[^\w\s]+").fillna(False).astype(bool)
            if hidden.any():
                out[column] = out[column].astype(object).where(~hidden, "[c]")
    return out


def _symbols(table: pd.DataFrame) -> list[str]:
    found: set[str] = set()
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            for value in table[column].dropna().unique():
                m = _SYMBOL.match(str(value))
                if m and m.group(1) in _SYMBOLS:
                    found.add(m.group(1))
    return sorted(found)


def write_spreadsheet(
    report_dir: str | Path,
    *,
    title: str,
    facts: list[tuple[str, str]] | None = None,
    demo: bool = False,
) -> Path | None:
    """Write ``results/tables.xlsx`` from the report's ``results/*.csv``.

    Parameters
    ----------
    report_dir : path
        The report's folder (its ``results/`` holds the tables).
    title : str
        The report's title (on the cover sheet).
    facts : list of (label, value), optional
        Shown on the cover (period, geography, data source, build date, version).
    demo : bool
        Built from demonstration data: said on the cover and in every table's source line.

    Returns
    -------
    pathlib.Path or None
        The spreadsheet, or ``None`` when the report has no result tables.
    """
    folder = Path(report_dir)
    csvs = sorted((folder / "results").glob("*.csv"))
    if not csvs:
        return None
    symbols: dict[str, int] = {}
    sheets: dict[str, gptables.GPTable] = {}
    source = "Demonstration data (synthetic)" if demo else "See the report's provenance"
    for i, path in enumerate(csvs, start=1):
        table = _gss_symbols(pd.read_csv(path))
        notes = []
        for letter in _symbols(table):
            number = symbols.setdefault(letter, len(symbols) + 1)
            notes.append(f"[note {number}]")
        sheet = f"Table_{i}"
        sheets[sheet] = gptables.GPTable(
            table=table,
            table_name=f"table_{i}_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}",
            title=f"{_title(path.stem)} {' '.join(notes)}".strip(),
            subtitles=[f"From {path.name} (the same columns as the CSV file)", title],
            instructions="This worksheet contains one table. Empty cells: no value applies "
            "(for example the interval of the reference group). Some cells refer to notes.",
            source=f"Source: {source}",
        )
    notes_table = pd.DataFrame(
        {
            "Note number": [f"note {n}" for n in symbols.values()],
            "Note text": [f"[{k}] = {_SYMBOLS[k]}." for k in symbols],
        }
    )
    intro = [f"{k}: {v}" for k, v in (facts or [])]
    if demo:
        intro.append("Built from synthetic demonstration data: the numbers are not evidence.")
    cover = gptables.Cover(
        title=title,
        intro=["Every result table of this report, one per sheet.", *intro],
        about=["Tables have passed disclosure control; symbols in cells are explained in Notes."],
    )
    out = folder / SPREADSHEET
    tmp = out.with_name(f".{out.name}.tmp.xlsx")
    # gptables warns of empty cells (the instructions explain them) and about pandas internals
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = gptables.produce_workbook(
            filename=str(tmp),
            sheets=sheets,
            cover=cover,
            contentsheet_options={"title": "Table of contents"},
            notes_table=notes_table if len(notes_table) else None,
            auto_width=True,
            workbook_options={"in_memory": True},
        )
        # a fixed creation date (also the zip entries' time stamps): the same tables give the same
        # bytes, so a rebuild's manifest records the same sha256
        workbook.set_properties({"created": FIXED_CREATED})
        workbook.close()
    tmp.replace(out)
    logger.debug("spreadsheet written: %s (%d tables)", out, len(sheets))
    return out
