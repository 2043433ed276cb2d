"""Import and export over the Store, for the import wizard and the lists' export action.

The steps of an import (see `sfa_desktop.interchange`): `open_import` → `auto_map` →
`analyse_import` → `commit_import`. Reading steps run on the DB
thread like any store read; only `commit_import` writes (one transaction).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from sfa_desktop.core.entities import MODELS, Account, Contact, FieldDefinition, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InUse, NotFound
from sfa_desktop.interchange import (
    DEFAULT_LIMITS,
    Analysis,
    ColumnMapping,
    ExportFormat,
    ImportResult,
    Limits,
    Resolution,
    Source,
    ValueFormat,
    analyse,
    commit,
    export_rows,
    load_existing,
    open_source,
)
from sfa_desktop.interchange.fields import IMPORTABLE, use_custom_fields
from sfa_desktop.interchange.record_columns import Lookups, export_columns, record_rows
from sfa_desktop.interchange.vcard_export import VCardContact, VCardVersion, write_vcards
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store

_PAGE = 1_000  # records read per query while exporting


def offer_custom_fields(store: Store) -> None:
    """Let imports map columns to the admins' live custom fields (by their label)."""
    for kind in IMPORTABLE:
        use_custom_fields(kind, store.field_definitions(kind))


def open_import(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Source:
    """The file as an import source (CSV or vCard, sniffed)."""
    return open_source(path, limits)


def analyse_import(
    store: Store, source: Source, mapping: ColumnMapping, fmt: ValueFormat
) -> Analysis:
    """Every row checked against the mapping, the records' rules and the store."""
    return analyse(source, mapping, fmt, load_existing(store, mapping.kind, fmt.region))


def commit_import(
    store: Store,
    analysis: Analysis,
    decisions: Mapping[int, Resolution] | None = None,
    undecided: Resolution | None = None,
) -> OpResult[ImportResult]:
    """Write the import in one transaction. The undo deletes the records it created
    (offered only when it merged nothing: merged fields have no earlier value kept)."""
    result = commit(store, analysis, decisions, undecided=undecided)
    undo = None
    if result.updated == 0 and (result.created_ids or result.account_ids):
        model = MODELS[result.kind]
        made = [(model, i) for i in result.created_ids] + [(Account, i) for i in result.account_ids]
        undo = Undo(f"import of {result.created:,} records", (lambda s: _delete_all(s, made),))
    return OpResult(result, result.changes, undo)


def _delete_all(store: Store, records: Sequence[tuple[type[Record], str]]) -> Changes:
    changes = Changes()
    for model, record_id in records:
        try:
            changes |= store.delete(model, record_id)
        except (NotFound, InUse):
            continue  # deleted since, or in use by something made after the import
    return changes


# -- export -----------------------------------------------------------------------------------


def record_pages(store: Store, model: type[Record], ids: Sequence[str]) -> Iterator[list[Record]]:
    """The records of `ids` in that order, read a page at a time."""
    for start in range(0, len(ids), _PAGE):
        yield store.get_many(model, list(ids[start : start + _PAGE]))


def _account_names(store: Store, records: Sequence[Record]) -> dict[str, str]:
    wanted = list({i for r in records if (i := getattr(r, "account_id", None))})
    return {a.id: a.name for a in store.get_many(Account, wanted)}


def _export_rows(
    store: Store, kind: EntityKind, ids: Sequence[str], fields: Sequence[FieldDefinition]
) -> Iterator[list[object]]:
    for page in record_pages(store, MODELS[kind], ids):
        yield from record_rows(kind, page, Lookups(_account_names(store, page)), fields)


def export_records(
    store: Store,
    kind: EntityKind,
    ids: Sequence[str],
    path: Path | str,
    fmt: ExportFormat | None = None,
    title: str = "",
) -> int:
    """Accounts, contacts, leads or opportunities (`ids`, in that order) to CSV or XLSX,
    every field, built-in and custom (retired ones too), read from the store a page at a
    time; the number of rows written."""
    title = title or MODELS[kind].plural_name().capitalize()
    fields = store.field_definitions(kind, include_retired=True)
    rows = _export_rows(store, kind, ids, fields)
    return export_rows(path, export_columns(kind, fields), rows, fmt, sheet_title=title)


def _vcard_contacts(store: Store, ids: Sequence[str]) -> Iterator[VCardContact]:
    for page in record_pages(store, Contact, ids):
        wanted = list({c.account_id for c in page if isinstance(c, Contact) and c.account_id})
        accounts = {a.id: a for a in store.get_many(Account, wanted)}
        for contact in page:
            assert isinstance(contact, Contact)
            account = accounts.get(contact.account_id or "")
            yield VCardContact(
                uid=contact.id,
                first_name=contact.first_name,
                last_name=contact.last_name,
                title=contact.title,
                email=contact.email,
                phone=contact.phone,
                mobile=contact.mobile,
                notes=contact.notes,
                organization=account.name if account else "",
                website=account.domain if account else "",
                street=account.street if account else "",
                city=account.city if account else "",
                postal_code=account.postal_code if account else "",
                country=account.country if account else "",
            )


def export_contacts_vcard(
    store: Store, ids: Sequence[str], path: Path | str, version: VCardVersion = VCardVersion.V3
) -> int:
    """Contacts to a .vcf file (vCard 3.0 or 4.0); the number of cards."""
    return write_vcards(path, _vcard_contacts(store, ids), version)
