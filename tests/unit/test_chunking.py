from oraculum.domain.records import Record
from oraculum.ingest.chunking import chunk_record


def record(sections):
    return Record("a/b/en", "a/b", "article", "en", "Title", tuple(sections), {}, "src", "line 1")


def test_one_chunk_per_short_section_with_stable_ids():
    chunks = chunk_record(
        record([("upright", "Short."), ("reversed", "Also short.")]), model_id="m", limit=200
    )
    assert [c.id for c in chunks] == ["a/b/en#0", "a/b/en#1"]
    assert [c.section for c in chunks] == ["upright", "reversed"]


def test_long_sections_split_at_sentences_and_never_exceed_the_limit():
    text = " ".join(f"Sentence number {i} has a few words in it." for i in range(60))
    chunks = chunk_record(record([("text", text)]), model_id="m", limit=300)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    assert " ".join(c.text for c in chunks) == text


def test_a_sentence_longer_than_the_limit_splits_at_words():
    text = "word " * 200
    chunks = chunk_record(record([("text", text.strip())]), model_id="m", limit=250)
    assert all(len(c.text) <= 250 for c in chunks)


def test_hash_depends_on_model_and_text():
    a = chunk_record(record([("text", "Same.")]), model_id="m1", limit=200)[0]
    b = chunk_record(record([("text", "Same.")]), model_id="m2", limit=200)[0]
    assert a.content_hash != b.content_hash
