"""Match keys for duplicates: emails, web domains, phones, names, blocks, groups and scores."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from sfa_desktop.core.rules.matching import (
    DuplicateGroup,
    MatchIndex,
    MatchKeys,
    Reason,
    account_keys,
    contact_keys,
    duplicate_groups,
    name_prefix,
    score,
    similar_words,
)
from sfa_desktop.core.rules.normalize import (
    FREE_MAIL,
    company_key,
    fold,
    normalize_email,
    normalize_phone,
    person_key,
    web_domain,
)

# -- emails -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("  JANE@acme.co.uk", "jane@acme.co.uk"),
        ("mailto:jane@acme.com", "jane@acme.com"),
        ("jörg@müller.de", "jörg@xn--mller-kva.de"),
        ("o'brien+sales@acme.io", "o'brien+sales@acme.io"),
    ],
)
def test_emails_are_normalized(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "jane", "jane@", "@acme.com", "jane@localhost", "jane@acme..com", "a@b c.de"]
)
def test_what_is_not_an_email_gives_none(raw: str | None) -> None:
    assert normalize_email(raw) is None


# -- web domains --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acme.com", "acme.com"),
        ("www.Acme.com", "acme.com"),
        ("https://www.acme.com/about?x=1", "acme.com"),
        ("HTTP://WWW.Acme.CO.UK:8080/x?y", "acme.co.uk"),
        ("http://user:secret@shop.acme.de/", "shop.acme.de"),
        ("acme.com/", "acme.com"),
        ("acme.com.", "acme.com"),
        ("https://acme.com#contact", "acme.com"),
        ("müller.de", "xn--mller-kva.de"),
        ("jane@acme.com", "acme.com"),
        ("Jane.Doe@Sub.Acme.com", "sub.acme.com"),
    ],
)
def test_web_domains_from_urls_bare_domains_and_emails(raw: str, expected: str) -> None:
    assert web_domain(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "jane@gmail.com",
        "JANE@GMAIL.COM",
        "bob@web.de",
        "gmail.com",
        "https://www.gmail.com/",
        "www.hotmail.com",
    ],
)
def test_free_mail_is_no_company_domain(raw: str) -> None:
    assert web_domain(raw) is None


@pytest.mark.parametrize("raw", [None, "", "n/a", "acme", "http://", "www.", "-"])
def test_what_is_not_a_domain_gives_none(raw: str | None) -> None:
    assert web_domain(raw) is None


def test_free_mail_list_is_lower_case_domains() -> None:
    assert all(domain == domain.lower() and "." in domain for domain in FREE_MAIL)


# -- phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+49 30 1234567", "US", "+49301234567"),
        ("+49 (0)30 1234567", "US", "+49301234567"),
        ("+49 030 1234567", "US", "+49301234567"),  # the trunk 0 after the country code
        ("030 1234567", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("(212) 555-0123", "US", "+12125550123"),
        ("212.555.0123", "US", "+12125550123"),
        ("+1 212-555-0123", "DE", "+12125550123"),
        ("+44 20 7123 4567", "US", "+442071234567"),
        ("+44 (0) 20 7123 4567", "US", "+442071234567"),
        ("020 7123 4567", "GB", "+442071234567"),
        ("+33 1 23 45 67 89", "US", "+33123456789"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("+39 06 1234 5678", "US", "+390612345678"),  # Italy keeps its leading 0
        ("+49301234567", "US", "+49301234567"),
    ],
)
def test_phones_become_e164(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("raw", [None, "", "n/a", "12", "+", "call me", "+49 1"])
def test_what_is_not_a_phone_gives_none(raw: str | None) -> None:
    assert normalize_phone(raw) is None


def test_one_number_in_every_notation_is_one_key() -> None:
    notations = ["+49 30 1234567", "+49-30-1234567", "+49 (30) 123 45 67", "+4930 1234567"]
    assert {normalize_phone(n) for n in notations} == {"+49301234567"}


# -- names --------------------------------------------------------------------------------


def test_fold_drops_case_accents_and_punctuation() -> None:
    assert fold("  Müller-Lüdenscheidt, Crème Brûlée!! ") == "muller ludenscheidt creme brulee"
    assert fold("AT&T") == "at and t"


def test_fold_spells_latin_letters_without_decomposition() -> None:
    assert fold("Søren Ærø") == "soren aero"
    assert fold("Łódź") == "lodz"
    assert fold("Straße") == "strasse"


def test_fold_keeps_letters_of_other_scripts() -> None:
    assert fold("Яндекс, ООО") == "яндекс ооо"
    assert fold("東京 電力") == "東京 電力"
    assert company_key("Яндекс") == "яндекс"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme GmbH", "ACME"),
        ("Acme, Inc.", "acme incorporated"),
        ("The Acme Company", "Acme"),
        ("Müller AG", "Mueller AG".replace("ue", "u")),
        ("Société Générale S.A.", "Societe Generale"),
        ("Acme Ltd.", "Acme Limited"),
        ("J.P. Morgan & Co.", "JP Morgan and Co"),
        ("Fiat S.p.A.", "FIAT SpA"),
    ],
)
def test_company_keys_ignore_legal_forms_accents_and_case(a: str, b: str) -> None:
    assert company_key(a) == company_key(b)


def test_a_name_made_only_of_legal_forms_keeps_its_words() -> None:
    assert company_key("The Company") == "the company"


def test_initials_are_one_word_in_company_names() -> None:
    assert company_key("A. B. C. Holdings") == "abc holdings"
    assert company_key("I B M") == company_key("IBM") == "ibm"


def test_person_keys_ignore_word_order() -> None:
    assert person_key("John", "Smith") == person_key("Smith,", "John") == "john smith"
    assert person_key("José", "García") == person_key("Jose", "Garcia")


def test_name_prefix_does_not_depend_on_word_order() -> None:
    assert name_prefix("widgets acme") == name_prefix("acme widgets") == "wid"
    assert name_prefix("ab cd") == "ab"  # equal lengths: alphabetically first
    assert name_prefix("") == ""


# -- index: exact keys, fuzzy names, blocks ----------------------------------------------


def _index(*records: tuple[str, MatchKeys]) -> MatchIndex:
    index = MatchIndex()
    for record_id, keys in records:
        index.add(record_id, keys)
    return index


def test_same_email_matches_across_accounts() -> None:
    index = _index(("c1", contact_keys("Jane", "Doe", ["jane@acme.com"], block="a1")))
    (match,) = index.matches(contact_keys("J.", "Smith", ["JANE@ACME.COM"], block="a2"))
    assert match.record_id == "c1"
    assert match.reasons == (Reason.EMAIL,)
    assert match.score == 0.95


def test_same_phone_in_another_notation_matches() -> None:
    index = _index(("a1", account_keys("Acme", phones=["+49 30 1234567"])))
    (match,) = index.matches(account_keys("Totally Different", phones=["030/1234567"], region="DE"))
    assert match.reasons == (Reason.PHONE,)


def test_same_domain_from_website_and_url_matches() -> None:
    index = _index(("a1", account_keys("Acme", domain="acme.com")))
    (match,) = index.matches(account_keys("Acme Holding", domain="https://www.acme.com/de/"))
    assert Reason.DOMAIN in match.reasons


def test_accounts_on_free_mail_do_not_match_by_domain() -> None:
    index = _index(("a1", account_keys("Joe's Bikes", domain="joe@gmail.com")))
    assert index.matches(account_keys("Ann's Bakery", domain="ann@gmail.com")) == []


def test_company_names_match_whatever_the_legal_form_and_word_order() -> None:
    index = _index(("a1", account_keys("Müller Schmidt GmbH")))
    (match,) = index.matches(account_keys("Schmidt & Muller".replace("&", "")))
    assert match.reasons == (Reason.NAME,)
    assert match.score == 0.7


def test_similar_company_names_match_as_similar() -> None:
    index = _index(("a1", account_keys("Northwind Traders")))
    (match,) = index.matches(account_keys("Northwind Trader Ltd"))
    assert match.reasons == (Reason.SIMILAR_NAME,)
    assert match.score == 0.5


def test_different_names_do_not_match() -> None:
    index = _index(("a1", account_keys("Northwind Traders")))
    assert index.matches(account_keys("Contoso Pharmaceuticals")) == []


def test_contacts_match_by_name_only_within_one_account() -> None:
    index = _index(
        ("c1", contact_keys("John", "Smith", block="acme")),
        ("c2", contact_keys("John", "Smith", block="globex")),
    )
    found = index.matches(contact_keys("Smith", "John", block="acme"))
    assert [m.record_id for m in found] == ["c1"]


def test_a_contact_without_account_matches_contacts_at_any_account_by_name() -> None:
    index = _index(
        ("c1", contact_keys("John", "Smith", block="acme")),
        ("c2", contact_keys("Jon", "Smith")),
    )
    assert {m.record_id for m in index.matches(contact_keys("John", "Smith"))} == {"c1", "c2"}
    assert {m.record_id for m in index.matches(contact_keys("John", "Smith", block="x"))} == {"c2"}


def test_several_reasons_add_up_and_best_match_comes_first() -> None:
    index = _index(
        ("weak", contact_keys("Jane", "Doe", block="a")),
        ("strong", contact_keys("Jane", "Doe", ["jane@acme.com"], ["+1 212 555 0123"], "a")),
    )
    found = index.matches(
        contact_keys("Jane", "Doe", ["jane@acme.com"], ["(212) 555-0123"], block="a")
    )
    assert [m.record_id for m in found] == ["strong", "weak"]
    assert found[0].reasons == (Reason.EMAIL, Reason.PHONE, Reason.NAME)
    assert found[0].explanation == "same email, same phone, same name"
    assert found[0].score == score([Reason.EMAIL, Reason.PHONE, Reason.NAME])


def test_exclude_leaves_the_record_itself_out() -> None:
    keys = account_keys("Acme", "acme.com")
    index = _index(("a1", keys))
    assert index.matches(keys, exclude="a1") == []


def test_scores_combine_as_independent_odds() -> None:
    assert score([]) == 0.0
    assert score([Reason.EMAIL]) == 0.95
    assert score([Reason.PHONE, Reason.DOMAIN]) == 0.96
    assert score([Reason.NAME, Reason.SIMILAR_NAME]) == 0.85
    assert 0 < score([Reason.SIMILAR_NAME]) < score([Reason.NAME]) < score([Reason.EMAIL])


# -- groups -------------------------------------------------------------------------------


def test_groups_are_transitive_and_explain_each_pair() -> None:
    groups = duplicate_groups(
        [
            ("a", account_keys("Acme GmbH", "acme.de")),
            ("b", account_keys("Totally other", "https://www.acme.de", ["+49 30 1234567"])),
            ("c", account_keys("Third name", phones=["+49 (30) 123 45 67"])),
            ("d", account_keys("Unrelated Corp", "unrelated.com")),
        ]
    )
    assert groups == [
        DuplicateGroup(
            record_ids=("a", "b", "c"),
            reasons=(("a", "b", (Reason.DOMAIN,)), ("b", "c", (Reason.PHONE,))),
            score=0.8,
        )
    ]


def test_groups_come_most_certain_first() -> None:
    groups = duplicate_groups(
        [
            ("x1", account_keys("Northwind Traders")),
            ("x2", account_keys("Northwind Trader")),
            ("y1", contact_keys("Ann", "Lee", ["ann@lee.com"])),
            ("y2", contact_keys("Anne", "Leigh", ["ann@lee.com"])),
        ]
    )
    assert [g.record_ids for g in groups] == [("y1", "y2"), ("x1", "x2")]
    assert [g.score for g in groups] == [0.95, 0.5]


def test_min_score_drops_weak_pairs() -> None:
    records = [("a", account_keys("Northwind Traders")), ("b", account_keys("Northwind Trader"))]
    assert duplicate_groups(records, min_score=0.6) == []
    assert len(duplicate_groups(records, min_score=0.5)) == 1


def test_records_without_a_look_alike_form_no_group() -> None:
    assert duplicate_groups([("a", account_keys("Acme")), ("b", account_keys("Globex"))]) == []
    assert duplicate_groups([]) == []


def test_a_key_shared_by_many_records_does_not_chain_them_into_one_group() -> None:
    """A switchboard number on every contact of a company says nothing about who is who."""
    names = ["Ann Lee", "Bob Marsh", "Cy Young", "Di Prince", "Ed Stark", "Flo Rida"]
    records = [
        (f"c{i}", contact_keys(*name.split(), phones=["+49 30 1000"], block="acme"))
        for i, name in enumerate(names)
    ]
    records.append(("dup", contact_keys("Ann", "Lee", phones=["+49 30 1000"], block="acme")))
    groups = duplicate_groups(records)
    assert [g.record_ids for g in groups] == [("c0", "dup")]
    assert groups[0].reasons == (("c0", "dup", (Reason.NAME,)),)


def test_a_key_shared_by_a_few_records_still_counts() -> None:
    records = [
        (f"c{i}", contact_keys("X", name, phones=["+49 30 1000"], block="acme"))
        for i, name in enumerate(["Ann", "Bob", "Cy"])
    ]
    (group,) = duplicate_groups(records, common=5)
    assert group.record_ids == ("c0", "c1", "c2")


def test_the_fast_path_for_international_numbers_agrees_with_the_parser() -> None:
    """Numbers written with their country code skip phonenumbers.parse unless a trunk
    prefix or carrier code needs its rules; the result must be the parser's."""
    rng = random.Random(11)
    codes = sorted(code for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if code)
    separators = [" ", "-", ".", "", " (", ") "]
    for _ in range(5_000):
        national = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 14)))
        text = (
            f"+{rng.choice(codes)}{rng.choice(separators)}{national[:3]}"
            f"{rng.choice(separators)}{national[3:]}"
        )
        try:
            parsed = phonenumbers.parse(text, "US")
            expected = (
                phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                if phonenumbers.is_possible_number(parsed)
                else None
            )
        except phonenumbers.NumberParseException:
            expected = None
        assert normalize_phone(text) == expected, text


def test_similar_names_alone_do_not_chain_into_one_group() -> None:
    """'Meier' ~ 'Meyer' ~ 'Mayer': two look-alike pairs, not one company of three."""
    records = [
        ("ei", account_keys("Meier Holding GmbH")),
        ("ey", account_keys("Meyer Holding AG")),
        ("ay", account_keys("Mayer Holding KG")),
    ]
    groups = duplicate_groups(records)
    assert sorted(g.record_ids for g in groups) == [("ei", "ey"), ("ey", "ay")]
    assert {g.score for g in groups} == {0.5}
    assert len(duplicate_groups(records, chain_score=0.5)) == 1  # chained when asked


def test_names_alike_only_by_a_shared_word_are_not_similar() -> None:
    assert not similar_words("capital ik", "capital ri")
    assert not similar_words("communications obrien", "communications robin")
    assert similar_words("northwind traders", "northwind trader")
    assert similar_words("a john smith", "john smith")  # a middle initial
    index = _index(("a1", account_keys("IK Capital Inc.")))
    assert index.matches(account_keys("RI Capital Ltd")) == []


def test_a_weak_pair_inside_a_strong_group_adds_its_reason() -> None:
    records = [
        ("a", account_keys("Northwind Traders", "northwind.com")),
        ("b", account_keys("Northwind Trader", "https://northwind.com")),
    ]
    (group,) = duplicate_groups(records, chain_score=0.9)
    assert group.record_ids == ("a", "b")
    assert group.reasons == (("a", "b", (Reason.DOMAIN, Reason.SIMILAR_NAME)),)


def test_gmbh_and_co_kg_is_a_legal_form() -> None:
    assert company_key("Haase Klinikservice GmbH & Co. KG") == "haase klinikservice"
    assert company_key("Smith & Wesson") == "smith and wesson"
