"""Regenerate common_words.txt, the allow-list of terms a report may show.

Run ``python -m report_pipeline.deid.build_vocabulary`` after installing the
``vocabulary`` extra (wordfreq, faker, names, gender-guesser). The list is
committed so the pipeline needs none of these at run time and a report never
changes because a package was upgraded.

The list is: the most frequent English words of wordfreq (letters only, three
or more), minus every personal name those packages know (Faker's first and
last names of all its locales, the US census surnames and first names, the
gender-guesser first names of many countries), minus place names Faker knows
(cities, streets), minus month and weekday names (parts of dates) and a few
record labels. A surname that is also a word ("Brown", "Young") is dropped with
the word: a term chart cannot tell them apart, and privacy wins; only the
hand-reviewed clinical words of clinical_words.txt ("head", "rash") come back.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

VOCABULARY_SIZE = 40_000  # wordfreq rank; rank 40,000 has a Zipf frequency of about 2.7
CENSUS_SURNAMES = 5_000  # by rank: every surname borne by about 1 in 40,000 or more
OUTPUT = Path(__file__).with_name("common_words.txt")
# Words that are also names: allowed in lower case in failure reasons only.
NAME_WORDS = Path(__file__).with_name("name_words.txt")
WORD = re.compile(r"[^\W\d_]{3,}")

MONTHS_AND_DAYS = """
january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday
wednesday thursday friday saturday sunday
""".split()
# Labels that announce an identifier; showing them tells the reader one was there.
RECORD_LABELS = "dob mrn ssn npi ein dea fax tel email mail phone".split()


def faker_names() -> set[str]:
    """First and last names of every Faker locale, and its city and street names."""
    import faker.providers.address as address
    import faker.providers.person as person

    found: set[str] = set()
    # Every person list whose attribute names names ("unisex_last_names" too).
    for package, keys in (
        (person, ("name",)),
        (address, ("cities", "city_name", "street_name", "streets")),
    ):
        for module in pkgutil.iter_modules(package.__path__):
            provider = importlib.import_module(f"{package.__name__}.{module.name}").Provider
            for attr in dir(provider):
                if attr.startswith("_") or "language" in attr:  # language_names: not people
                    continue
                if any(key in attr for key in keys):
                    found |= _strings(getattr(provider, attr))
    return found


def census_names() -> set[str]:
    """US census first names and most frequent surnames (the `names` package).

    The census lists 88,799 surnames down to a handful of bearers each, which
    include "Patient", "Care" and "Pain"; past CENSUS_SURNAMES the allow-list
    itself keeps rare surnames out, as they are rarely common words.
    """
    import names

    folder = Path(names.__file__).parent
    found: set[str] = set()
    for path in folder.glob("dist.*"):
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        limit = CENSUS_SURNAMES if path.name.endswith(".last") else len(rows)
        found |= {row[0].lower() for row in rows if int(row[3]) <= limit}
    return found


def world_first_names() -> set[str]:
    """First names of many countries from gender-guesser's nam_dict.txt."""
    import gender_guesser

    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    found: set[str] = set()
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        if line.startswith("#") or len(line) < 4:
            continue
        found |= set(WORD.findall(line[3:29].replace("+", " ").lower()))
    return found


def _strings(value: object) -> set[str]:
    if isinstance(value, str) or callable(value):
        return set()
    try:
        items = list(value)  # tuples, lists and weighted OrderedDicts alike
    except TypeError:
        return set()
    return {word for item in items if isinstance(item, str) for word in WORD.findall(item.lower())}


def build() -> tuple[list[str], list[str]]:
    """(common words that are no name, common words that are also a name)."""
    import wordfreq

    names = faker_names() | census_names() | world_first_names()
    words = {w for w in wordfreq.top_n_list("en", VOCABULARY_SIZE) if WORD.fullmatch(w)}
    words -= set(MONTHS_AND_DAYS) | set(RECORD_LABELS)
    names |= {w for w in words if _is_place_name(w, names)}
    kept = clinical_words()
    return sorted((words - names) | kept), sorted((words & names) - kept)


# Town names are made of a surname and one of these ("Woodville", "Greenland").
PLACE_SUFFIXES = (
    "ville",
    "town",
    "ton",
    "land",
    "berg",
    "burg",
    "burgh",
    "borough",
    "bury",
    "port",
    "mouth",
    "stad",
    "furt",
    "chester",
    "fort",
    "haven",
    "shire",
    "field",
    "ford",
    "wood",
    "dale",
    "stead",
    "ham",
)


def _is_place_name(word: str, names: set[str]) -> bool:
    # A stem of four letters or more: "in" + "stead" is a word, not a town.
    return any(
        word.endswith(suffix) and len(word) - len(suffix) >= 4 and word[: -len(suffix)] in names
        for suffix in PLACE_SUFFIXES
    )


def clinical_words() -> set[str]:
    """Hand-reviewed clinical words kept although they are also names (clinical_words.txt)."""
    text = Path(__file__).with_name("clinical_words.txt").read_text(encoding="utf-8")
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def main() -> None:
    common, name_words = build()
    OUTPUT.write_text("\n".join(common) + "\n", encoding="utf-8")
    NAME_WORDS.write_text("\n".join(name_words) + "\n", encoding="utf-8")
    print(f"{len(common)} words written to {OUTPUT}, {len(name_words)} to {NAME_WORDS}")


if __name__ == "__main__":
    main()
