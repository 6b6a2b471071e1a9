"""book.toml's publishing keys: published (date or datetime), licence, people, disclosure, [publish]."""

from __future__ import annotations

import datetime as dt

import pytest

from narration.config import BookConfig, Person, load_config, save_config
from narration.disclosure import DEFAULT_TEXTS, disclosure_text, spoken_disclosure
from narration.errors import ConfigError

TOML = """title = "A Book"
author = "An Author"
language = "fr-CA"
published = 2025-03-04
license = "public-domain"

[[people]]
name = "Tess Translator"
role = "translator"

[[people]]
name = "Cy Cover"
role = "cover art designer"
href = "https://example.org/cy"

[disclosure]
speak = false

[publish]
owner_email = "olga@example.org"
epub = false
"""


def write(tmp_path, text: str):
    (tmp_path / "book.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_publishing_keys_are_read(tmp_path):
    config = load_config(write(tmp_path, TOML))
    assert config.published == dt.date(2025, 3, 4)
    assert config.license == "public-domain"
    assert config.people == [
        Person("Tess Translator", "translator"),
        Person("Cy Cover", "cover art designer", href="https://example.org/cy"),
    ]
    assert config.disclosure.speak is False and spoken_disclosure(config) is None
    assert disclosure_text(config) == DEFAULT_TEXTS["fr"]
    assert (config.publish.owner_email, config.publish.epub) == ("olga@example.org", False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-04T09:30:00Z", dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)),
        ("2025-03-04T09:30:00", dt.datetime(2025, 3, 4, 9, 30)),
        ("2025-03-04", dt.date(2025, 3, 4)),
    ],
)
def test_published_is_a_toml_date_or_datetime(tmp_path, value, expected):
    assert load_config(write(tmp_path, f"published = {value}\n")).published == expected


@pytest.mark.parametrize("bad", ['published = "2025-03-04"', "published = 09:30:00", "people = 3", 'people = ["x"]'])
def test_wrong_types_are_a_clear_error(tmp_path, bad):
    with pytest.raises(ConfigError, match="book.toml"):
        load_config(write(tmp_path, bad + "\n"))


def test_the_keys_survive_a_save_and_load(tmp_path):
    config = BookConfig(published=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC), people=[Person("A", "editor")])
    save_config(tmp_path, config)
    again = load_config(tmp_path)
    assert (again.published, again.people) == (config.published, config.people)
