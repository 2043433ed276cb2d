"""The import wizard end to end over real files, and the vCard export."""

from __future__ import annotations

from pathlib import Path

import pytest
import vobject
from interchange_kit import snapshot
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMenu, QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import Action, RowStatus
from sfa_desktop.interchange.errors import FileChanged
from sfa_desktop.store import Store
from sfa_desktop.ui.common.format import phone_region
from sfa_desktop.ui.contacts.vcard_export_dialog import VCardExportDialog
from sfa_desktop.ui.imports import import_wizard
from sfa_desktop.ui.imports.import_models import action_choices
from sfa_desktop.ui.imports.import_state import CHECK, COLUMNS, CONFIRM, FORMAT, RESULT
from sfa_desktop.ui.imports.import_wizard import ImportWizard
from sfa_desktop.ui.main_window import MainWindow

HEADER = (
    "Salutation;First Name;Last Name;Title;Account Name;Mailing City;Mailing Country;"
    "Phone;Mobile;Email;Email Opt Out;Description;Contact Owner"
)
VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n"
    "ORG:Analytical Engines Ltd\r\nTITLE:CTO\r\nEMAIL;TYPE=INTERNET,WORK:ada@engines.example\r\n"
    "TEL;TYPE=WORK,VOICE:+44 20 7946 0018\r\nTEL;TYPE=CELL:+44 7700 900123\r\n"
    "ADR;TYPE=WORK:;;1 Byron St;London;;W1 1AA;United Kingdom\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Babbage;Charles;;;\r\nFN:Charles Babbage\r\n"
    "ORG:Analytical Engines Ltd\r\nEMAIL:charles@engines.example\r\nNOTE:Difference engine\r\n"
    "END:VCARD\r\n"
)


def _existing(store: Store) -> Contact:
    """A demo contact with an email and no mobile number, its name writable in cp1252."""
    for contact_id, first, last, email, mobile in store.column_rows(
        Contact, ("first_name", "last_name", "email", "mobile")
    ):
        if email and not mobile:
            try:
                f"{first}{last}{email}".encode("cp1252")
            except UnicodeEncodeError:
                continue
            return store.get(Contact, contact_id)
    raise AssertionError("no demo contact fits")


def salesforce_csv(folder: Path, existing: Contact) -> Path:
    """A Salesforce contacts report as Excel writes it in Germany: ';' and cp1252."""
    rows = [
        HEADER,
        "Frau;Zoë;Müller;Einkäuferin;Bäckerei Groß GmbH;München;Germany;089 1234567;;"
        "zoe.mueller@baeckerei-gross.de;0;;Rita Rep",
        "Herr;Jürgen;Weiß;Geschäftsführer;Bäckerei Groß GmbH;München;Germany;;0170 7654321;"
        "j.weiss@baeckerei-gross.de;1;Met at the fair;Rita Rep",
        ";Anaïs;Lefèvre;CTO;Société Test;Paris;France;;;not-an-email;0;;Rita Rep",
        f";{existing.first_name};{existing.last_name};;;;;;0170 1234567;{existing.email};0;;"
        "Rita Rep",
    ]
    path = folder / "report1700000000000.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def shoot(qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path, n: int) -> None:
    screenshot(qtbot, ctx, wizard, tmp_path / f"wiz_{n}.png")


def open_file(qtbot: QtBot, wizard: ImportWizard, path: Path, region: str = "DE") -> None:
    page = wizard.source_page
    page.region.setCurrentIndex(page.region.findData(region))
    page.path.setText(str(path))
    page.open_file(str(path))
    qtbot.waitUntil(lambda: page.isComplete() or bool(page.error.text()), timeout=10_000)


def check(qtbot: QtBot, wizard: ImportWizard) -> None:
    """From the columns page to a finished analysis."""
    wizard.next()
    assert wizard.currentId() == CHECK
    qtbot.waitUntil(lambda: wizard.check_page.state.analysis is not None, timeout=20_000)


def import_now(qtbot: QtBot, ctx: AppContext, wizard: ImportWizard) -> None:
    """From the confirm page through the commit to the result page."""
    assert wizard.currentId() == CONFIRM
    assert wizard.confirm_page.isComplete()
    wizard.next()  # the commit button: writes in the background, then moves on
    qtbot.waitUntil(lambda: wizard.currentId() == RESULT, timeout=20_000)
    settle(qtbot, ctx)


@pytest.fixture
def wizard(ctx: AppContext, qtbot: QtBot) -> ImportWizard:
    wizard = ImportWizard(ctx, EntityKind.CONTACT)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_salesforce_csv_in_cp1252_imports_skipping_the_duplicate_and_the_error_row(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    store = ctx.store
    existing = _existing(store)
    path = salesforce_csv(tmp_path, existing)
    before = snapshot(store)
    shoot(qtbot, ctx, wizard, tmp_path, 0)
    open_file(qtbot, wizard, path)
    assert wizard.source_page.isComplete(), wizard.source_page.error.text()
    assert "semicolon" in wizard.source_page.info.text()
    shoot(qtbot, ctx, wizard, tmp_path, 1)

    wizard.next()
    page = wizard.format_page
    assert wizard.currentId() == FORMAT
    assert page.chosen_format()["encoding"] == "cp1252"
    assert page.chosen_format()["delimiter"] == ";"
    assert page.header.isChecked()
    assert page.decimal_comma.isChecked()  # semicolons: a decimal-comma locale
    assert page.rows.rowCount() == 4
    assert page.rows.index(0, 2).data() == "Müller"
    page.delimiter.setCurrentIndex(page.delimiter.findData(","))  # wrong: one column
    qtbot.waitUntil(lambda: page.rows.columnCount() == 1, timeout=10_000)
    page.delimiter.setCurrentIndex(page.delimiter.findData(";"))
    qtbot.waitUntil(lambda: page.rows.columnCount() == 13 and page.isComplete(), timeout=10_000)
    shoot(qtbot, ctx, wizard, tmp_path, 2)

    wizard.next()
    columns = wizard.columns_page
    assert wizard.currentId() == COLUMNS
    assert "Salesforce" in columns.detected.text()
    mapping = wizard.state.mapping
    assert mapping is not None
    assert mapping.targets[mapping.headers.index("Account Name")] == "company"
    assert mapping.targets[mapping.headers.index("Contact Owner")] is None
    assert columns.isComplete()
    last = columns.model.index(mapping.headers.index("Last Name"), 2)
    columns.model.setData(last, 0)  # "Don't import": the last name is required
    assert not columns.isComplete()
    assert "last name" in columns.problems.text()
    choices = columns.model.data(last, 0x0101)  # CHOICES_ROLE
    columns.model.setData(last, choices.index("Last name"))
    assert columns.isComplete()
    shoot(qtbot, ctx, wizard, tmp_path, 3)

    check(qtbot, wizard)
    checker = wizard.check_page
    analysis = wizard.state.analysis
    assert analysis is not None
    assert analysis.total == 4
    assert analysis.counts.get(RowStatus.ERROR) == 1
    assert analysis.counts.get(RowStatus.DUPLICATE) == 1
    assert checker.isComplete()  # a clear duplicate (same email) is skipped by default
    statuses = {e.record.split(" ·")[0]: e.status for e in checker.report.entries}
    assert statuses["Anaïs Lefèvre"] is RowStatus.ERROR
    assert checker.report.action_text(checker.report.entries[2]) == "Not imported"
    duplicate_row = next(i for i, e in enumerate(checker.report.entries) if e.duplicate)
    assert checker.report.index(duplicate_row, 4).data() == "Skip"
    assert checker.filter.rowCount() == 2  # only rows with problems
    checker.only_problems.setChecked(False)
    assert checker.filter.rowCount() == 4
    checker.write_report(tmp_path / "report.csv")
    report = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "not-an-email" in report
    assert "Not imported" in report
    shoot(qtbot, ctx, wizard, tmp_path, 4)

    wizard.next()
    assert "2 contacts created" in wizard.confirm_page.summary.text()
    assert "1 duplicate row skipped" in wizard.confirm_page.summary.text()
    shoot(qtbot, ctx, wizard, tmp_path, 5)
    import_now(qtbot, ctx, wizard)
    result = wizard.state.result
    assert result is not None
    assert (result.created, result.updated, result.skipped, result.failed) == (2, 0, 1, 1)
    assert result.accounts_created == 1
    shoot(qtbot, ctx, wizard, tmp_path, 6)

    accounts, contacts, leads, outbox = snapshot(store)
    assert (accounts, contacts, leads) == (before[0] + 1, before[1] + 2, before[2])
    assert outbox >= before[3] + 3  # every new record is queued for the server
    made = store.get_many(Contact, list(result.created_ids))
    assert {c.last_name for c in made} == {"Müller", "Weiß"}
    weiss = next(c for c in made if c.last_name == "Weiß")
    assert weiss.mobile == "+491707654321"
    assert weiss.do_not_email
    bakery = store.get(Account, weiss.account_id or "")
    assert bakery.name == "Bäckerei Groß GmbH"
    assert "Lefèvre" not in {c.last_name for c in store.get_many(Contact, store.contact_ids())}
    assert store.get(Contact, existing.id).mobile is None  # skipped, not merged


def test_choosing_merge_fills_the_existing_contact(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    store = ctx.store
    existing = _existing(store)
    open_file(qtbot, wizard, salesforce_csv(tmp_path, existing))
    wizard.next()
    wizard.next()
    check(qtbot, wizard)
    checker = wizard.check_page
    row = next(i for i, e in enumerate(checker.report.entries) if e.duplicate)
    entry = checker.report.entries[row]
    assert entry.duplicate is not None
    texts = [text for text, _ in action_choices(entry.duplicate)]
    merge = next(i for i, text in enumerate(texts) if text.startswith("Merge into"))
    assert existing.last_name in texts[merge]
    assert checker.report.setData(checker.report.index(row, 4), merge)
    chosen = wizard.state.decisions[entry.row]
    assert chosen.action is Action.MERGE
    assert chosen.target == existing.id
    wizard.next()
    assert "1 contact updated" in wizard.confirm_page.summary.text()
    import_now(qtbot, ctx, wizard)
    result = wizard.state.result
    assert result is not None
    assert (result.created, result.updated, result.skipped, result.failed) == (2, 1, 0, 1)
    merged = store.get(Contact, existing.id)
    assert merged.mobile == "+491701234567"
    assert merged.email == existing.email


def test_a_failing_import_says_why_and_writes_nothing(
    qtbot: QtBot,
    ctx: AppContext,
    wizard: ImportWizard,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(ctx.store)
    open_file(qtbot, wizard, salesforce_csv(tmp_path, _existing(ctx.store)))
    wizard.next()
    wizard.next()
    check(qtbot, wizard)
    wizard.next()

    def fail(*_args: object) -> None:
        raise FileChanged("report.csv changed after it was checked; check it again and import.")

    monkeypatch.setattr(import_wizard, "commit_import", fail)
    wizard.next()
    confirm = wizard.confirm_page
    qtbot.waitUntil(lambda: bool(confirm.error.text()), timeout=10_000)
    settle(qtbot, ctx)
    assert wizard.currentId() == CONFIRM
    assert "Nothing was imported: report.csv changed" in confirm.error.text()
    assert not wizard.busy
    assert confirm.isComplete()  # the user may try again
    assert snapshot(ctx.store) == before


def test_the_action_combo_of_a_duplicate_edits_the_decision(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    open_file(qtbot, wizard, salesforce_csv(tmp_path, _existing(ctx.store)))
    wizard.next()
    wizard.next()
    check(qtbot, wizard)
    checker = wizard.check_page
    view = checker.view
    row = next(
        r
        for r in range(checker.filter.rowCount())
        if checker.filter.index(r, 4).flags() & Qt.ItemFlag.ItemIsEditable
    )
    index = checker.filter.index(row, 4)
    view.setCurrentIndex(index)  # opens the combo (edit on current change)
    combo = view.indexWidget(index)
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == "Skip"
    combo.setCurrentIndex(combo.findText("Import as new"))
    combo.activated.emit(combo.currentIndex())
    settle(qtbot, ctx)
    assert index.data() == "Import as new"
    assert {r.action for r in wizard.state.decisions.values()} == {Action.CREATE}
    assert not checker.view.indexWidget(index)  # the editor closed


def test_the_wizard_models_pass_the_model_tester(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path, qtmodeltester: ModelTester
) -> None:
    open_file(qtbot, wizard, salesforce_csv(tmp_path, _existing(ctx.store)))
    wizard.next()
    qtmodeltester.check(wizard.format_page.rows)
    wizard.next()
    qtmodeltester.check(wizard.columns_page.model)
    check(qtbot, wizard)
    qtmodeltester.check(wizard.check_page.report)
    qtmodeltester.check(wizard.check_page.filter)


def test_skip_all_and_merge_all_set_every_duplicate(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    open_file(qtbot, wizard, salesforce_csv(tmp_path, _existing(ctx.store)))
    wizard.next()
    wizard.next()
    check(qtbot, wizard)
    checker = wizard.check_page
    assert checker.merge_all.isVisible()
    checker.merge_all.click()
    assert {r.action for r in wizard.state.decisions.values()} == {Action.MERGE}
    row = next(i for i, e in enumerate(checker.report.entries) if e.duplicate)
    assert checker.report.index(row, 4).data().startswith("Merge into")
    checker.skip_all.click()
    assert {r.action for r in wizard.state.decisions.values()} == {Action.SKIP}


def test_vcard_file_imports_contacts_without_the_format_page(
    qtbot: QtBot, plain_ctx: AppContext, tmp_path: Path
) -> None:
    ctx = plain_ctx
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    path = tmp_path / "contacts.vcf"
    path.write_text(VCARDS, encoding="utf-8")
    open_file(qtbot, wizard, path, region="GB")
    page = wizard.source_page
    assert page.isComplete(), page.error.text()
    assert not page.kinds[EntityKind.ACCOUNT].isEnabled()
    assert page.kinds[EntityKind.CONTACT].isChecked()
    shoot(qtbot, ctx, wizard, tmp_path, 7)
    wizard.next()
    assert wizard.currentId() == COLUMNS  # no CSV format to set
    assert "cards" in wizard.columns_page.detected.text()
    check(qtbot, wizard)
    analysis = wizard.state.analysis
    assert analysis is not None
    assert analysis.total == 2
    assert analysis.new_accounts == ("Analytical Engines Ltd",)
    wizard.next()
    import_now(qtbot, ctx, wizard)
    result = wizard.state.result
    assert result is not None
    assert (result.created, result.accounts_created, result.failed) == (2, 1, 0)
    ada = next(
        c for c in ctx.store.get_many(Contact, list(result.created_ids)) if c.first_name == "Ada"
    )
    assert (ada.last_name, ada.email, ada.mobile) == (
        "Lovelace",
        "ada@engines.example",
        "+447700900123",
    )
    assert ctx.store.outbox_count() >= 3


def test_an_unreadable_file_shows_why_and_another_can_be_chosen(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    before = snapshot(ctx.store)
    bad = tmp_path / "contacts.csv"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)  # a workbook renamed to .csv
    open_file(qtbot, wizard, bad)
    page = wizard.source_page
    assert not page.isComplete()
    assert "Excel workbook" in page.error.text()
    assert "Choose another file" in page.error.text()
    shoot(qtbot, ctx, wizard, tmp_path, 8)
    missing = tmp_path / "nowhere.csv"
    page.path.setText(str(missing))
    page.open_file(str(missing))
    assert "There is no file" in page.error.text()
    good = tmp_path / "accounts.csv"
    good.write_text("Account Name,Website\nAcme Tools,acme-tools.example\n", encoding="utf-8")
    open_file(qtbot, wizard, good)
    assert page.isComplete()
    assert page.error.text() == ""
    wizard.reject()
    settle(qtbot, ctx)
    assert snapshot(ctx.store) == before


def test_cancel_on_the_last_step_writes_nothing(
    qtbot: QtBot, ctx: AppContext, wizard: ImportWizard, tmp_path: Path
) -> None:
    before = snapshot(ctx.store)
    open_file(qtbot, wizard, salesforce_csv(tmp_path, _existing(ctx.store)))
    wizard.next()
    wizard.next()
    check(qtbot, wizard)
    wizard.next()
    assert wizard.currentId() == CONFIRM
    wizard.reject()
    settle(qtbot, ctx)
    assert not wizard.isVisible()
    assert snapshot(ctx.store) == before


def test_menu_and_list_buttons_open_the_wizard_for_their_records(
    qtbot: QtBot, ctx: AppContext, window: MainWindow
) -> None:
    window.go("Leads")
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    action = next(a for a in file_menu.actions() if a.text() == "&Import…")
    action.trigger()
    wizards = [w for w in window.findChildren(ImportWizard) if w.isVisible()]
    assert [w.state.kind for w in wizards] == [EntityKind.LEAD]
    wizards[0].reject()
    window.go("Accounts")
    button = next(b for b in window.accounts.findChildren(QPushButton) if b.text() == "Import…")
    button.click()
    wizards = [w for w in window.findChildren(ImportWizard) if w.isVisible()]
    assert [w.state.kind for w in wizards] == [EntityKind.ACCOUNT]
    wizards[0].reject()
    settle(qtbot, ctx)


def test_vcard_export_of_the_listed_contacts_reads_back(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, tmp_path: Path
) -> None:
    window.go("Contacts")
    page = window.contacts
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    page.filter.setText("a")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < ctx.store.count(Contact), timeout=10_000)
    listed = page.model.ids()
    dialog = window.export_vcard()
    assert isinstance(dialog, VCardExportDialog)
    settle(qtbot, ctx)
    assert f"({ctx.store.count(Contact):,})" in dialog.all.text()
    dialog.shown.setChecked(True)
    dialog.version.setCurrentIndex(1)
    target = tmp_path / "listed.vcf"
    dialog.path.setText(str(target))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=10_000)
    settle(qtbot, ctx)
    with target.open(encoding="utf-8") as file:
        cards = list(vobject.readComponents(file))
    assert len(cards) == len(listed) == dialog.written
    assert {card.uid.value for card in cards} == set(listed)
    assert {card.version.value for card in cards} == {"4.0"}


def test_the_phone_region_setting_comes_first(ctx: AppContext, qtbot: QtBot) -> None:
    """The setting (an admin may set it for a site) beats the computer's country."""
    system = phone_region("")
    assert len(system) == 2
    assert phone_region(" de ") == "DE"
    assert phone_region("Germany") == system  # not a region code: ignored
    ctx.settings.set("phone_region", "AT")
    wizard = ImportWizard(ctx, EntityKind.CONTACT)
    qtbot.addWidget(wizard)
    assert wizard.source_page.region.currentData() == "AT"
