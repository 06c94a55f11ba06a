"""Clinical notes full of generated patient identifiers (Faker), for the de-identification tests.

Each note carries the identifiers HIPAA Safe Harbor lists: names (several
locales), birth dates, ages over 89, MRNs, SSNs, insurance ids, phone and fax
numbers, e-mail and web addresses, street addresses, ZIP codes, visit dates.
`identifier_tokens` are the words of those values that would identify someone:
every word of a name, every token with a digit, e-mail and web addresses
whole; the generic words of Faker's address and domain templates ("Street",
"Suite", "Lake", "com") are not identifiers and are left out, and a web
address (Faker takes company sites: "microsoft.com") only counts whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from faker import Faker

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_BR")
TOKEN = re.compile(r"[^\W_]+")
LABELS = frozenset({"mrn", "ins"})  # this corpus's own prefixes of ids
CLINICAL = (
    "Presented with chest pain and shortness of breath; blood pressure elevated.",
    "Follow-up for diabetes; insulin dose adjusted, glucose stable.",
    "Mild rash on the left arm after the new medication; advised to stop treatment.",
    "Chronic cough and fever for three weeks; chest examination and culture ordered.",
    "Fracture of the right wrist after a fall; cast applied, pain controlled.",
)


@dataclass
class Note:
    text: str
    names: list[str] = field(default_factory=list)  # person names, whole
    values: list[str] = field(default_factory=list)  # every other identifier, whole


@lru_cache(maxsize=1)
def template_words() -> frozenset[str]:
    """Generic words of Faker's address, company and internet templates."""
    words: set[str] = set()
    for locale in LOCALES:
        fake = Faker(locale)
        for provider in fake.providers:
            for attr in (
                "street_suffixes",
                "city_prefixes",
                "city_suffixes",
                "street_prefixes",
                "tlds",
                "free_email_domains",
                "safe_domain_names",
                "secondary_address_formats",
                "states",
                "states_abbr",
                "street_titles",
                "city_formats",
                "street_name_formats",
                "street_address_formats",
                "address_formats",
                "prefixes_female",
                "prefixes_male",
                "prefixes",
                "building_number_formats",
                "suffixes",
                "suffixes_female",
                "suffixes_male",
                "company_prefixes",
            ):
                value = getattr(provider, attr, None)
                if isinstance(value, (list, tuple, dict)) or hasattr(value, "keys"):
                    for item in value:
                        if isinstance(item, str):
                            words |= {w.lower() for w in TOKEN.findall(item) if not w.isdigit()}
    return frozenset(words | LABELS)


def make_notes(count: int, seed: int = 13) -> list[Note]:
    """`count` notes, locales in turn, reproducible for a seed."""
    Faker.seed(seed)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    return [_note(fakers[LOCALES[i % len(LOCALES)]], i) for i in range(count)]


def _note(fake: Faker, number: int) -> Note:
    patient, doctor = fake.name(), fake.name()
    dob = fake.date_of_birth(minimum_age=18, maximum_age=99)
    values = [
        dob.strftime("%m/%d/%Y"),
        dob.isoformat(),
        f"MRN-{fake.random_number(digits=7, fix_len=True)}",
        fake.bothify("###-##-####"),
        fake.phone_number(),
        fake.phone_number(),
        fake.email(),
        fake.url(),
        fake.street_address(),
        fake.postcode(),
        fake.city(),
        fake.bothify("INS-??######").upper(),
        fake.date_between("-1y").isoformat(),
        str(90 + number % 10),
    ]
    text = (
        f"Patient: {patient}\nDOB: {values[0]} ({values[1]})\nMRN: {values[2]}\nSSN: {values[3]}\n"
        f"Phone: {values[4]}  Fax: {values[5]}\nEmail: {values[6]}  Web: {values[7]}\n"
        f"Address: {values[8]}, {values[9]} {values[10]}\nInsurance: {values[11]}\n"
        f"Visit: {values[12]}. Age {values[13]}.\n{CLINICAL[number % len(CLINICAL)]}\n"
        f"Seen by Dr. {doctor}. {patient.split()[-1]} to return in two weeks.\n"
    )
    return Note(text=text, names=[patient, doctor], values=values)


def identifier_tokens(notes: list[Note]) -> set[str]:
    """Lower-case words of the notes' identifiers that identify (see module doc)."""
    generic = template_words()
    tokens: set[str] = set()
    for note in notes:
        for name in note.names:
            tokens |= {w.lower() for w in TOKEN.findall(name) if w.lower() not in generic}
        for value in note.values:
            if value.startswith("http"):
                continue  # a company's site (Faker's domains); the URL counts whole
            tokens |= {
                w.lower()
                for w in TOKEN.findall(value)
                if any(c.isdigit() for c in w)
                or (w.lower() not in generic and not _initials(w, value))
            }
    return tokens


def _initials(word: str, value: str) -> bool:
    # "mda" of "mda-costa@example.com": initials identify nobody; the address counts whole.
    return "@" in value and len(word) <= 3


def identifier_values(notes: list[Note]) -> set[str]:
    """Whole identifier strings (names, e-mails, phones...) to look for in output."""
    return {v for note in notes for v in (*note.names, *note.values)}
