"""Nested JSON and CSV through declarative mapping files (examples/ and ad hoc ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oraculum.config import open_stores
from oraculum.domain.errors import MappingError
from oraculum.ingest.mapping import load_mapping
from oraculum.ingest.pipeline import IngestOptions, ingest
from oraculum.ingest.sources import mapped_source
from oraculum.ingest.verify import verify
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
TAROT = EXAMPLES / "datasets" / "corpora-tarot_interpretations.json"
ZODIAC = EXAMPLES / "datasets" / "corpora-zodiac.json"


def load(settings, path: Path, mapping: Path, **options):
    stores = open_stores(settings, claim=True)
    try:
        report = ingest(
            settings, stores, mapped_source(path, load_mapping(mapping)), IngestOptions(**options)
        )
        return report, {c.id: c for c in stores.documents.scan()}, verify(stores)
    finally:
        stores.close()


def test_outside_tarot_corpus_lands_on_canonical_card_ids(hashing_settings):
    report, chunks, drift = load(hashing_settings, TAROT, EXAMPLES / "corpora-tarot.mapping.yaml")
    assert (report.read, report.new, len(report.rejected)) == (78, 78, 0)
    assert drift.clean
    docs = {c.doc_id for c in chunks.values()}
    assert "tarot/minor/pentacles/9/nine-of-pentacles/en" in docs  # "nine of coins"
    assert "tarot/major/16/the-tower/en" in docs
    fool = chunks["tarot/major/0/the-fool/en#0"]
    assert fool.section == "upright" and "Freeing yourself from limitation" in fool.text
    assert fool.metadata["card"] == "The Fool" and fool.metadata["keywords"][0] == "freedom"


def test_zodiac_object_values_with_a_template(hashing_settings):
    report, chunks, drift = load(hashing_settings, ZODIAC, EXAMPLES / "corpora-zodiac.mapping.yaml")
    assert (report.new, len(report.rejected)) == (12, 0)
    aries = chunks["zodiac-sign/aries/en#0"]
    assert aries.text.startswith("Aries, The Ram, is a Fire sign ruled by Mars")
    assert "Keywords: driven, idealistic, aggressive." in aries.text
    assert drift.clean


def test_two_mappings_of_one_file_are_two_sources_for_prune(hashing_settings):
    load(hashing_settings, ZODIAC, EXAMPLES / "corpora-zodiac.mapping.yaml")
    report, chunks, _ = load(
        hashing_settings, ZODIAC, EXAMPLES / "corpora-zodiac-eastern.mapping.toml", prune=True
    )
    assert (report.new, report.deleted) == (12, 0)
    assert "zodiac-sign/aries/en#0" in chunks and "chinese-zodiac-sign/rat/en#0" in chunks


def test_csv_with_a_mapping_and_a_row_that_fails(hashing_settings, tmp_path):
    src = tmp_path / "cards.csv"
    src.write_text(
        "name;meaning;suit;rank\nAce of Cups;A new feeling;cups;1\nNo meaning;;cups;2\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "format: csv\ncsv: {delimiter: ';'}\nfields:\n  kind: {value: tarot_card}\n  title: name\n"
        "  text: meaning\n  metadata: {suit: suit, rank: rank}\n"
    )
    report, chunks, _ = load(hashing_settings, src, mapping)
    assert report.new == 1
    assert [(r.location, r.field) for r in report.rejected] == [("line 3", "text")]
    assert "tarot/minor/cups/ace/ace-of-cups/en#0" in chunks


def test_a_large_nested_document_is_streamed(hashing_settings, tmp_path):
    src = tmp_path / "big.json"
    with src.open("w") as fh:
        fh.write('{"meta": {"n": 5000}, "data": {"items": [')
        fh.write(",".join(json.dumps({"slug": f"s{i}", "body": f"Body {i}."}) for i in range(5000)))
        fh.write("]}}")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'records = "data.items[*]"\n[fields]\nkind = {value = "article"}\n'
        'key = "slug"\ntitle = "slug"\ntext = "body"\n'
    )
    report, chunks, drift = load(hashing_settings, src, mapping)
    assert (report.read, report.new, len(chunks)) == (5000, 5000, 5000)
    assert drift.clean


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("fields: {title: name}\nformat: xml\n", "format 'xml'"),
        ("records: tarot\nfields: {title: name}\n", "must end in [*]"),
        ("fields: {colour: name}\n", "fields.colour: unknown field"),
        ("fields: {title: 'name[?'}\n", "fields.title: not a JMESPath"),
        ("fields: {title: {template: '{name'}}\n", "malformed"),
        ("fields: {title: {template: '{name[0]}'}}\n", "field {name[0]} reads an attribute"),
        ("fields: {title: {template: '{name:>999}'}}\n", "field {name:>999} has a conversion"),
        ("format: csv\ncsv: {delimiter: ';;'}\nfields: {}\n", "csv.delimiter must be one"),
        ("surprise: 1\nfields: {}\n", "unknown top-level keys ['surprise']"),
        ("- a list\n", "a table of keys"),
    ],
)
def test_bad_mappings_name_the_key(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(MappingError, match=None) as info:
        load_mapping(path)
    assert words in str(info.value) and "bad.yaml" in str(info.value)
