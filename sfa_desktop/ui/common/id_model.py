"""A table model over an ordered id list: rows load lazily, a page at a time, on the DB thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Record
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.common.columns import Column, cell, header

R = TypeVar("R", bound=Record)
# (store, sort field, descending) -> ordered ids; the filter is baked into the callable.
IdsQuery = Callable[[Store, str, bool], list[str]]
Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200


class AccountNames:
    """The names of the accounts a list's rows point at, fetched with each page of rows."""

    def __init__(self, field: str = "account_id") -> None:
        self.field = field
        self.names: dict[str, str] = {}

    def of(self, record: object) -> str:
        """The name of `record`'s account ('' until its page has arrived, or if none)."""
        account_id = getattr(record, self.field, None)
        return self.names.get(account_id, "") if account_id else ""

    def fetch(self, store: Store, records: list[Any]) -> dict[str, str]:
        """On the DB thread: the names of the accounts of `records`."""
        ids = sorted({i for i in (getattr(r, self.field, None) for r in records) if i})
        return {account.id: account.name for account in store.get_many(Account, ids)}


class IdTableModel(QAbstractTableModel, Generic[R]):
    """Holds only ids; `data()` asks for a missing page in the background, shows it on arrival."""

    # The id list was (re)loaded along with its first page.
    reloaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        model: type[R],
        columns: list[Column[R]],
        query: IdsQuery,
        sort: str,
        parent: QObject | None = None,
        accounts: AccountNames | None = None,
    ) -> None:
        """`accounts`, if given, is filled with the names of the rows' accounts."""
        super().__init__(parent)
        self._accounts = accounts
        self._ctx = ctx
        self._model = model
        self._columns = columns
        self._query = query
        self._sort = sort
        self._descending = False
        self._ids: list[str] = []
        self._rows: dict[str, R] = {}
        self._pages_asked: set[int] = set()
        self._generation = 0
        self.loading = False
        # Nothing is queried until a view first needs the rows (see `activate`).
        self.active = False
        ctx.signals.changes_applied.connect(self._changes_applied)

    # -- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        record = self.record_at(index.row())
        if record is None:
            self._ask_page(index.row() // PAGE_SIZE)
            return None
        return cell(self._columns[index.column()], record, role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header(self._columns, section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].sort if 0 <= column < len(self._columns) else None
        if key is None:
            return
        self._sort, self._descending = key, order == Qt.SortOrder.DescendingOrder
        self.reload()

    # -- ids and records ----------------------------------------------------------------------

    def set_query(self, query: IdsQuery) -> None:
        """Use another filter and reload."""
        self._query = query
        self.reload()

    def activate(self) -> None:
        """Start loading (once): pages call this when they are first shown."""
        if not self.active:
            self.active = True
            self.reload()

    def reload(self) -> None:
        """Fetch the ordered ids and the first page on the DB thread, then reset."""
        if not self.active:
            return
        self._generation += 1
        generation, query, sort, descending = (
            self._generation,
            self._query,
            self._sort,
            self._descending,
        )
        self.loading = True

        def fetch(store: Store) -> tuple[list[str], list[R], dict[str, str]]:
            ids = query(store, sort, descending)
            return ids, *self._page(store, ids[:PAGE_SIZE])

        self._ctx.query(fetch, lambda result: self._loaded(generation, *result))

    def _page(self, store: Store, ids: list[str]) -> tuple[list[R], dict[str, str]]:
        """On the DB thread: the records of `ids` and their accounts' names."""
        records = store.get_many(self._model, ids)
        names = self._accounts.fetch(store, records) if self._accounts else {}
        return records, names

    @property
    def ctx(self) -> AppContext:
        return self._ctx

    @property
    def record_type(self) -> type[R]:
        return self._model

    @property
    def columns(self) -> list[Column[R]]:
        return list(self._columns)

    def set_columns(self, columns: list[Column[R]]) -> None:
        """Show other columns (the custom fields' after the built-in ones)."""
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def ids(self) -> list[str]:
        """The listed ids in their current order (filter and sort applied)."""
        return list(self._ids)

    def record_at(self, row: int) -> R | None:
        if 0 <= row < len(self._ids):
            return self._rows.get(self._ids[row])
        return None

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: str) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def _loaded(
        self, generation: int, ids: list[str], first: list[R], names: dict[str, str]
    ) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        if self._accounts is not None:
            self._accounts.names = names
        self._ids = ids
        self._rows = {record.id: record for record in first}
        self._pages_asked = {0}
        self.endResetModel()
        self.loading = False
        self.reloaded.emit()

    def _ask_page(self, page: int) -> None:
        if page in self._pages_asked:
            return
        self._pages_asked.add(page)
        generation = self._generation
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        self._ctx.query(
            lambda store: self._page(store, ids),
            lambda result: self._page_loaded(generation, page, *result),
        )

    def _page_loaded(
        self, generation: int, page: int, records: list[R], names: dict[str, str]
    ) -> None:
        if generation != self._generation:
            return
        if self._accounts is not None:
            self._accounts.names.update(names)
        self._rows.update((record.id, record) for record in records)
        first = page * PAGE_SIZE
        last = min(len(self._ids), first + PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))

    def _changes_applied(self, changes: Changes) -> None:
        if self.active and self._model.entity in changes:
            self.reload()
