"""The organisation's corporate currency and its dated exchange rates (admin-maintained)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.forecast_wire import RateInfo, RateSheet
from sfa_desktop.core.rules.currency import RateTable, parse_rate
from sync_server.errors import BadRequestError, ConflictError, NotFoundError
from sync_server.models import ExchangeRate, Org

_CODE = re.compile(r"^[A-Z]{3}$")


def check_code(text: str) -> str:
    code = text.strip().upper()
    if not _CODE.match(code):
        raise BadRequestError(f"{text!r} is not a three-letter currency code such as USD")
    return code


def org_for(session: Session, org_name: str | None) -> Org:
    """The named organisation, or the only one when no name is given."""
    if org_name is not None:
        org = session.scalar(select(Org).where(Org.name == org_name))
        if org is None:
            raise NotFoundError(f"organisation {org_name!r} does not exist")
        return org
    orgs = session.scalars(select(Org).limit(2)).all()
    if len(orgs) != 1:
        raise BadRequestError(
            "name the organisation with --org" if orgs else "there is no organisation yet"
        )
    return orgs[0]


def rate_sheet(session: Session, org: Org) -> RateSheet:
    """Every rate of the organisation, by currency and day (what devices keep offline)."""
    rows = session.scalars(
        select(ExchangeRate)
        .where(ExchangeRate.org_id == org.id)
        .order_by(ExchangeRate.currency, ExchangeRate.valid_from)
    )
    rates = [RateInfo(currency=r.currency, valid_from=r.valid_from, rate=r.rate) for r in rows]
    return RateSheet(base=org.currency, rates=rates)


def rate_table(session: Session, org: Org) -> RateTable:
    return rate_sheet(session, org).table()


def set_rate(
    session: Session,
    org: Org,
    currency: str,
    valid_from: date,
    rate_text: str,
    now: datetime,
) -> RateInfo:
    """Set what one unit of `currency` is worth in the corporate currency from a day on
    (replacing a rate set for the same day)."""
    code = check_code(currency)
    if code == org.currency:
        raise BadRequestError(f"{code} is the corporate currency of {org.name}: its rate is 1")
    try:
        rate = parse_rate(rate_text)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None
    text = format(rate, "f")
    existing = session.scalar(
        select(ExchangeRate).where(
            ExchangeRate.org_id == org.id,
            ExchangeRate.currency == code,
            ExchangeRate.valid_from == valid_from,
        )
    )
    if existing is None:
        session.add(
            ExchangeRate(org_id=org.id, currency=code, valid_from=valid_from, rate=text, set_at=now)
        )
    else:
        existing.rate, existing.set_at = text, now
    session.commit()
    return RateInfo(currency=code, valid_from=valid_from, rate=text)


def remove_rate(session: Session, org: Org, currency: str, valid_from: date) -> None:
    code = check_code(currency)
    gone = session.execute(
        delete(ExchangeRate).where(
            ExchangeRate.org_id == org.id,
            ExchangeRate.currency == code,
            ExchangeRate.valid_from == valid_from,
        )
    )
    if not getattr(gone, "rowcount", 0):
        raise NotFoundError(f"there is no {code} rate from {valid_from}")
    session.commit()


def set_corporate_currency(session: Session, org: Org, currency: str) -> None:
    """Change the corporate currency; refused while rates against the old one exist."""
    code = check_code(currency)
    count = session.scalar(
        select(func.count()).select_from(ExchangeRate).where(ExchangeRate.org_id == org.id)
    )
    if code != org.currency and count:
        raise ConflictError(
            f"{org.name} has {count} rates against {org.currency}: remove them first"
            " (rates are always against the corporate currency)"
        )
    org.currency = code
    session.commit()
