"""vCard files (2.1, 3.0 and 4.0) as an import source: one row per card, fixed columns.

The file is read as a stream of lines (`TextLines`) and cut into cards at BEGIN:VCARD /
END:VCARD; each card is parsed on its own with vobject, so a broken card becomes an
error row and the others still import. Photos, logos, sounds and keys are dropped with
their folded lines before parsing, never held in memory (a one-line photo is cut at the
line limit and dropped); each card is limited in size. Old Outlook and phone exports
(vCard 2.1: QUOTED-PRINTABLE with soft line breaks, CHARSET parameters, types written
as bare parameters such as TEL;WORK;VOICE) are decoded by vobject.

vCard 2.1 does not escape commas (vobject reads cards as 3.0, which splits text at
them): a 2.1 card's commas are escaped before parsing, so "Account Manager, West" stays
whole. A value of several parts (3.0: an ADR street "100 Main St,Suite 5") is read as its
parts, one per line.

A card becomes the values of `VCARD_COLUMNS`, picked by TYPE: the preferred address
first, a work postal address before a home one, CELL numbers as mobile, faxes left out;
what has no column (the ORG department, more addresses, more numbers of a kind) is named
in a warning of the row (`card_left_out`).
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfa_desktop.interchange.encoding import detect_encoding
from sfa_desktop.interchange.errors import BadVCardFile, TooManyRows
from sfa_desktop.interchange.issues import Issue
from sfa_desktop.interchange.limits import DEFAULT_LIMITS, Limits
from sfa_desktop.interchange.lines import TextLines, read_sample
from sfa_desktop.interchange.source import SourceRow

BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
VCARD_COLUMNS: tuple[str, ...] = (
    "Full name",
    "First name",
    "Middle name",
    "Last name",
    "Organization",
    "Title",
    "Email",
    "Email 2",
    "Email 3",
    "Work phone",
    "Mobile phone",
    "Other phone",
    "Home phone",
    "Street",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Website",
    "Note",
)
# Column → contact import field (see presets; Apple Contacts, iCloud, Outlook and Google
# all export vCards with these properties).
VCARD_PRESET_COLUMNS: dict[str, str | None] = {
    "Full name": "full_name",
    "First name": "first_name",
    "Middle name": "first_name",
    "Last name": "last_name",
    "Organization": "company",
    "Title": "title",
    "Email": "email",
    "Email 2": "email",
    "Email 3": "email",
    "Work phone": "phone",
    "Mobile phone": "mobile",
    "Other phone": "phone",
    "Home phone": "phone",
    "Street": "account_street",
    "City": "account_city",
    "Region": None,
    "Postal code": "account_postal_code",
    "Country": "account_country",
    "Website": "website",
    "Note": "notes",
}


def looks_like_vcard(path: Path, limits: Limits = DEFAULT_LIMITS) -> bool:
    """The file starts (after blank lines and a BOM) with BEGIN:VCARD."""
    sample, _whole = read_sample(path, limits)
    for codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        try:
            text = sample[:4096].decode(codec, errors="ignore")
        except LookupError:  # pragma: no cover - codecs of the stdlib
            continue
        if text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD"):
            return True
    return path.suffix.lower() in (".vcf", ".vcard")


def _property_name(line: str) -> str:
    """ "item1.TEL;TYPE=CELL:…" → "TEL"."""
    head = line.split(":", 1)[0].split(";", 1)[0]
    return head.rsplit(".", 1)[-1].strip().upper()


def _types(line: Any) -> set[str]:
    """TYPE values of a vobject content line, however written (TYPE=a,b / ;A;B / 4.0)."""
    found: set[str] = set()
    for value in [*line.params.get("TYPE", []), *getattr(line, "singletonparams", [])]:
        found.update(part.strip().strip('"').upper() for part in str(value).split(","))
    if line.params.get("PREF"):
        found.add("PREF")
    return found


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v)
    return " ".join(str(value or "").replace("\r\n", "\n").split("\n")).strip()


def _street(value: Any) -> str:
    """A street of several parts or lines, one per line."""
    parts = value if isinstance(value, list) else [value]
    lines = [line.strip() for part in parts for line in str(part or "").splitlines()]
    return "\n".join(line for line in lines if line)


def _logical_lines(lines: list[str]) -> list[str]:
    """A card's lines with quoted-printable soft line breaks joined."""
    joined: list[str] = []
    open_qp = False
    for line in lines:
        if open_qp:
            joined[-1] = joined[-1][:-1] + line
        else:
            joined.append(line)
        head = joined[-1].partition(":")[0].upper()
        open_qp = joined[-1].endswith("=") and "QUOTED-PRINTABLE" in head
    return joined


def _escaped(text: str) -> str:
    """2.1 text as 3.0 writes it: backslashes (but 2.1's \\;), commas and line ends."""
    text = re.sub(r"\\(?!;)", r"\\\\", text).replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _escape_21(lines: list[str]) -> list[str]:
    """A vCard 2.1 card as 3.0 text: quoted-printable values decoded (in their CHARSET)
    and every value escaped, so a 3.0 reader keeps their commas."""
    escaped = []
    for line in _logical_lines(lines):
        if line[:1] in (" ", "\t"):
            escaped.append(_escaped(line))
            continue
        head, colon, value = line.partition(":")
        if not colon or _property_name(head) in ("BEGIN", "END", "VERSION"):
            escaped.append(line)
            continue
        params = head.split(";")
        if any(p.strip().upper().endswith("QUOTED-PRINTABLE") for p in params[1:]):
            charset = next(
                (p.split("=", 1)[1] for p in params[1:] if p.upper().startswith("CHARSET=")),
                "utf-8",
            )
            try:
                raw = quopri.decodestring(value.encode(charset, errors="replace"))
                value = raw.decode(charset, errors="replace")
            except LookupError:  # an unknown CHARSET: leave the value to vobject
                escaped.append(line)
                continue
            params = [params[0]] + [
                p
                for p in params[1:]
                if not p.strip().upper().endswith("QUOTED-PRINTABLE")
                and not p.upper().startswith("CHARSET=")
            ]
        escaped.append(";".join(params) + ":" + _escaped(value))
    return escaped


def _is_21(lines: list[str]) -> bool:
    return any(line.replace(" ", "").upper() == "VERSION:2.1" for line in lines)


def _ordered(lines: Sequence[Any], preferred: Sequence[str]) -> list[Any]:
    """PREF first, then by the first preferred TYPE they carry, then file order."""

    def rank(line: Any) -> tuple[int, int]:
        types = _types(line)
        position = next((i for i, t in enumerate(preferred) if t in types), len(preferred))
        return (0 if "PREF" in types else 1, position)

    return sorted(lines, key=rank)


def card_values(card: Any) -> tuple[str, ...]:
    """The values of VCARD_COLUMNS for a parsed vobject card."""
    values = dict.fromkeys(VCARD_COLUMNS, "")
    contents = card.contents
    if "fn" in contents:
        values["Full name"] = _text(card.fn.value)
    if "n" in contents:
        name = card.n.value
        values["First name"] = _text(getattr(name, "given", ""))
        values["Middle name"] = _text(getattr(name, "additional", ""))
        values["Last name"] = _text(getattr(name, "family", name if isinstance(name, str) else ""))
    if "org" in contents:
        values["Organization"] = _text(_org_parts(card)[0])
    if "title" in contents:
        values["Title"] = _text(card.title.value)
    emails = [_text(line.value) for line in _ordered(contents.get("email", []), ("WORK",))]
    for column, email in zip(("Email", "Email 2", "Email 3"), emails, strict=False):
        values[column] = email
    for line in contents.get("tel", []):
        types = _types(line)
        number = _text(line.value).removeprefix("tel:")
        if "FAX" in types or "PAGER" in types or not number:
            continue
        column = (
            "Mobile phone"
            if "CELL" in types
            else "Work phone"
            if "WORK" in types
            else "Home phone"
            if "HOME" in types
            else "Other phone"
        )
        values[column] = values[column] or number
    addresses = _ordered(contents.get("adr", []), ("WORK", "HOME"))
    if addresses:
        address = addresses[0].value
        values["Street"] = _street(getattr(address, "street", ""))
        values["City"] = _text(getattr(address, "city", ""))
        values["Region"] = _text(getattr(address, "region", ""))
        values["Postal code"] = _text(getattr(address, "code", ""))
        values["Country"] = _text(getattr(address, "country", ""))
    urls = _ordered(contents.get("url", []), ("WORK",))
    if urls:
        values["Website"] = _text(urls[0].value)
    if "note" in contents:
        values["Note"] = str(card.note.value or "").strip()
    return tuple(values[column] for column in VCARD_COLUMNS)


def _org_parts(card: Any) -> list[str]:
    """ORG as [organisation, department, ...] (text, never a list)."""
    org = card.org.value
    parts = org if isinstance(org, list) else [org]
    return [_text(part) for part in parts] or [""]


def card_left_out(card: Any) -> list[str]:
    """What a card holds that no column takes, one line per kind (for the row's warnings)."""
    contents = card.contents
    found = []
    departments = [part for part in _org_parts(card)[1:] if part] if "org" in contents else []
    if departments:
        found.append(f"department {', '.join(departments)!r} left out (contacts have none)")
    numbers: dict[str, list[str]] = {}
    for line in contents.get("tel", []):
        types = _types(line)
        if "FAX" in types or "PAGER" in types:
            continue
        kind = next((t for t in ("CELL", "WORK", "HOME") if t in types), "OTHER")
        numbers.setdefault(kind, []).append(_text(line.value).removeprefix("tel:"))
    extra = [number for found_numbers in numbers.values() for number in found_numbers[1:]]
    if extra:
        found.append(f"more phone numbers left out: {', '.join(extra)}")
    addresses = _ordered(contents.get("adr", []), ("WORK", "HOME"))
    if len(addresses) > 1:
        streets = ", ".join(
            _street(getattr(a.value, "street", "")).replace("\n", " ") for a in addresses[1:]
        )
        found.append(f"{len(addresses) - 1} more address(es) left out: {streets}")
    return found


@dataclass
class _Card:
    start: int
    lines: list[str]
    size: int = 0
    dropped: set[str] | None = None
    problem: str | None = None


class VCardSource:
    """A vCard file; one row per card, `row` is the card's number."""

    format_name = "vCard"
    preset_hint: str | None = "vcard"
    headers: tuple[str, ...] = VCARD_COLUMNS

    def __init__(self, path: Path, encoding: str, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.encoding = encoding
        self.limits = limits
        self._digest: str | None = None

    @classmethod
    def open(cls, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> VCardSource:
        path = Path(path)
        sample, whole = read_sample(path, limits)
        return cls(path, detect_encoding(sample, whole).codec, limits)

    @property
    def digest(self) -> str | None:
        return self._digest

    def rows(self) -> Iterator[SourceRow]:
        self._digest = None
        lines = TextLines(self.path, self.encoding, self.limits, truncate_long_lines=True)
        number = 0
        for card in self._cards(lines):
            number += 1
            if number > self.limits.max_rows:
                raise TooManyRows(
                    f"The file has more than {self.limits.max_rows:,} cards; split it.",
                    card.start,
                )
            values, issues = self._parse(card)
            yield SourceRow(number, card.start, values, tuple(issues))
        if number == 0:
            raise BadVCardFile(f"{self.path.name} holds no vCard (no BEGIN:VCARD line).")
        self._digest = lines.digest

    def _cards(self, lines: TextLines) -> Iterator[_Card]:
        card: _Card | None = None
        skipping = False  # inside a dropped binary property
        previous_qp = False  # the last line ended in a quoted-printable soft break
        for raw in lines:
            line = raw.rstrip("\r\n")
            truncated = lines.last_truncated
            if card is None:
                if line.strip().upper() == "BEGIN:VCARD":
                    card = _Card(lines.line_no, [line], dropped=set())
                continue
            continued = line[:1] in (" ", "\t") or previous_qp
            if skipping and (continued or not line.strip()):
                continue
            skipping = False
            if not continued:
                name = _property_name(line)
                if name == "END" and line.split(":", 1)[-1].strip().upper() == "VCARD":
                    card.lines.append(line)
                    yield card
                    card = None
                    previous_qp = False
                    continue
                if name == "BEGIN" and line.split(":", 1)[-1].strip().upper() == "VCARD":
                    card.problem = f"the card has no END:VCARD before line {lines.line_no}"
                    yield card
                    card = _Card(lines.line_no, [line], dropped=set())
                    continue
                if name in BINARY:
                    assert card.dropped is not None
                    card.dropped.add(name)
                    skipping = True
                    previous_qp = False
                    continue
            if truncated and card.problem is None:
                card.problem = f"line {lines.line_no} is longer than the line limit"
            previous_qp = line.endswith("=") and (
                previous_qp or "QUOTED-PRINTABLE" in line.split(":", 1)[0].upper()
            )
            if card.problem is None:
                card.size += len(line) + 2
                if card.size > self.limits.max_card_chars:
                    card.problem = (
                        f"the card is larger than {self.limits.max_card_chars // 1024} KB "
                        "(photos not counted)"
                    )
                    card.lines = card.lines[:1]
                else:
                    card.lines.append(line)
        if card is not None:
            card.problem = card.problem or "the card has no END:VCARD (the file ends first)"
            yield card

    def _parse(self, card: _Card) -> tuple[tuple[str, ...], list[Issue]]:
        issues: list[Issue] = []
        if card.dropped:
            kinds = ", ".join(sorted(card.dropped)).lower()
            issues.append(Issue.warning(f"the card's {kinds} was left out"))
        empty = ("",) * len(VCARD_COLUMNS)
        if card.problem is not None:
            issues.append(Issue(f"Card starting on line {card.start}: {card.problem}"))
            return empty, issues
        import vobject

        lines = _escape_21(card.lines) if _is_21(card.lines) else card.lines
        try:
            parsed = vobject.readOne("\r\n".join(lines) + "\r\n", allowQP=True)
            values = card_values(parsed)
            issues.extend(Issue.warning(text) for text in card_left_out(parsed))
        except Exception as error:  # vobject raises many kinds; one broken card only
            detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            issues.append(
                Issue(
                    f"Card starting on line {card.start} cannot be read"
                    + (f": {detail}" if detail else f" ({type(error).__name__})")
                )
            )
            return empty, issues
        return values, issues
