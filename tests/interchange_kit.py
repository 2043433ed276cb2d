"""Shared by the import/export tests: sample files of every preset, a whole import in one
call, and a snapshot of what the store holds (records and outbox) to compare."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sfa_desktop.core.entities import Account, Contact, Lead
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import (
    Analysis,
    ImportResult,
    Resolution,
    ValueFormat,
    analyse,
    auto_map,
    commit,
    load_existing,
    open_source,
)
from sfa_desktop.interchange.limits import DEFAULT_LIMITS, Limits
from sfa_desktop.store import Store


def write(folder: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode(encoding))
    return path


def snapshot(store: Store) -> tuple[int, int, int, int]:
    """(accounts, contacts, leads, outbox rows)."""
    return (
        store.count(Account),
        store.count(Contact),
        store.count(Lead),
        store.outbox_count(),
    )


def run_import(
    store: Store,
    path: Path,
    kind: EntityKind,
    *,
    region: str = "US",
    decisions: Mapping[int, Resolution] | None = None,
    undecided: Resolution | None = None,
    limits: Limits = DEFAULT_LIMITS,
    fmt: ValueFormat | None = None,
) -> tuple[Analysis, ImportResult]:
    """open → auto_map → analyse → commit, as the wizard does with no changes."""
    source = open_source(path, limits)
    mapping = auto_map(source.headers, kind, source.preset_hint)
    fmt = fmt or ValueFormat(region=region)
    analysis = analyse(source, mapping, fmt, load_existing(store, kind, region))
    result = commit(store, analysis, decisions, undecided=undecided)
    return analysis, result


# preset key → (kind, file name, text). Headers as the products write them; three rows.
PRESET_SAMPLES: dict[str, tuple[EntityKind, str, str]] = {
    "salesforce-contacts": (
        EntityKind.CONTACT,
        "report1700000000000.csv",
        '"Salutation","First Name","Last Name","Title","Account Name","Mailing Street",'
        '"Mailing City","Mailing State/Province","Mailing Zip/Postal Code","Mailing Country",'
        '"Phone","Mobile","Email","Email Opt Out","Contact Owner"\r\n'
        '"Ms.","Ada","Lovelace","CTO","Analytical Engines Ltd","1 Byron St","London","",'
        '"W1 1AA","United Kingdom","+44 20 7946 0018","","ada@engines.co.uk","0","Rita Rep"\r\n'
        '"Mr.","Charles","Babbage","CEO","Analytical Engines Ltd","","","","","",'
        '"+44 20 7946 0019","+44 7700 900123","charles@engines.co.uk","1","Rita Rep"\r\n'
        '"","Grace","Hopper","Admiral","Navy Labs","","Arlington","VA","22201",'
        '"United States","(703) 555-0100","","grace@navylabs.example","0","Rita Rep"\r\n',
    ),
    "salesforce-accounts": (
        EntityKind.ACCOUNT,
        "accounts_report.csv",
        '"Account Name","Account Owner","Type","Industry","Billing Street","Billing City",'
        '"Billing State/Province","Billing Zip/Postal Code","Billing Country","Phone",'
        '"Website","Description"\r\n'
        '"Acme Corp","Rita Rep","Customer","Manufacturing","1 Main St","Springfield","IL",'
        '"62701","United States","(217) 555-0100","www.acme.example","Key account"\r\n'
        '"Globex","Rita Rep","Prospect","Energy","","Cypress Creek","","","United States",'
        '"","https://globex.example/about",""\r\n'
        '"Initech","Rita Rep","Prospect","Software","","Austin","TX","73301","United States",'
        '"512-555-0199","initech.example",""\r\n',
    ),
    "salesforce-leads": (
        EntityKind.LEAD,
        "leads_report.csv",
        '"First Name","Last Name","Title","Company / Account","Email","Phone","Lead Source",'
        '"Lead Status","Lead Owner"\r\n'
        '"Jane","Roe","Buyer","Roe Industries","jane@roe.example","555-0101","Web",'
        '"Open - Not Contacted","Rita Rep"\r\n'
        '"John","Poe","","Poe & Sons","john@poe.example","","Trade Show",'
        '"Working - Contacted","Rita Rep"\r\n'
        '"Li","Wei","CFO","Wei Trading","li@wei.example","","Partner Referral",'
        '"Closed - Not Converted","Rita Rep"\r\n',
    ),
    "hubspot-contacts": (
        EntityKind.CONTACT,
        "hubspot-crm-exports-all-contacts-2026-11-23.csv",
        "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Job Title,"
        "Company Name,Website URL,City,Country/Region,Contact owner,Lifecycle Stage\n"
        "101,Lena,Berg,lena@nordlicht.example,+49 40 123456,,Einkauf,Nordlicht AG,"
        "nordlicht.example,Hamburg,Germany,Rita Rep,lead\n"
        "102,Tom,Ahrens,tom@nordlicht.example,,+49 171 2345678,IT,Nordlicht AG,"
        "nordlicht.example,Hamburg,Germany,Rita Rep,customer\n"
        "103,Sara,Klein,sara@gmail.com,,,,,,,,Rita Rep,subscriber\n",
    ),
    "hubspot-companies": (
        EntityKind.ACCOUNT,
        "hubspot-crm-exports-all-companies.csv",
        "Record ID,Company name,Company Domain Name,Industry,Phone Number,City,"
        "Country/Region,Company owner,Number of Employees\n"
        "9001,Nordlicht AG,nordlicht.example,Retail,+49 40 123456,Hamburg,Germany,Rita Rep,250\n"
        "9002,Südwind GmbH,suedwind.example,Logistics,,München,Germany,Rita Rep,40\n"
        "9003,Ostwind KG,,,,Dresden,Germany,Rita Rep,\n",
    ),
    "outlook": (
        EntityKind.CONTACT,
        "outlook.csv",
        '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department",'
        '"Job Title","Business Street","Business City","Business Postal Code",'
        '"Business Country/Region","Business Phone","Mobile Phone","E-mail Address",'
        '"E-mail 2 Address","Notes","Web Page"\r\n'
        '"Mr.","John","","Smith","","Acme Inc.","Sales","Head of Sales","1 Main St",'
        '"Springfield","12345","United States","(555) 123-4567","555 987 6543",'
        '"john.smith@acme.example","","Met at the expo","www.acme.example"\r\n'
        '"Dr.","Jane","A.","Doe","","Acme","","CTO","","","","","","","jane@acme.example",'
        '"","",""\r\n'
        '"","Max","","Mustermann","","Beispiel GmbH","","Einkauf","Hauptstr. 5","Berlin",'
        '"10115","Germany","+49 30 1234567","","max@beispiel.example",'
        '"max2@beispiel.example","",""\r\n',
    ),
    "google": (
        EntityKind.CONTACT,
        "contacts.csv",
        "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
        "Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,"
        "Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
        "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,"
        "Phone 2 - Label,Phone 2 - Value\n"
        "Ana,,Lima,,,,,,,,Lima Café Ltda,Owner,,,,,* myContacts,* Work,ana@lima.example,"
        "Mobile,+55 11 91234-5678,Work,+55 11 3456-7890\n"
        "Bo,,Berg,,,,,,,,,,,,Friend from school,,* myContacts,* Home,bo@berg.example,,,,\n"
        "Cy,,Chan,,,,,,,,Chan & Co,Partner,,,,,* myContacts,,,Work,+1 415 555 0100,,\n",
    ),
    "linkedin": (
        EntityKind.CONTACT,
        "Connections.csv",
        "Notes:\n"
        '"When exporting your connection data, you may notice that some of the email '
        "addresses are missing. You will only see email addresses for connections who have "
        'allowed their connections to see or download their email address."\n'
        "\n"
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Priya,Patel,https://www.linkedin.com/in/priya,priya@datawise.example,DataWise,"
        "Data Scientist,02 Mar 2024\n"
        "Marco,Rossi,https://www.linkedin.com/in/marco,,Rossi SpA,Founder,15 Jan 2023\n"
        "Kim,Lee,https://www.linkedin.com/in/kimlee,,,Student,01 Dec 2022\n",
    ),
    "pipedrive-people": (
        EntityKind.CONTACT,
        "people-export.csv",
        "Person - Name,Person - Organization,Person - Email - Work,Person - Phone - Work,"
        "Person - Phone - Mobile,Person - Label,Person - Owner\n"
        "Olga Ivanova,Volga Trade,olga@volga.example,+7 495 123-45-67,,Hot lead,Rita Rep\n"
        '"van der Berg, Jan",Polder BV,jan@polder.example,,+31 6 12345678,,Rita Rep\n'
        "Sam Smith,,sam@smith.example,,,,Rita Rep\n",
    ),
    "pipedrive-organizations": (
        EntityKind.ACCOUNT,
        "organizations-export.csv",
        "Organization - Name,Organization - Address,Organization - Owner,"
        "Organization - Label,Organization - People\n"
        'Volga Trade,"Tverskaya 1, Moscow",Rita Rep,Customer,2\n'
        "Polder BV,Damrak 1,Rita Rep,,1\n"
        "Fjord AS,,Rita Rep,Prospect,0\n",
    ),
}

# preset key → what the three rows must become: (created, name field values sorted)
PRESET_EXPECTED: dict[str, tuple[int, list[str]]] = {
    "salesforce-contacts": (3, ["Babbage", "Hopper", "Lovelace"]),
    "salesforce-accounts": (3, ["Acme Corp", "Globex", "Initech"]),
    "salesforce-leads": (3, ["Poe", "Roe", "Wei"]),
    "hubspot-contacts": (3, ["Ahrens", "Berg", "Klein"]),
    "hubspot-companies": (3, ["Nordlicht AG", "Ostwind KG", "Südwind GmbH"]),
    "outlook": (3, ["Doe", "Mustermann", "Smith"]),
    "google": (3, ["Berg", "Chan", "Lima"]),
    "linkedin": (3, ["Lee", "Patel", "Rossi"]),
    "pipedrive-people": (3, ["Ivanova", "Smith", "van der Berg"]),
    "pipedrive-organizations": (3, ["Fjord AS", "Polder BV", "Volga Trade"]),
}
