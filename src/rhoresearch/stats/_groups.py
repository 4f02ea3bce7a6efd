"""Private grouping core of :mod:`rhoresearch.stats`: integer group codes and per-group sums.

Every indicator groups its rows by the ``by`` columns (:func:`group_index`) and sums arrays per group
(:func:`group_sums`, one ``np.bincount`` per array, in row order). Factorising a string key column is
most of that cost, so a key column whose rows of one value sit together (one row per area and age
band, the usual tidy layout) is factorised by its runs: the first row of each run only, and none
when those are already sorted and distinct. The codes and keys are the same as factorising every
row; only the work differs. When every group is a block of the same number of consecutive rows,
the sums add the blocks column by column (:class:`Groups`), in the same order as ``np.bincount``.
:mod:`rhoresearch.stats._core` re-exports :func:`groups`, :func:`group_index` and
:func:`group_sums`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

#: Rows looked at before deciding whether runs of equal key values are long enough to use
#: (:func:`_run_starts`), and the shortest mean run worth it.
RUN_SAMPLE = 512
_MIN_MEAN_RUN = 4

#: Blocks (:class:`Groups`) are used from this many groups, up to this many rows per group (beyond,
#: ``np.bincount`` is as quick).
_MIN_BLOCK_GROUPS = 256
_MAX_BLOCK = 64


def arrow_strings(values: pd.Series) -> Any:
    """The pyarrow data (one chunk) of an Arrow-backed string column; None for any other dtype."""
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    data = values.array.__arrow_array__()
    if not hasattr(data, "num_chunks"):
        return data
    return data.chunk(0) if data.num_chunks == 1 else data.combine_chunks()


def _run_starts(values: pd.Series) -> np.ndarray | None:
    """Positions where a run of equal values starts, or None when runs would not save work.

    Rows of one group usually sit together (one row per area and age band), so factorising the
    first value of each run and repeating its code is much cheaper than hashing every row. Only for
    Arrow-backed strings and numpy integers or booleans (exact equality; a missing value always
    starts a run of its own); None for other dtypes, or when runs are shorter than
    :data:`_MIN_MEAN_RUN` rows on average (in the first :data:`RUN_SAMPLE` rows, then overall).
    """
    n = len(values)
    strings = arrow_strings(values)
    if strings is not None:

        def changes(stop: int) -> np.ndarray:
            differ = pc.not_equal(strings.slice(1, stop - 1), strings.slice(0, stop - 1))
            if differ.null_count:
                differ = pc.fill_null(differ, True)
            return pc.indices_nonzero(differ).to_numpy().astype("int64") + 1

    elif isinstance(values.dtype, np.dtype) and values.dtype.kind in "iub":
        ints = values.to_numpy()

        def changes(stop: int) -> np.ndarray:
            return np.flatnonzero(ints[1:stop] != ints[: stop - 1]) + 1

    else:
        return None
    sample = min(n, RUN_SAMPLE)
    if sample < 2 or _MIN_MEAN_RUN * (len(changes(sample)) + 1) > sample:
        return None
    starts = changes(n)
    if _MIN_MEAN_RUN * (len(starts) + 1) > n:
        return None
    return np.concatenate([np.zeros(1, dtype="int64"), starts])


def _distinct_sorted_heads(values: pd.Series, starts: np.ndarray) -> pd.Index | None:
    """The first value of each run (``starts``) as an Index when they are sorted, none repeated and
    none missing (each run is then a group of its own, in sorted order); else None."""
    heads = values.array.take(starts)
    strings = arrow_strings(pd.Series(heads, copy=False))
    if strings is None:
        ints = np.asarray(heads)
        return pd.Index(heads) if bool(np.all(ints[1:] > ints[:-1])) else None
    if strings.null_count:
        return None
    later = pc.greater(strings.slice(1), strings.slice(0, len(strings) - 1))
    return pd.Index(heads) if len(strings) < 2 or pc.all(later).as_py() else None


def _sorted_factorize(values: pd.Series) -> tuple[np.ndarray | None, Any, int]:
    """Codes and uniques with the uniques sorted (categories in category order), missing last, and
    the block length when the rows are blocks (see :class:`Groups`; the codes are then None).

    Factorises in first-seen order, then sorts the (few) uniques: cheaper than sorting during the
    factorisation. Values of mixed types that cannot be ordered keep first-seen order. When rows of
    one value sit together (:func:`_run_starts`), only the first row of each run is factorised, and
    when those are already sorted and distinct, none: the result is the same.
    """
    starts = _run_starts(values)
    if starts is None:
        return (*_sorted_factorize_rows(values), 0)
    lengths = np.diff(np.append(starts, len(values)))
    uniques = _distinct_sorted_heads(values, starts)
    if uniques is not None:  # each run a new, larger value: the runs are the groups
        block = int(lengths[0])
        if len(lengths) >= _MIN_BLOCK_GROUPS and block <= _MAX_BLOCK and (lengths == block).all():
            return None, uniques, block
        return np.repeat(np.arange(len(uniques), dtype="int64"), lengths), uniques, 0
    head_codes, uniques = _sorted_factorize_rows(pd.Series(values.array.take(starts)))
    return np.repeat(head_codes, lengths), uniques, 0


def _sorted_factorize_rows(values: pd.Series) -> tuple[np.ndarray, Any]:
    """:func:`_sorted_factorize` of every row: ``pd.factorize``, then the uniques sorted."""
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
    try:
        order = pd.array(uniques).argsort(na_position="last")
    except TypeError:
        return codes.astype("int64"), uniques
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    return rank[codes], uniques.take(order)


def _unique_inverse(combined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(combined, return_inverse=True)``, sorting only the first value of each run."""
    starts = _run_starts(pd.Series(combined, copy=False))
    if starts is None:
        unique, inverse = np.unique(combined, return_inverse=True)
        return unique, inverse.reshape(-1)
    lengths = np.diff(np.append(starts, len(combined)))
    heads = combined[starts]
    if np.all(heads[1:] > heads[:-1]):
        return heads, np.repeat(np.arange(len(heads), dtype="int64"), lengths)
    unique, inverse = np.unique(heads, return_inverse=True)
    return unique, np.repeat(inverse.reshape(-1), lengths)


@dataclass(frozen=True, eq=False)
class Groups:
    """Rows grouped by key columns (:func:`groups`): the keys and each row's group.

    With ``block`` above 0, group ``i`` is rows ``i * block`` to ``(i + 1) * block - 1`` (every group
    ``block`` consecutive rows, in key order: one row per area and age band, sorted by area); the
    codes are then only built when asked for, and :meth:`sum` adds each group's rows without them.
    """

    keys: pd.DataFrame
    block: int = 0
    row_codes: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Number of groups."""
        return len(self.keys)

    def codes(self) -> np.ndarray:
        """Integer group code per row (int64)."""
        if self.row_codes is not None:
            return self.row_codes
        return np.repeat(np.arange(self.n, dtype="int64"), self.block)

    def sum(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``np.bincount(codes, weights, minlength=n)``: the sum of ``weights`` per group (the
        number of rows when None).

        For blocks, one vectorised addition per position in the block instead of a scatter per row;
        the rows of a group are still added in row order starting from 0, as ``np.bincount`` adds
        them, so the sums are the same to the last bit (NaN when a weight in the group is NaN).
        """
        if not self.block:
            return np.bincount(self.codes(), weights=weights, minlength=self.n)
        if weights is None:
            return np.full(self.n, self.block, dtype="int64")
        rows = weights.reshape(self.n, self.block)
        total = np.zeros(self.n)
        for j in range(self.block):
            total += rows[:, j]
        return total


def groups(data: pd.DataFrame, by: list[str]) -> Groups:
    """Group the rows of ``data`` by the ``by`` columns.

    Groups are sorted (a categorical column keeps its category order; only present values appear);
    a missing key value is a group of its own, placed last. One factorisation per key column, then
    integer arithmetic: much cheaper than repeated ``groupby`` on string keys. No ``by`` columns:
    one group of all rows.
    """
    if not by:
        return Groups(pd.DataFrame(index=[0]), row_codes=np.zeros(len(data), dtype="int64"))
    codes_list, uniques_list = [], []
    for col in by:
        codes, uniques, block = _sorted_factorize(data[col])
        if len(by) == 1:
            return Groups(pd.DataFrame({col: uniques}), block=block, row_codes=codes)
        if codes is None:
            codes = np.repeat(np.arange(len(uniques), dtype="int64"), block)
        codes_list.append(codes)
        uniques_list.append(uniques)
    combined = np.zeros(len(data), dtype="int64")
    for codes, uniques in zip(codes_list, uniques_list, strict=True):
        combined = combined * len(uniques) + codes
    unique_combined, inverse = _unique_inverse(combined)
    keys = {}
    rest = unique_combined
    parts = []
    for uniques in reversed(uniques_list):
        parts.append(rest % len(uniques))
        rest = rest // len(uniques)
    for col, uniques, part in zip(by, uniques_list, reversed(parts), strict=True):
        keys[col] = uniques.take(part) if hasattr(uniques, "take") else np.asarray(uniques)[part]
    return Groups(pd.DataFrame(keys).reset_index(drop=True), row_codes=inverse.astype("int64"))


def group_index(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row, and the group keys (one row per code, in code order): the
    codes and keys of :func:`groups`."""
    grouped = groups(data, by)
    return grouped.codes(), grouped.keys


def group_sums(
    data: pd.DataFrame,
    by: list[str],
    values: dict[str, np.ndarray],
    *,
    skipna: dict[str, bool] | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sum arrays by the ``by`` columns of ``data``.

    Returns the group keys (see :func:`group_index`), the sums, and the number of missing values per
    group for each array. With ``skipna[name]`` False (the default) a group with any missing value
    sums to NaN.
    """
    skipna = skipna or {}
    grouped = groups(data, by)
    sums, nmiss = {}, {}
    for k, v in values.items():
        total = grouped.sum(v)
        # a missing value makes its group's sum NaN, so the sums show whether there is one
        nan = np.isnan(v) if np.isnan(total).any() else None
        if nan is not None and nan.any():
            nmiss[k] = grouped.sum(nan).astype("int64")
            total = grouped.sum(np.where(nan, 0.0, v))
            sums[k] = total if skipna.get(k, False) else np.where(nmiss[k] > 0, np.nan, total)
        else:
            nmiss[k] = np.zeros(grouped.n, dtype="int64")
            sums[k] = total
    return grouped.keys, sums, nmiss
