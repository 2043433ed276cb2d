"""The organisation's exchange rates kept on the device, so forecasts convert offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from sfa_desktop.core.forecast_wire import RateSheet
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.store import Store
from sfa_desktop.sync.errors import Offline, ServerRefused
from sfa_desktop.sync.retry import TransientFailure

if TYPE_CHECKING:  # the client brings httpx: not loaded until a sync runs
    from sfa_desktop.sync.client import SyncClient

RATES_STATE = "exchange_rates"  # sync_state key: the RateSheet as JSON


def fetch_rates(client: SyncClient, store: Store) -> bool:
    """Fetch the rate sheet and keep it; False when it could not be had (a server older
    than rates answers 404; the network may drop): the device keeps what it had, and the
    sync that already pushed and pulled does not fail for it."""
    try:
        sheet = client.exchange_rates()
    except (ServerRefused, TransientFailure, Offline):
        return False
    text = sheet.model_dump_json()
    if store.state(RATES_STATE) != text:
        store.set_state(**{RATES_STATE: text})
    return True


def stored_rates(store: Store) -> RateSheet:
    """The last rate sheet fetched; before the first, the default corporate currency and
    no rates (amounts in other currencies are then left out and counted, never guessed)."""
    text = store.state(RATES_STATE)
    if text:
        try:
            return RateSheet.model_validate_json(text)
        except ValidationError:
            pass
    return RateSheet(base=DEFAULT_CORPORATE_CURRENCY)


def corporate_currency(store: Store) -> str:
    """The organisation's currency, as the last rate sheet brought it (the default before)."""
    return stored_rates(store).base
