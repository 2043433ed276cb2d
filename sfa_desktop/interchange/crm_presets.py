"""The column mappings of common CRMs' and address books' exports (their header names).

Header names are those the products write (English UI). Sources:
- Salesforce: the column labels of the standard report types "Contacts & Accounts",
  "Accounts" and "Leads" (Salesforce Help, "Standard Report Types"; the field labels of
  the Contact, Account and Lead objects), plus the API names Data Loader writes.
- HubSpot: "Export your records" (knowledge.hubspot.com) writes one column per property
  label: "Record ID", "First Name", "Phone Number", "Company Name", "Company Domain
  Name", "Country/Region" …
- Microsoft Outlook: the CSV Outlook writes with File › Open & Export › Export to a file ›
  Comma Separated Values ("E-mail Address", "Business Phone", "Business Country/Region" …;
  support.microsoft.com, "Import contacts to Outlook", whose sample CSV has these columns).
- Google Contacts: the "Google CSV" export (contacts.google.com › Export): "First Name",
  "Organization Name", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value" …, and
  the older format's "Given Name", "Family Name", "Organization 1 - Name".
- LinkedIn: Connections.csv of "Get a copy of your data" (LinkedIn Help): a few lines of
  notes, then "First Name,Last Name,URL,Email Address,Company,Position,Connected On".
- Pipedrive: list exports name columns "<Item> - <Field>" ("Person - Name",
  "Person - Email - Work", "Organization - Name"; Pipedrive Knowledge Base, "Exporting
  data"; the same headers turn up in scripts that read these exports).
"""

from __future__ import annotations

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange.preset_model import Preset


def _salesforce_contacts() -> Preset:
    return Preset(
        "salesforce-contacts",
        "Salesforce contacts report",
        EntityKind.CONTACT,
        {
            "Salutation": None,
            "First Name": "first_name",
            "Last Name": "last_name",
            "Title": "title",
            "Account Name": "company",
            "Email": "email",
            "Phone": "phone",
            "Mobile": "mobile",
            "Fax": None,
            "Mailing Street": "account_street",
            "Mailing City": "account_city",
            "Mailing State/Province": None,
            "Mailing Zip/Postal Code": "account_postal_code",
            "Mailing Country": "account_country",
            "Description": "notes",
            "Email Opt Out": "do_not_email",
            "Do Not Call": "do_not_call",
            "Website": "website",
            "Contact Owner": None,
            "Lead Source": None,
            "Contact ID": None,
            # Data Loader (API names)
            "FirstName": "first_name",
            "LastName": "last_name",
            "MobilePhone": "mobile",
            "MailingStreet": "account_street",
            "MailingCity": "account_city",
            "MailingPostalCode": "account_postal_code",
            "MailingCountry": "account_country",
            "HasOptedOutOfEmail": "do_not_email",
            "DoNotCall": "do_not_call",
            "AccountId": None,
            "Id": None,
        },
        distinctive=(
            "Account Name", "Mailing Street", "Mailing City", "Mailing Zip/Postal Code",
            "Email Opt Out", "Contact Owner", "MailingStreet", "HasOptedOutOfEmail",
        ),
        source="Salesforce standard report 'Contacts & Accounts'; Data Loader API names",
    )  # fmt: skip


def _salesforce_accounts() -> Preset:
    return Preset(
        "salesforce-accounts",
        "Salesforce accounts report",
        EntityKind.ACCOUNT,
        {
            "Account Name": "name",
            "Account Owner": None,
            "Type": None,
            "Industry": "industry",
            "Billing Street": "street",
            "Billing City": "city",
            "Billing State/Province": None,
            "Billing Zip/Postal Code": "postal_code",
            "Billing Country": "country",
            "Phone": "phone",
            "Fax": None,
            "Website": "domain",
            "Annual Revenue": None,
            "Employees": None,
            "Rating": None,
            "Description": "notes",
            "Account ID": None,
            # Data Loader (API names)
            "Name": "name",
            "BillingStreet": "street",
            "BillingCity": "city",
            "BillingPostalCode": "postal_code",
            "BillingCountry": "country",
            "Id": None,
        },
        distinctive=(
            "Billing Street", "Billing City", "Billing Zip/Postal Code", "Billing Country",
            "Account Owner", "BillingStreet", "BillingCity",
        ),
        source="Salesforce standard report 'Accounts'; Data Loader API names",
    )  # fmt: skip


def _salesforce_leads() -> Preset:
    return Preset(
        "salesforce-leads",
        "Salesforce leads report",
        EntityKind.LEAD,
        {
            "Salutation": None,
            "First Name": "first_name",
            "Last Name": "last_name",
            "Title": "title",
            "Company / Account": "company",
            "Company": "company",
            "Email": "email",
            "Phone": "phone",
            "Mobile": "phone",
            "Lead Source": "source",
            "Lead Status": "status",
            "Campaign Name": "campaign",
            "Description": "notes",
            "Lead Owner": None,
            "Rating": None,
            "Street": None,
            "City": None,
            "State/Province": None,
            "Zip/Postal Code": None,
            "Country": None,
            # Data Loader (API names)
            "FirstName": "first_name",
            "LastName": "last_name",
            "LeadSource": "source",
            "Status": "status",
            "MobilePhone": "phone",
            "Id": None,
        },
        distinctive=("Company / Account", "Lead Source", "Lead Status", "Lead Owner", "LeadSource"),
        source="Salesforce standard report 'Leads'; Data Loader API names",
    )


def _hubspot_contacts() -> Preset:
    return Preset(
        "hubspot-contacts",
        "HubSpot contacts export",
        EntityKind.CONTACT,
        {
            "Record ID": None,
            "Contact ID": None,
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone Number": "phone",
            "Mobile Phone Number": "mobile",
            "Job Title": "title",
            "Company Name": "company",
            "Associated Company": "company",
            "Website URL": "website",
            "Street Address": "account_street",
            "City": "account_city",
            "State/Region": None,
            "Postal Code": "account_postal_code",
            "Country/Region": "account_country",
            "Contact owner": None,
            "Lifecycle Stage": None,
            "Lead Status": None,
            "Create Date": None,
            "Last Activity Date": None,
            "Unsubscribed from all email": "do_not_email",
        },
        distinctive=(
            "Record ID", "Contact ID", "Phone Number", "Mobile Phone Number", "Website URL",
            "Lifecycle Stage", "Contact owner", "Associated Company", "Country/Region",
        ),
        source="HubSpot 'Export your records' (contact property labels)",
    )  # fmt: skip


def _hubspot_companies() -> Preset:
    return Preset(
        "hubspot-companies",
        "HubSpot companies export",
        EntityKind.ACCOUNT,
        {
            "Record ID": None,
            "Company ID": None,
            "Company name": "name",
            "Company Domain Name": "domain",
            "Website URL": "domain",
            "Industry": "industry",
            "Phone Number": "phone",
            "Street Address": "street",
            "Street Address 2": "street",
            "City": "city",
            "State/Region": None,
            "Postal Code": "postal_code",
            "Country/Region": "country",
            "Description": "notes",
            "Annual Revenue": None,
            "Number of Employees": None,
            "Company owner": None,
            "Lifecycle Stage": None,
            "Type": None,
            "Create Date": None,
        },
        distinctive=(
            "Company Domain Name", "Company owner", "Record ID", "Company ID", "Street Address 2",
            "Number of Employees",
        ),
        source="HubSpot 'Export your records' (company property labels)",
    )  # fmt: skip


def _outlook() -> Preset:
    columns: dict[str, str | None] = {
        "Title": None,  # Mr., Dr. — the job is "Job Title"
        "First Name": "first_name",
        "Middle Name": "first_name",
        "Last Name": "last_name",
        "Suffix": None,
        "Nickname": None,
        "Company": "company",
        "Department": None,
        "Job Title": "title",
        "Business Street": "account_street",
        "Business Street 2": "account_street",
        "Business Street 3": "account_street",
        "Business City": "account_city",
        "Business State": None,
        "Business Postal Code": "account_postal_code",
        "Business Country/Region": "account_country",
        "Business Country": "account_country",
        "Business Phone": "phone",
        "Business Phone 2": "phone",
        "Company Main Phone": "phone",
        "Primary Phone": "phone",
        "Mobile Phone": "mobile",
        "Business Fax": None,
        "Home Phone": None,
        "Home Street": None,
        "Home City": None,
        "E-mail Address": "email",
        "E-mail 2 Address": "email",
        "E-mail 3 Address": "email",
        "E-mail Type": None,
        "E-mail Display Name": None,
        "E-mail 2 Type": None,
        "E-mail 2 Display Name": None,
        "E-mail 3 Type": None,
        "E-mail 3 Display Name": None,
        "Notes": "notes",
        "Web Page": "website",
        "Business Web Page": "website",
        "Categories": None,
        "Birthday": None,
        "Anniversary": None,
    }
    return Preset(
        "outlook",
        "Microsoft Outlook contacts",
        EntityKind.CONTACT,
        columns,
        distinctive=(
            "E-mail Address", "Business Phone", "Business Street", "Business City",
            "Business Postal Code", "Mobile Phone", "E-mail 2 Address", "Company Main Phone",
        ),
        source="Outlook › Export to a file › Comma Separated Values",
    )  # fmt: skip


def _google() -> Preset:
    columns: dict[str, str | None] = {
        "Name": "full_name",
        "First Name": "first_name",
        "Given Name": "first_name",
        "Middle Name": "first_name",
        "Additional Name": "first_name",
        "Last Name": "last_name",
        "Family Name": "last_name",
        "Name Prefix": None,
        "Name Suffix": None,
        "Nickname": None,
        "File As": None,
        "Organization Name": "company",
        "Organization 1 - Name": "company",
        "Organization Title": "title",
        "Organization 1 - Title": "title",
        "Organization Department": None,
        "Notes": "notes",
        "Birthday": None,
        "Photo": None,
        "Labels": None,
        "Group Membership": None,
        "Website 1 - Value": "website",
        "Address 1 - Formatted": None,
        "Address 1 - Street": "account_street",
        "Address 1 - City": "account_city",
        "Address 1 - Postal Code": "account_postal_code",
        "Address 1 - Country": "account_country",
        "Address 1 - Region": None,
        "Address 1 - PO Box": None,
    }
    for n in (1, 2, 3):
        columns[f"E-mail {n} - Value"] = "email"
        columns[f"E-mail {n} - Label"] = None
        columns[f"E-mail {n} - Type"] = None
        columns[f"Phone {n} - Value"] = "phone"  # mobile when its label says so
        columns[f"Phone {n} - Label"] = None
        columns[f"Phone {n} - Type"] = None
    return Preset(
        "google",
        "Google Contacts (Google CSV)",
        EntityKind.CONTACT,
        columns,
        distinctive=(
            "E-mail 1 - Value", "Phone 1 - Value", "Organization Name", "Organization 1 - Name",
            "File As", "Given Name", "Family Name", "Organization Title", "Labels",
        ),
        source="Google Contacts › Export › Google CSV (current and older format)",
    )  # fmt: skip


def _linkedin() -> Preset:
    return Preset(
        "linkedin",
        "LinkedIn connections",
        EntityKind.CONTACT,
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "URL": None,  # the person's profile, not the company's website
            "Email Address": "email",
            "Company": "company",
            "Position": "title",
            "Connected On": None,
        },
        distinctive=("Connected On", "Position", "URL"),
        source="LinkedIn › Get a copy of your data › Connections.csv",
    )


def _pipedrive_people() -> Preset:
    columns: dict[str, str | None] = {
        "Person - Name": "full_name",
        "Person - First name": "first_name",
        "Person - Last name": "last_name",
        "Person - Organization": "company",
        "Organization - Name": "company",
        "Person - Job title": "title",
        "Person - Title": "title",
        "Person - Email": "email",
        "Person - Email - Work": "email",
        "Person - Email - Home": "email",
        "Person - Email - Other": "email",
        "Person - Phone": "phone",
        "Person - Phone - Work": "phone",
        "Person - Phone - Mobile": "mobile",
        "Person - Phone - Home": None,
        "Person - Phone - Other": None,
        "Person - Notes": "notes",
        "Person - Owner": None,
        "Person - Label": None,
        "Person - ID": None,
    }
    return Preset(
        "pipedrive-people",
        "Pipedrive people export",
        EntityKind.CONTACT,
        columns,
        distinctive=tuple(h for h in columns if h.startswith("Person - ")),
        source="Pipedrive list export (People)",
    )


def _pipedrive_organizations() -> Preset:
    columns: dict[str, str | None] = {
        "Organization - Name": "name",
        "Organization - Address": "street",
        "Organization - Website": "domain",
        "Organization - Industry": "industry",
        "Organization - Phone": "phone",
        "Organization - Notes": "notes",
        "Organization - Owner": None,
        "Organization - Label": None,
        "Organization - ID": None,
        "Organization - People": None,
    }
    return Preset(
        "pipedrive-organizations",
        "Pipedrive organizations export",
        EntityKind.ACCOUNT,
        columns,
        distinctive=tuple(columns),
        source="Pipedrive list export (Organizations)",
    )


def crm_presets() -> tuple[Preset, ...]:
    """Every CRM and address book preset, in the order the wizard offers them."""
    return (
        _salesforce_contacts(),
        _salesforce_accounts(),
        _salesforce_leads(),
        _hubspot_contacts(),
        _hubspot_companies(),
        _outlook(),
        _google(),
        _linkedin(),
        _pipedrive_people(),
        _pipedrive_organizations(),
    )
