"""Statistical disclosure control for counts published by ward.

The council's rule: any public count under the threshold (5, and 0 counts too) is
suppressed and shown as "fewer than 5". A suppressed cell must not be recoverable from
published totals either, so we also apply *secondary* suppression.

How it works
------------
A table is a set of *lines*. Each line is an equation ``members add up to total``: a
series and its total; each row of a 2-D table and its row total; each column and its
column total; and the row totals (and the column totals) with the grand total.

1. Primary: every count below the threshold is suppressed, totals included.
2. Secondary, for each line whose total is published: if the suppressed members are
   fewer than 2, or add up to less than the threshold, we also suppress the smallest
   published member (ties go to the member that comes first in key order) and repeat,
   until at least 2 members are suppressed and add up to at least the threshold. If
   every member is already suppressed and that still is not enough, the total is
   suppressed too. (In a series this happens only when the total is under the
   threshold, and that total is already suppressed. In a table it can also happen
   in a row or column that has only one cell.)
3. For a line whose total is suppressed although it would have been published, if
   all members are published anyone could add them up, so we suppress the smallest
   member as well.
4. Steps 2 and 3 repeat over every line until nothing changes.

After this, each line with a published total leaves a remainder of at least the
threshold, shared by at least 2 suppressed members. So one line alone never gives away
an exact suppressed value. :func:`is_safe` checks this condition.

Limitation: the rules look at each line separately. Someone who combines several rows
and columns (linear programming over the whole table) can sometimes pin down a
suppressed cell in a 2-D table. This is usually a 0 forced by the other cells. In
random test tables it happened to about 1 suppressed cell in 2,000. To guard against
it, pass ``suppress_table(..., lp_audit=True)``: an exact audit with scipy that adds
suppression until no cell can be pinned down. It takes about 2 s for 37 wards x 8
categories, so run it in a background task, not in a request.

This module is pure Python and does not import Django. scipy is imported only by
:func:`audit_table`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_THRESHOLD",
    "GRAND_TOTAL_KEY",
    "SUPPRESSED_LABEL",
    "TOTAL_KEY",
    "Cell",
    "SuppressedSeries",
    "SuppressedTable",
    "audit_table",
    "is_safe",
    "suppressed_label",
    "suppress_series",
    "suppress_table",
]

DEFAULT_THRESHOLD = 5

Reason = Literal["primary", "secondary"]

#: Key given to the total cell of a series.
TOTAL_KEY = "Total"
#: Key given to the grand total cell of a table.
GRAND_TOTAL_KEY = "Total"


def suppressed_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The public label for a suppressed count, e.g. ``"fewer than 5"``."""
    return f"fewer than {threshold}"


SUPPRESSED_LABEL = suppressed_label(DEFAULT_THRESHOLD)


@dataclass(frozen=True)
class Cell:
    """One published number.

    ``value`` is ``None`` when suppressed. ``display`` is what the public sees: the
    count with thousands separators (``"1,234"``) or the suppression label.
    """

    key: Hashable
    value: int | None
    suppressed: bool
    reason: Reason | None
    display: str


@dataclass(frozen=True)
class SuppressedSeries:
    """A 1-D series (e.g. a count for each ward) after disclosure control.

    ``total`` is ``None`` when the total was not published (``publish_total=False``).
    """

    cells: list[Cell]
    total: Cell | None
    threshold: int = DEFAULT_THRESHOLD
    label: str = SUPPRESSED_LABEL
    _index: dict[Hashable, Cell] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {cell.key: cell for cell in self.cells})

    def __getitem__(self, key: Hashable) -> Cell:
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.cells)

    def __len__(self) -> int:
        return len(self.cells)

    def as_dict(self) -> dict[Hashable, str]:
        """Key to public display string, e.g. ``{"E05008714": "fewer than 5"}``."""
        return {cell.key: cell.display for cell in self.cells}

    def published_values(self) -> dict[Hashable, int | None]:
        """Key to published value (``None`` where suppressed)."""
        return {cell.key: cell.value for cell in self.cells}


@dataclass(frozen=True)
class SuppressedTable:
    """A 2-D table (e.g. ward x category) after disclosure control.

    ``cells`` is keyed by ``(row, column)``. ``row_totals`` and ``column_totals`` are
    empty dicts when they were not published, and ``grand_total`` is then ``None``.
    """

    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[tuple[Hashable, Hashable], Cell]
    row_totals: dict[Hashable, Cell]
    column_totals: dict[Hashable, Cell]
    grand_total: Cell | None
    threshold: int = DEFAULT_THRESHOLD
    label: str = SUPPRESSED_LABEL

    def __getitem__(self, key: tuple[Hashable, Hashable]) -> Cell:
        return self.cells[key]

    def cell(self, row: Hashable, column: Hashable) -> Cell:
        return self.cells[(row, column)]

    def row(self, row: Hashable) -> list[Cell]:
        return [self.cells[(row, column)] for column in self.columns]

    def column(self, column: Hashable) -> list[Cell]:
        return [self.cells[(row, column)] for row in self.rows]

    def as_dict(self) -> dict[tuple[Hashable, Hashable], str]:
        """``(row, column)`` to public display string."""
        return {key: cell.display for key, cell in self.cells.items()}


# --------------------------------------------------------------------------- engine


@dataclass
class _Line:
    """``sum(values[m] for m in members) == values[total]``.

    ``total`` is ``None`` for a line whose total nobody can see or work out.
    """

    members: list[int]
    total: int | None


class _Engine:
    """Suppression state over a flat list of cells (inner cells and totals)."""

    def __init__(self, values: list[int], threshold: int) -> None:
        self.values = values
        self.threshold = threshold
        self.reason: list[Reason | None] = [
            "primary" if value < threshold else None for value in values
        ]

    def suppressed(self, index: int) -> bool:
        return self.reason[index] is not None

    def _suppress_smallest(self, members: Sequence[int]) -> bool:
        candidates = [m for m in members if not self.suppressed(m)]
        if not candidates:
            return False
        # ``members`` is already in key order and min() keeps the first of equal values.
        smallest = min(candidates, key=lambda m: self.values[m])
        self.reason[smallest] = "secondary"
        return True

    def _fix_line(self, line: _Line) -> bool:
        if line.total is None:
            return False
        changed = False
        if not self.suppressed(line.total):
            while True:
                hidden = [m for m in line.members if self.suppressed(m)]
                if not hidden:
                    break
                if len(hidden) >= 2 and sum(self.values[m] for m in hidden) >= self.threshold:
                    break
                if not self._suppress_smallest(line.members):
                    # Every member is hidden, but the published total would still give
                    # them away (a one-member line, or a remainder under the
                    # threshold), so hide the total as well.
                    self.reason[line.total] = "secondary"
                    changed = True
                    break
                changed = True
        elif line.members and not any(self.suppressed(m) for m in line.members):
            # A hidden total that is just the sum of published members.
            self._suppress_smallest(line.members)
            changed = True
        return changed

    def run(self, lines: Sequence[_Line]) -> None:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if self._fix_line(line):
                    changed = True


# --------------------------------------------------------------------------- helpers


def _check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise TypeError(f"threshold must be a whole number, got {threshold!r}")
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    return threshold


def _check_count(key: Hashable, value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"count for {key!r} must be a whole number, got {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"count for {key!r} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"count for {key!r} is negative ({number}); counts must be 0 or more")
    return number


def _make_cell(key: Hashable, value: int, reason: Reason | None, label: str) -> Cell:
    if reason is None:
        return Cell(key=key, value=value, suppressed=False, reason=None, display=f"{value:,}")
    return Cell(key=key, value=None, suppressed=True, reason=reason, display=label)


def _check_label(label: str | None, threshold: int) -> str:
    if label is None:
        return suppressed_label(threshold)
    if not isinstance(label, str) or not label.strip():
        raise ValueError("label must be a non-empty string")
    return label


def _ordered_unique(items: Iterable[Hashable]) -> list[Hashable]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------- public API


def suppress_series(
    *,
    counts: Mapping[Hashable, int],
    threshold: int = DEFAULT_THRESHOLD,
    publish_total: bool = True,
    label: str | None = None,
) -> SuppressedSeries:
    """Apply primary and secondary suppression to a 1-D series of counts.

    ``label`` replaces the public text for suppressed cells. The default is
    ``"fewer than {threshold}"``. Secondary cells get the same label, so nobody can tell
    them apart from primary ones, even though a secondary cell is not actually small. If
    that matters, use a neutral label such as ``"[c]"`` with a footnote.

    Cells keep the order of ``counts``. This order also breaks ties when choosing
    secondary cells. Raises ``ValueError`` for negative counts and ``TypeError`` for
    counts that are not whole numbers.
    """
    threshold = _check_threshold(threshold)
    label = _check_label(label, threshold)
    keys = list(counts)
    values = [_check_count(key, counts[key]) for key in keys]
    total_index = len(values)
    engine = _Engine([*values, sum(values)], threshold)
    members = list(range(len(values)))
    if publish_total:
        engine.run([_Line(members=members, total=total_index)])
    cells = [_make_cell(key, values[i], engine.reason[i], label) for i, key in enumerate(keys)]
    total = (
        _make_cell(TOTAL_KEY, sum(values), engine.reason[total_index], label)
        if publish_total
        else None
    )
    return SuppressedSeries(cells=cells, total=total, threshold=threshold, label=label)


def suppress_table(
    *,
    counts: Mapping[tuple[Hashable, Hashable], int],
    threshold: int = DEFAULT_THRESHOLD,
    publish_row_totals: bool = True,
    publish_column_totals: bool = True,
    publish_grand_total: bool = True,
    rows: Sequence[Hashable] | None = None,
    columns: Sequence[Hashable] | None = None,
    label: str | None = None,
    lp_audit: bool = False,
) -> SuppressedTable:
    """Apply primary and secondary suppression to a 2-D table of counts.

    ``counts`` maps ``(row, column)`` to a count. A missing combination counts as 0.
    ``rows`` and ``columns`` set the order (and can add empty rows or columns). By
    default they are taken in order of first appearance in ``counts``. This order also
    breaks ties when choosing secondary cells.

    Row, column and grand totals take part in the same rules as cells. A grand total
    that is not published still counts as known when both row and column totals are
    published, because anyone can add those up. This is the cautious choice.

    ``lp_audit=True`` adds a check over the whole table (it needs scipy). After the
    line-by-line rules, :func:`audit_table` works out, for each suppressed cell, the
    range of values consistent with everything published. If that range allows only
    one whole number, the smallest published cell in the same row (or else the same
    column, or else anywhere) is suppressed as well, the line rules run again, and
    the check repeats until no suppressed cell can be pinned down.
    """
    threshold = _check_threshold(threshold)
    label = _check_label(label, threshold)
    checked = {key: _check_count(key, value) for key, value in counts.items()}
    for key in checked:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"table keys must be (row, column) pairs, got {key!r}")
    row_keys = _ordered_unique(rows if rows is not None else (r for r, _ in checked))
    column_keys = _ordered_unique(columns if columns is not None else (c for _, c in checked))
    unknown = [key for key in checked if key[0] not in row_keys or key[1] not in column_keys]
    if unknown:
        raise ValueError(f"counts has keys outside the given rows/columns, e.g. {unknown[0]!r}")

    n_rows, n_cols = len(row_keys), len(column_keys)
    values = [checked.get((r, c), 0) for r in row_keys for c in column_keys]

    def inner(i: int, j: int) -> int:
        return i * n_cols + j

    row_sums = [sum(values[inner(i, j)] for j in range(n_cols)) for i in range(n_rows)]
    col_sums = [sum(values[inner(i, j)] for i in range(n_rows)) for j in range(n_cols)]
    row_total_index = [len(values) + i for i in range(n_rows)]
    col_total_index = [len(values) + n_rows + j for j in range(n_cols)]
    grand_index = len(values) + n_rows + n_cols
    all_values = [*values, *row_sums, *col_sums, sum(values)]
    engine = _Engine(all_values, threshold)

    grand_known = publish_grand_total or (publish_row_totals and publish_column_totals)
    lines: list[_Line] = []
    if publish_row_totals:
        for i in range(n_rows):
            lines.append(_Line([inner(i, j) for j in range(n_cols)], row_total_index[i]))
    if publish_column_totals:
        for j in range(n_cols):
            lines.append(_Line([inner(i, j) for i in range(n_rows)], col_total_index[j]))
    if grand_known:
        grand = grand_index
        if publish_row_totals:
            lines.append(_Line(row_total_index, grand))
        if publish_column_totals:
            lines.append(_Line(col_total_index, grand))
        if not (publish_row_totals or publish_column_totals):
            lines.append(_Line(list(range(len(values))), grand))
    engine.run(lines)

    def build() -> SuppressedTable:
        cells = {
            (r, c): _make_cell((r, c), values[inner(i, j)], engine.reason[inner(i, j)], label)
            for i, r in enumerate(row_keys)
            for j, c in enumerate(column_keys)
        }
        row_totals = (
            {
                r: _make_cell(r, row_sums[i], engine.reason[row_total_index[i]], label)
                for i, r in enumerate(row_keys)
            }
            if publish_row_totals
            else {}
        )
        column_totals = (
            {
                c: _make_cell(c, col_sums[j], engine.reason[col_total_index[j]], label)
                for j, c in enumerate(column_keys)
            }
            if publish_column_totals
            else {}
        )
        grand_total = (
            _make_cell(GRAND_TOTAL_KEY, sum(values), engine.reason[grand_index], label)
            if publish_grand_total
            else None
        )
        return SuppressedTable(
            rows=row_keys,
            columns=column_keys,
            cells=cells,
            row_totals=row_totals,
            column_totals=column_totals,
            grand_total=grand_total,
            threshold=threshold,
            label=label,
        )

    table = build()
    if not lp_audit:
        return table
    position = {r: i for i, r in enumerate(row_keys)}, {c: j for j, c in enumerate(column_keys)}
    while True:
        exposed = [
            key for key, (low, high) in audit_table(table=table).items() if _pinned(low, high)
        ]
        progress = False
        for r, c in exposed:
            i, j = position[0][r], position[1][c]
            for candidates in (
                [inner(i, jj) for jj in range(n_cols)],
                [inner(ii, j) for ii in range(n_rows)],
                list(range(len(values))),
            ):
                if engine._suppress_smallest(candidates):
                    progress = True
                    break
        if not progress:
            return table
        engine.run(lines)
        table = build()


def _pinned(low: float, high: float) -> bool:
    """Does ``[low, high]`` hold exactly one whole number?"""
    if math.isinf(high):
        return False
    return math.floor(high + 1e-7) <= math.ceil(low - 1e-7)


def audit_table(*, table: SuppressedTable) -> dict[tuple[Hashable, Hashable], tuple[float, float]]:
    """For each suppressed cell, the range of values consistent with what is published.

    This is a linear-programming audit (scipy is imported only when it is called). It
    uses only the published values and the table's sum equations, with every count at
    least 0. A range that holds a single whole number means the cell can be recovered
    exactly. ``high`` is ``math.inf`` when nothing bounds the cell.
    """
    import numpy as np
    from scipy.optimize import linprog

    Item = tuple[str, Hashable]
    known: dict[Item, float] = {}
    variables: dict[Item, int] = {}

    def register(item: Item, cell: Cell | None) -> None:
        if cell is not None and not cell.suppressed and cell.value is not None:
            known[item] = cell.value
        else:
            variables[item] = len(variables)

    for key, cell in table.cells.items():
        register(("cell", key), cell)
    for r, cell in table.row_totals.items():
        register(("row", r), cell)
    for c, cell in table.column_totals.items():
        register(("column", c), cell)
    has_grand = table.grand_total is not None or bool(table.row_totals and table.column_totals)
    if has_grand:
        register(("grand", None), table.grand_total)

    equations: list[tuple[list[Item], Item]] = []
    if table.row_totals:
        for r in table.rows:
            equations.append(([("cell", (r, c)) for c in table.columns], ("row", r)))
    if table.column_totals:
        for c in table.columns:
            equations.append(([("cell", (r, c)) for r in table.rows], ("column", c)))
    if has_grand:
        if table.row_totals:
            equations.append(([("row", r) for r in table.rows], ("grand", None)))
        if table.column_totals:
            equations.append(([("column", c) for c in table.columns], ("grand", None)))
        if not (table.row_totals or table.column_totals):
            equations.append(([("cell", key) for key in table.cells], ("grand", None)))

    hidden_cells = [key for key, cell in table.cells.items() if cell.suppressed]
    if not hidden_cells:
        return {}
    n = len(variables)
    a_rows: list[list[float]] = []
    b_rows: list[float] = []
    for members, total in equations:
        row = [0.0] * n
        rhs = 0.0
        for item, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if item in variables:
                row[variables[item]] += sign
            else:
                rhs -= sign * known[item]
        if any(row):
            a_rows.append(row)
            b_rows.append(rhs)

    result: dict[tuple[Hashable, Hashable], tuple[float, float]] = {}
    for key in hidden_cells:
        if not a_rows:
            result[key] = (0.0, math.inf)
            continue
        objective = np.zeros(n)
        objective[variables[("cell", key)]] = 1.0
        bounds: list[tuple[float, float | None]] = [(0.0, None)] * n
        a_eq, b_eq = np.array(a_rows), np.array(b_rows)
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0:
            raise RuntimeError(f"disclosure audit failed for {key!r}: {low.message}")
        result[key] = (float(low.fun), -float(high.fun) if high.status == 0 else math.inf)
    return result


# --------------------------------------------------------------------------- checker


def _line_is_safe(
    *,
    members: Sequence[Cell],
    true_values: Sequence[int],
    total_known: bool,
    total_hidden: bool,
    threshold: int,
) -> bool:
    """Can anyone work out a suppressed member exactly from this one line?

    ``total_known``: the public can see or work out the line's total.
    ``total_hidden``: the total is a published cell that was suppressed, so it must not
    be the plain sum of published members either. Only the suppression flags are used
    to judge what is public. The true values only measure the hidden remainder.
    """
    hidden = [v for cell, v in zip(members, true_values, strict=True) if cell.suppressed]
    if total_known:
        return not hidden or (len(hidden) >= 2 and sum(hidden) >= threshold)
    if total_hidden:
        return bool(hidden) or not members
    return True


def _cells_consistent(
    cells: Sequence[Cell], true_values: Sequence[int], threshold: int, label: str
) -> bool:
    """Small counts are hidden, and published values and labels tell the truth."""
    for cell, true in zip(cells, true_values, strict=True):
        if cell.suppressed:
            if cell.value is not None or cell.display != label:
                return False
        elif true < threshold or cell.value != true or cell.display != f"{true:,}":
            return False
    return True


def is_safe(
    *,
    result: SuppressedSeries | SuppressedTable,
    counts: Mapping[Hashable, int] | Mapping[tuple[Hashable, Hashable], int],
) -> bool:
    """A brute-force check of a suppression result against the true ``counts``.

    It checks that:

    * every count (or total) under the threshold is suppressed, and every published
      value is the true one;
    * in each line whose total the public can see (or work out: an unpublished grand
      total is the sum of a margin that is fully published), the total minus the
      published members leaves a remainder shared by at least 2 suppressed members,
      adding up to at least the threshold;
    * a suppressed total is never just the sum of fully published members.

    This is a line-by-line check, not a linear-programming audit of the whole table.
    See the module docstring.
    """
    threshold = result.threshold
    label = result.label
    if isinstance(result, SuppressedSeries):
        series_counts: Mapping[Hashable, int] = counts  # type: ignore[assignment]
        true = [series_counts[c.key] for c in result.cells]
        if not _cells_consistent(result.cells, true, threshold, label):
            return False
        if result.total is None:
            return True
        return _cells_consistent([result.total], [sum(true)], threshold, label) and (
            _line_is_safe(
                members=result.cells,
                true_values=true,
                total_known=not result.total.suppressed,
                total_hidden=result.total.suppressed,
                threshold=threshold,
            )
        )

    table = result
    table_counts: Mapping[tuple[Hashable, Hashable], int] = counts  # type: ignore[assignment]
    true_cells = {(r, c): table_counts.get((r, c), 0) for r in table.rows for c in table.columns}
    row_true = {r: sum(true_cells[(r, c)] for c in table.columns) for r in table.rows}
    col_true = {c: sum(true_cells[(r, c)] for r in table.rows) for c in table.columns}
    grand_true = sum(true_cells.values())

    checks: list[tuple[Cell, int]] = [(table.cells[k], v) for k, v in true_cells.items()]
    checks += [(cell, row_true[r]) for r, cell in table.row_totals.items()]
    checks += [(cell, col_true[c]) for c, cell in table.column_totals.items()]
    if table.grand_total is not None:
        checks.append((table.grand_total, grand_true))
    if not _cells_consistent([c for c, _ in checks], [v for _, v in checks], threshold, label):
        return False

    # (members, true values, total known, total hidden)
    lines: list[tuple[list[Cell], list[int], bool, bool]] = []
    for r, total in table.row_totals.items():
        lines.append(
            (
                table.row(r),
                [true_cells[(r, c)] for c in table.columns],
                not total.suppressed,
                total.suppressed,
            )
        )
    for c, total in table.column_totals.items():
        lines.append(
            (
                table.column(c),
                [true_cells[(r, c)] for r in table.rows],
                not total.suppressed,
                total.suppressed,
            )
        )

    margins: list[tuple[list[Cell], list[int]]] = []
    if table.row_totals:
        margins.append(
            ([table.row_totals[r] for r in table.rows], [row_true[r] for r in table.rows])
        )
    if table.column_totals:
        margins.append(
            (
                [table.column_totals[c] for c in table.columns],
                [col_true[c] for c in table.columns],
            )
        )
    if not margins:
        margins.append(([table.cells[k] for k in true_cells], list(true_cells.values())))
    if table.grand_total is not None:
        grand_known = not table.grand_total.suppressed
        grand_hidden = table.grand_total.suppressed
    else:
        # Not published, but anyone can add up a margin that is fully published.
        grand_known = any(
            bool(members) and not any(cell.suppressed for cell in members) for members, _ in margins
        )
        grand_hidden = False
    for members, true_values in margins:
        lines.append((members, true_values, grand_known, grand_hidden))

    return all(
        _line_is_safe(
            members=members,
            true_values=true_values,
            total_known=known,
            total_hidden=hidden,
            threshold=threshold,
        )
        for members, true_values, known, hidden in lines
    )
