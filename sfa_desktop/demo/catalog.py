"""Fixed word lists the demo data is assembled from (the seller's products, titles, subjects)."""

from __future__ import annotations

from dataclasses import dataclass

from sfa_desktop.core.enums import BuyingRole, Channel


@dataclass(frozen=True, eq=False)
class Industry:
    name: str
    words: dict[str, tuple[str, ...]]  # language -> words that fit a company name


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "Manufacturing",
        {
            "en": ("Manufacturing", "Industries", "Engineering"),
            "de": ("Maschinenbau", "Industrietechnik", "Fertigung"),
            "fr": ("Industries", "Mécanique", "Fabrication"),
        },
    ),
    Industry(
        "Automotive",
        {
            "en": ("Automotive", "Motors", "Components"),
            "de": ("Automotive", "Fahrzeugtechnik", "Zulieferer"),
            "fr": ("Automobiles", "Équipements", "Composants"),
        },
    ),
    Industry(
        "Logistics",
        {
            "en": ("Logistics", "Freight", "Transport"),
            "de": ("Logistik", "Spedition", "Transporte"),
            "fr": ("Logistique", "Transports", "Fret"),
        },
    ),
    Industry(
        "Healthcare",
        {
            "en": ("Health", "Medical", "Care"),
            "de": ("Medizintechnik", "Klinikservice", "Gesundheit"),
            "fr": ("Santé", "Médical", "Cliniques"),
        },
    ),
    Industry(
        "Pharmaceuticals",
        {
            "en": ("Pharma", "Life Sciences", "Biotech"),
            "de": ("Pharma", "Arzneimittel", "Biotech"),
            "fr": ("Pharma", "Laboratoires", "Biotech"),
        },
    ),
    Industry(
        "Retail",
        {
            "en": ("Retail", "Stores", "Trading"),
            "de": ("Handel", "Warenhaus", "Handelshaus"),
            "fr": ("Distribution", "Commerce", "Magasins"),
        },
    ),
    Industry(
        "Energy",
        {
            "en": ("Energy", "Power", "Renewables"),
            "de": ("Energie", "Stadtwerke", "Solartechnik"),
            "fr": ("Énergie", "Électricité", "Renouvelables"),
        },
    ),
    Industry(
        "Construction",
        {
            "en": ("Construction", "Building", "Contractors"),
            "de": ("Bau", "Hochbau", "Bauunternehmung"),
            "fr": ("Construction", "Bâtiment", "Travaux Publics"),
        },
    ),
    Industry(
        "Financial Services",
        {
            "en": ("Capital", "Financial", "Insurance"),
            "de": ("Finanz", "Versicherung", "Leasing"),
            "fr": ("Finance", "Assurances", "Crédit"),
        },
    ),
    Industry(
        "Telecommunications",
        {
            "en": ("Telecom", "Networks", "Communications"),
            "de": ("Telekom", "Netze", "Kommunikation"),
            "fr": ("Télécom", "Réseaux", "Communications"),
        },
    ),
    Industry(
        "Food & Beverage",
        {
            "en": ("Foods", "Brewing", "Beverages"),
            "de": ("Lebensmittel", "Brauerei", "Feinkost"),
            "fr": ("Alimentaire", "Boissons", "Brasserie"),
        },
    ),
    Industry(
        "Chemicals",
        {
            "en": ("Chemicals", "Coatings", "Materials"),
            "de": ("Chemie", "Lacke", "Werkstoffe"),
            "fr": ("Chimie", "Revêtements", "Matériaux"),
        },
    ),
)

# Suffixes stripped from company names before making a web domain from them.
LEGAL_FORMS: frozenset[str] = frozenset(
    {
        "gmbh",
        "ag",
        "co",
        "kg",
        "se",
        "sa",
        "sas",
        "sarl",
        "ltd",
        "plc",
        "llp",
        "inc",
        "llc",
        "corp",
        "group",
        "holding",
    }
)

SEGMENTS: tuple[str, ...] = ("Enterprise", "Mid-market", "SMB")

# What the demo company sells, and the kinds of deals it makes.
PRODUCTS: tuple[str, ...] = (
    "Fleet Telematics",
    "Predictive Maintenance",
    "Cloud Analytics",
    "Service Contract",
    "Spare Parts Framework",
    "Training Package",
    "Premium Support",
    "Hardware Refresh",
    "Licence Bundle",
    "Consulting Retainer",
    "Asset Tracking",
    "Energy Monitoring",
)
DEAL_KINDS: tuple[str, ...] = (
    "renewal",
    "renewal",
    "expansion",
    "new business",
    "upgrade",
    "pilot",
    "framework agreement",
)
COMPETITORS: tuple[str, ...] = (
    "Acme Systems",
    "Globex",
    "Initech",
    "Umbrella Solutions",
    "Vandelay Industries",
    "Hooli",
    "Stark Digital",
)
LOSS_REASONS: tuple[str, ...] = (
    "Price",
    "Chose a competitor",
    "No budget",
    "Project postponed",
    "No decision",
    "Missing feature",
    "Lost the champion",
)
NEXT_STEPS: tuple[str, ...] = (
    "Send revised proposal",
    "Schedule product demo",
    "Follow-up call with procurement",
    "Reference call with existing customer",
    "Workshop with IT",
    "Clarify legal terms",
    "Present business case to the board",
    "Agree pilot scope",
    "Send pricing for option B",
    "",
)

TITLES: dict[BuyingRole, tuple[str, ...]] = {
    BuyingRole.DECISION_MAKER: (
        "CEO",
        "Managing Director",
        "CFO",
        "COO",
        "Head of Procurement",
        "VP Operations",
        "Chief Digital Officer",
    ),
    BuyingRole.INFLUENCER: (
        "IT Manager",
        "Head of Engineering",
        "Plant Manager",
        "Controller",
        "Head of Maintenance",
        "Head of Logistics",
    ),
    BuyingRole.USER: (
        "Operations Specialist",
        "Buyer",
        "Maintenance Engineer",
        "Fleet Coordinator",
        "Service Technician",
        "Analyst",
    ),
    BuyingRole.GATEKEEPER: (
        "Executive Assistant",
        "Office Manager",
        "Purchasing Assistant",
        "Team Assistant",
    ),
    BuyingRole.CHAMPION: (
        "Project Lead",
        "Team Lead Operations",
        "Digitalisation Manager",
        "Continuous Improvement Manager",
    ),
}
UNSPECIFIED_TITLES: tuple[str, ...] = ("Sales Manager", "Marketing Manager", "HR Manager", "")
CONTACT_NOTES: tuple[str, ...] = (
    "Prefers short calls in the morning.",
    "Met at the customer day last year.",
    "Reports to the managing director.",
    "Very price sensitive.",
    "Ask about the new site project.",
    "Speaks German, English and French.",
    "Decides together with the works council.",
    "Former customer at another company.",
)
ACCOUNT_NOTES: tuple[str, ...] = (
    "Framework contract renews every January.",
    "Central purchasing in the headquarters.",
    "Expanding to a second plant.",
    "Budget cycle closes in October.",
    "Strong relationship with the service team.",
    "Works with two competitors in parallel.",
    "Payment terms 60 days.",
)

SUBJECTS: dict[Channel, tuple[str, ...]] = {
    Channel.VISIT: (
        "Quarterly business review",
        "Site visit – {product}",
        "Kick-off meeting {product}",
        "Executive meeting",
        "Product demo on site",
        "Contract negotiation",
        "Workshop: requirements for {product}",
    ),
    Channel.CALL: (
        "Follow-up call",
        "Call about {product}",
        "Renewal call",
        "Pricing discussion",
        "Check-in call",
        "Qualification call",
        "Call back: open questions",
    ),
    Channel.EMAIL: (
        "Sent proposal for {product}",
        "Sent meeting notes",
        "Quote {product}",
        "Reference stories",
        "Invitation to webinar",
        "Answered technical questions",
        "Sent contract draft",
    ),
    Channel.EVENT: (
        "Met at {fair}",
        "Customer day",
        "User group meeting",
        "Webinar: {product}",
        "Roundtable dinner",
    ),
    Channel.MAIL: (
        "Sent catalogue",
        "Sent seasonal greetings",
        "Sent signed contract",
        "Sent product samples",
    ),
    Channel.NOTE: (
        "Internal note: budget approved",
        "Org chart updated",
        "Competitor spotted",
        "Account research",
        "Note from trade press",
    ),
}
OUTCOMES: dict[Channel, tuple[str, ...]] = {
    Channel.VISIT: (
        "Positive",
        "Follow-up agreed",
        "Proposal requested",
        "No interest right now",
        "Needs internal alignment",
    ),
    Channel.CALL: (
        "Reached",
        "Left voicemail",
        "Call back requested",
        "Not reached",
        "Meeting booked",
    ),
    Channel.EMAIL: ("Sent", "Replied", "No reply yet"),
    Channel.EVENT: ("Attended", "Met new contacts", "Demo booked"),
    Channel.MAIL: ("Sent",),
    Channel.NOTE: ("",),
}
ACTIVITY_NOTES: tuple[str, ...] = (
    "Customer wants a decision before year end.",
    "Asked for references in their industry.",
    "Budget is confirmed, timing unclear.",
    "Competitor offered a lower price.",
    "New contact in procurement, add to the account.",
    "Good atmosphere, next meeting agreed.",
    "Technical questions forwarded to presales.",
)
# Trade fairs by country code, with their venues.
TRADE_FAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "DE": (
        ("Hannover Messe", "Messegelände Hannover"),
        ("LogiMAT", "Messe Stuttgart"),
        ("transport logistic", "Messe München"),
    ),
    "FR": (("Global Industrie", "Eurexpo Lyon"), ("SIL Paris", "Paris Expo Porte de Versailles")),
    "GB": (("Smart Factory Expo", "ExCeL London"), ("Multimodal", "NEC Birmingham")),
    "US": (
        ("ProMat", "McCormick Place, Chicago"),
        ("IMTS", "McCormick Place, Chicago"),
        ("MODEX", "Georgia World Congress Center, Atlanta"),
    ),
}
EVENT_TITLES: dict[Channel, tuple[str, ...]] = {
    Channel.VISIT: (
        "Visit {company}",
        "Quarterly business review {company}",
        "On-site demo: {product}",
        "Workshop {product} – {company}",
    ),
    Channel.CALL: ("Call with {contact}", "Follow-up call: {product}", "Pricing call {company}"),
}
RECURRING_TITLES: tuple[str, ...] = ("Weekly project sync – {company}", "Weekly pilot check-in")
INTERNAL_EVENTS: tuple[str, ...] = (
    "Pipeline review",
    "Team meeting",
    "Forecast call",
    "Territory planning",
    "Product training",
)
ONLINE_LOCATIONS: tuple[str, ...] = ("Microsoft Teams", "Zoom", "Phone")

TASK_TITLES: tuple[str, ...] = (
    "Send proposal to {contact}",
    "Call back {contact}",
    "Prepare QBR deck for {company}",
    "Follow up on quote for {product}",
    "Update account plan {company}",
    "Book site visit at {company}",
    "Send reference stories to {contact}",
    "Check contract renewal date",
    "Introduce presales to {contact}",
)
INTERNAL_TASKS: tuple[str, ...] = (
    "Submit expense report",
    "Update forecast",
    "Prepare territory review",
    "Complete CRM training",
    "Plan trade fair appointments",
    "Clean up old leads",
)

LEAD_SOURCES: tuple[str, ...] = ("web", "trade show", "referral", "cold call", "campaign")
LEAD_SOURCE_WEIGHTS: tuple[int, ...] = (35, 20, 15, 15, 15)
CAMPAIGNS: tuple[str, ...] = (
    "Spring webinar series",
    "Predictive maintenance whitepaper",
    "Fleet efficiency e-book",
    "Customer success stories mailing",
    "Energy savings calculator",
)
DISQUALIFY_REASONS: tuple[str, ...] = (
    "No budget",
    "Too small",
    "Student or job seeker",
    "Competitor",
    "Duplicate",
    "No project in sight",
)
LEAD_NOTES: tuple[str, ...] = (
    "Downloaded the whitepaper twice.",
    "Asked for a price list.",
    "Wants a call after the summer break.",
    "Visited our booth with two colleagues.",
    "",
)

OBJECTIVES: tuple[str, ...] = (
    "Grow service revenue by 15%",
    "Renew the framework contract early",
    "Win the {product} project",
    "Establish an executive sponsor",
    "Expand to the second site in {city}",
    "Replace the competitor in maintenance",
    "Raise share of wallet in spare parts",
    "Run a joint innovation workshop",
)
PLAN_ACTIONS: tuple[str, ...] = (
    "Executive briefing with {contact}",
    "Present the {product} roadmap",
    "Agree annual framework contract",
    "Map the buying centre",
    "Plan joint workshop in {city}",
    "Invite {contact} to the customer day",
    "Prepare reference visit",
    "Review service levels with {contact}",
)
KEY_CONTACT_NOTES: tuple[str, ...] = (
    "Sponsor of the current project",
    "Sceptical since the last price increase",
    "Has the budget",
    "Close to the competitor",
    "New in the role",
    "",
)
FORECAST_COMMENTS: tuple[str, ...] = (
    "Two large renewals expected in the last month.",
    "Commit depends on one board decision.",
    "Pipeline is healthy, timing is the risk.",
    "Upside from the framework deal.",
    "Conservative call, procurement is slow this quarter.",
    "",
)
