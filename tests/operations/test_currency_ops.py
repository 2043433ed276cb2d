"""Money in the organisation's currency (the base of the last rate sheet) where a record
names none: a new record, a record's history; never a currency fixed in the code."""

from __future__ import annotations

from datetime import date

from sfa_desktop.core.entities import Account, Contact, Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.forecast_wire import RateSheet
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations.history import load_history
from sfa_desktop.operations.records import create_record
from sfa_desktop.store import Store
from sfa_desktop.sync.rates import RATES_STATE


def test_history_money_is_in_the_records_currency_else_the_corporate_one(
    signed_in: Store,
) -> None:
    account = signed_in.create(Account, {"name": "Acme", "currency": "CHF"}).value
    contact = signed_in.create(Contact, {"first_name": "Jo", "last_name": "Quill"}).value
    deal = signed_in.create(
        Opportunity,
        {"account_id": account.id, "name": "Pumps", "close_date": date(2026, 11, 1)},
    ).value
    signed_in.update(Opportunity, deal.id, {"currency": "USD"})
    assert load_history(signed_in, EntityKind.CONTACT, contact.id).currency == (
        DEFAULT_CORPORATE_CURRENCY
    )
    signed_in.set_state(**{RATES_STATE: RateSheet(base="GBP").model_dump_json()})
    assert load_history(signed_in, EntityKind.CONTACT, contact.id).currency == "GBP"
    assert load_history(signed_in, EntityKind.ACCOUNT, account.id).currency == "CHF"
    assert load_history(signed_in, EntityKind.OPPORTUNITY, deal.id).currency == "USD"


def test_new_money_records_default_to_the_corporate_currency(signed_in: Store) -> None:
    signed_in.set_state(**{RATES_STATE: RateSheet(base="GBP").model_dump_json()})
    made = create_record(signed_in, Account, {"name": "Acme"}).value
    chosen = create_record(signed_in, Account, {"name": "Bolt", "currency": "USD"}).value
    person = create_record(signed_in, Contact, {"first_name": "Jo", "last_name": "Quill"}).value
    assert (made.currency, chosen.currency) == ("GBP", "USD")
    assert not hasattr(person, "currency")
