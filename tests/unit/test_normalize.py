import pytest

from oraculum.domain.errors import RecordRejected
from oraculum.ingest.normalize import Limits, build_record, probable_id

LIMITS = Limits(max_record_chars=1_000, max_title_chars=50, max_metadata_bytes=500)


def build(data):
    return build_record(data, source="f.jsonl", location="line 3", limits=LIMITS)


def rejected(data) -> RecordRejected:
    with pytest.raises(RecordRejected) as info:
        build(data)
    return info.value


def test_card_id_from_natural_key_in_any_language():
    tower = {"arcana": "major", "number": 16}
    en = build({"kind": "tarot_card", "title": "The Tower", "metadata": tower, "text": "Upheaval."})
    vi = build(
        {
            "kind": "tarot_card",
            "lang": "vi",
            "title": "Tháp",
            "metadata": tower,
            "text": "Biến động.",
        }
    )
    assert en.id == "tarot/major/16/the-tower/en"
    assert vi.id == "tarot/major/16/the-tower/vi"
    assert en.entity == vi.entity == "tarot/major/16/the-tower"
    assert vi.metadata["card"] == "The Tower"


def test_other_kinds_use_key_then_title():
    rec = build(
        {"kind": "zodiac_sign", "lang": "vi", "key": "aries", "title": "Bạch Dương", "text": "x"}
    )
    assert rec.id == "zodiac-sign/aries/vi" and rec.entity == "zodiac-sign/aries"
    rec = build({"kind": "article", "title": "Đọc lá bài ngược", "text": "x"})
    assert rec.id == "article/doc-la-bai-nguoc/en"


def test_explicit_id_is_normalized():
    assert (
        build({"id": "Legacy/ID 42", "kind": "article", "title": "t", "text": "x"}).id
        == "legacy/id-42"
    )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"title": "t", "text": "x"}, "kind", "required"),
        ({"kind": "article", "text": "x"}, "title", "required"),
        ({"kind": "article", "title": "t"}, "text", "required"),
        ({"kind": "article", "title": "t", "text": "x" * 1001}, "text", "limit is 1,000"),
        ({"kind": "article", "title": "t" * 51, "text": "x"}, "title", "limit is 50"),
        (
            {"kind": "article", "title": "t", "text": "x", "lang": "English"},
            "lang",
            "language code",
        ),
        ({"kind": "article", "title": "t", "text": "x", "colour": 1}, "colour", "not a field"),
        ({"kind": "article", "title": "t", "sections": {"a": 3}}, "sections.a", "string"),
        (
            {"kind": "article", "title": "t", "text": "x", "metadata": {"a": {"b": 1}}},
            "metadata.a",
            "string",
        ),
        (
            {"kind": "article", "title": "t", "text": "x", "metadata": {"a": "y" * 600}},
            "metadata",
            "limit",
        ),
        (
            {"kind": "article", "title": "t", "text": "x", "sections": {"a": "y"}},
            "text",
            "not both",
        ),
    ],
)
def test_rejections_name_the_field(data, field, words):
    error = rejected(data)
    assert error.field == field
    assert words in error.reason
    assert str(error).startswith("f.jsonl:line 3:")


def test_not_an_object():
    error = rejected(["a", "list"])
    assert "JSON object" in error.reason


def test_probable_id_of_a_rejected_record():
    assert (
        probable_id({"kind": "article", "key": "k", "title": "t", "text": "x" * 10**6})
        == "article/k/en"
    )
    assert probable_id({"title": "no kind"}) is None
