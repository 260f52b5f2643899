"""Ingest survives any bytes and names the place (issue 12): real files, the real pipeline and
the real `oraculum ingest`. Each case ingests a good source first, then the bad one, and checks
that the bad record is named (file, line or record, field or column), that nothing stored
before is lost, and that `oraculum verify` is clean afterwards."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

from oraculum.config import Settings, open_stores
from oraculum.domain.errors import MappingError
from oraculum.ingest.mapping import load_mapping
from oraculum.ingest.pipeline import IngestOptions, IngestReport, ingest
from oraculum.ingest.sources import csv_rows, jsonl_source, mapped_source
from oraculum.ingest.verify import verify
from tests.conftest import card, cli_env, run_cli, write_jsonl

GOOD_IDS = {f"article/note-{i}/en" for i in (1, 2, 3)}
CSV_MAPPING = (
    "format: csv\nfields:\n  kind: {value: article}\n  key: name\n  title: name\n  text: meaning\n"
)


# --- helpers ---------------------------------------------------------------------------------
def cli(data: Path, *args: str, **env: str):
    return run_cli(list(args), cli_env(data, **env))


def seeded(tmp_path: Path) -> Path:
    """A data directory holding three good records, ingested through the CLI."""
    data = tmp_path / "data"
    good = write_jsonl(tmp_path / "good.jsonl", [card(i) for i in (1, 2, 3)])
    done = cli(data, "ingest", str(good), "--json")
    assert done.returncode == 0, done.stderr
    return data


def ingest_cli(data: Path, *args: str, code: int = 1, **env: str) -> Any:
    """`oraculum ingest ARGS --json`: its summary (exit 1), or its message (exit 2)."""
    done = cli(data, "ingest", *args, "--json", **env)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stdout + done.stderr
    return json.loads(done.stdout) if code in (0, 1) else " ".join(done.stderr.split())


def places(summary: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(r["location"], r["field"]) for r in summary["rejections"]}


def doc_ids(data: Path) -> set[str]:
    stores = open_stores(Settings(data_dir=data, embedder="hashing"))
    try:
        return {c.doc_id for c in stores.documents.scan()}
    finally:
        stores.close()


def assert_intact(data: Path, *loaded: str) -> None:
    """The good records are all there (with what the bad source loaded), and verify is clean."""
    assert doc_ids(data) == GOOD_IDS | {f"article/{key}/en" for key in loaded}
    check = cli(data, "verify", "--json")
    assert check.returncode == 0, check.stdout + check.stderr


def seed_in_process(settings: Settings, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [card(i) for i in (1, 2, 3)])
    stores = open_stores(settings, claim=True)
    try:
        assert not ingest(settings, stores, jsonl_source(good), IngestOptions()).rejected
    finally:
        stores.close()


def run_mapped(settings: Settings, path: Path, mapping: Path) -> tuple[IngestReport, set[str]]:
    """Ingest `path` through `mapping` in process; the report, and what is stored after it,
    with verify required clean."""
    stores = open_stores(settings, claim=True)
    try:
        source = mapped_source(path, load_mapping(mapping))
        report = ingest(settings, stores, source, IngestOptions())
        assert verify(stores).clean
        return report, {c.doc_id for c in stores.documents.scan()}
    finally:
        stores.close()


def write_mapping(tmp_path: Path, text: str = CSV_MAPPING, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. a lone surrogate in JSONL ------------------------------------------------------------
def test_a_lone_surrogate_is_rejected_by_line_and_field_never_written(tmp_path):
    data = seeded(tmp_path)
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            card(10),
            # the JSON escape \ud800 (valid UTF-8 in the file) decodes to half a UTF-16 pair
            '{"kind": "article", "key": "s1", "title": "Broken", "text": "half \\ud800 a pair"}',
            '{"kind": "article", "key": "s2", "title": "T\\udfff", "text": "fine"}',
            json.dumps(card(12, metadata={"keywords": ["fine", "\ud800"]})),
            json.dumps(
                {"kind": "article", "key": "s4", "title": "S", "sections": {"a\udc80": "x"}}
            ),
            card(11),
        ],
    )
    strict = ingest_cli(data, str(bad), "--strict", code=2)
    assert "line 2" in strict and "'text'" in strict and "lone surrogate" in strict
    assert_intact(data)

    summary = ingest_cli(data, str(bad))
    assert (summary["read"], summary["new"], summary["rejected"]) == (6, 2, 4)
    assert places(summary) == {
        ("line 2", "text"),
        ("line 3", "title"),
        ("line 4", "metadata.keywords[1]"),
        ("line 5", "sections.a\\udc80"),
    }
    by_line = {r["location"]: r for r in summary["rejections"]}
    assert "U+D800, a lone surrogate, at character 6" in by_line["line 2"]["reason"]
    assert by_line["line 5"]["reason"].startswith("its name holds U+DC80")
    assert all(r["source"] == str(bad) for r in summary["rejections"])
    assert_intact(data, "note-10", "note-11")


# --- 2. a CSV field over csv's own limit (131,072 characters) -------------------------------
def test_a_csv_field_over_csvs_limit_is_judged_by_the_record_limit(tmp_path):
    data = seeded(tmp_path)
    mapping = write_mapping(tmp_path)
    long = "word " * 40_000  # 200,000 characters, past csv's default field_size_limit
    src = tmp_path / "cards.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows(
            [
                ["name", "meaning", "photo"],
                ["alpha", "A short one.", ""],
                ["beta", long, ""],
                ["gamma", "A short one.", long],  # a column the mapping never reads: harmless
                ["delta", "A short one.", ""],
            ]
        )
    summary = ingest_cli(data, str(src), "--mapping", str(mapping))
    assert (summary["read"], summary["new"]) == (4, 3)
    assert places(summary) == {("line 3", "text")}
    assert "is 199,999 characters; the limit is 50,000" in summary["rejections"][0]["reason"]
    assert_intact(data, "alpha", "gamma", "delta")

    # with a record limit that allows it, the same row loads: csv's limit is not the judge
    again = ingest_cli(
        data, str(src), "--mapping", str(mapping), code=0, ORACULUM_MAX_RECORD_CHARS="250000"
    )
    assert (again["new"], again["unchanged"], again["rejected"]) == (1, 3, 0)
    assert_intact(data, "alpha", "beta", "gamma", "delta")


def test_a_csv_field_over_the_readers_limit_rejects_its_row_and_reading_goes_on(
    hashing_settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(csv_rows, "CSV_FIELD_LIMIT", 1_000)
    seed_in_process(hashing_settings, tmp_path)
    mapping = write_mapping(tmp_path)
    big = "x" * 1_500
    src = tmp_path / "cards.csv"
    src.write_text(
        "name,meaning\n"
        "alpha,fine\n"  # line 2
        f"beta,{big}\n"  # line 3: unquoted, over the limit
        "gamma,fine\n"  # line 4
        f'delta,"{big}\n{big}\nend of it",more\n'  # lines 5-7: quoted, over it, spans lines
        "epsilon,fine\n"  # line 8
        f'zeta,"{big}\n'  # line 9: a quote never closed
        "eta,lost in zeta's field\n",
        encoding="utf-8",
    )
    report, stored = run_mapped(hashing_settings, src, mapping)
    assert [(r.location, r.field) for r in report.rejected] == [
        ("line 3", None),
        ("line 5", None),
        ("line 9", None),
    ]
    reasons = [r.reason for r in report.rejected]
    assert all("a field is over 1,000 characters" in reason for reason in reasons)
    assert "(the row runs to line 7)" in reasons[1]
    assert "never closed, so the rest of the file (to line 10) was not read" in reasons[2]
    assert stored == GOOD_IDS | {f"article/{k}/en" for k in ("alpha", "gamma", "epsilon")}
    assert csv.field_size_limit() == 131_072  # the process-wide setting is left as it was


# --- 3. invalid UTF-8 on line N of a CSV -----------------------------------------------------
def test_invalid_utf8_in_a_csv_is_named_by_its_physical_line_and_column(tmp_path):
    data = seeded(tmp_path)
    mapping = write_mapping(tmp_path)
    lines = [b"name,meaning"]
    for i in range(300):
        if i == 20:  # a quoted field over two lines: rows and physical lines part here
            lines.append(b'row-20,"A meaning\nover two lines."')
        elif i == 250:
            lines.append(b"row-250,caf\xe9 au lait")  # latin-1, past the first 8 KiB read
        else:
            lines.append(f"row-{i},The meaning of row {i}.".encode())
    src = tmp_path / "cards.csv"
    src.write_bytes(b"\r\n".join(lines) + b"\r\n")
    bad_line = 1 + 250 + 1 + 1  # the header, the rows before, its own, row 20's second line
    summary = ingest_cli(data, str(src), "--mapping", str(mapping))
    assert (summary["read"], summary["new"], summary["rejected"]) == (300, 299, 1)
    assert places(summary) == {(f"line {bad_line}", "meaning")}
    assert "not valid UTF-8: byte 0xe9, byte 12 of the line" in summary["rejections"][0]["reason"]
    stored = doc_ids(data)
    assert "article/row-249/en" in stored and "article/row-251/en" in stored
    assert "article/row-250/en" not in stored
    assert_intact(data, *(f"row-{i}" for i in range(300) if i != 250))


def test_invalid_utf8_in_a_csv_header_is_named_and_the_rows_still_load(hashing_settings, tmp_path):
    seed_in_process(hashing_settings, tmp_path)
    src = tmp_path / "cards.csv"
    src.write_bytes(b"name,meaning,no\xfftes\nalpha,A meaning.,x\n")
    report, stored = run_mapped(hashing_settings, src, write_mapping(tmp_path))
    assert [(r.location, r.field) for r in report.rejected] == [("line 1", None)]
    assert "header row is not valid UTF-8: byte 0xff" in report.rejected[0].reason
    assert stored == GOOD_IDS | {"article/alpha/en"}


# --- 4. a byte order mark ---------------------------------------------------------------------
def test_a_csv_with_a_byte_order_mark_is_read_by_its_real_column_names(tmp_path):
    data = seeded(tmp_path)
    src = tmp_path / "cards.csv"
    src.write_bytes(b"\xef\xbb\xbfname,meaning\r\nalpha,A meaning.\r\nbeta,Another.\r\n")
    summary = ingest_cli(data, str(src), "--mapping", str(write_mapping(tmp_path)), code=0)
    assert (summary["new"], summary["rejected"]) == (2, 0)
    assert_intact(data, "alpha", "beta")


def test_jsonl_and_json_with_a_byte_order_mark_are_read(hashing_settings, tmp_path):
    seed_in_process(hashing_settings, tmp_path)
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps(card(20)).encode() + b"\n")
    doc = tmp_path / "bom.json"
    doc.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"slug": "note-21", "body": "A body."}]).encode())
    mapping = write_mapping(
        tmp_path,
        'records: "[*]"\nfields:\n  kind: {value: article}\n  key: slug\n  title: slug\n'
        "  text: body\n",
    )
    stores = open_stores(hashing_settings, claim=True)
    try:
        assert not ingest(hashing_settings, stores, jsonl_source(src), IngestOptions()).rejected
    finally:
        stores.close()
    report, stored = run_mapped(hashing_settings, doc, mapping)
    assert (report.new, report.rejected) == (1, [])
    assert stored == GOOD_IDS | {"article/note-20/en", "article/note-21/en"}


# --- 5. a mapping that names a missing column ------------------------------------------------
def test_a_mapping_reading_a_column_the_csv_lacks_is_refused_naming_it(tmp_path):
    data = seeded(tmp_path)
    mapping = write_mapping(tmp_path, CSV_MAPPING.replace("text: meaning", "text: meening"))
    src = tmp_path / "cards.csv"
    src.write_text("name,meaning\nalpha,A meaning.\n", encoding="utf-8")
    message = ingest_cli(data, str(src), "--mapping", str(mapping), code=2)
    assert f"{mapping}: fields.text reads column 'meening'" in message
    assert str(src) in message and "'name', 'meaning'" in message
    assert_intact(data)


def test_a_record_lacking_a_key_the_mapping_reads_is_rejected_naming_the_key(
    hashing_settings, tmp_path
):
    seed_in_process(hashing_settings, tmp_path)
    src = write_jsonl(
        tmp_path / "notes.jsonl",
        [{"slug": "note-30", "body": "A body."}, {"slug": "note-31", "bodie": "A typo."}],
    )
    mapping = write_mapping(
        tmp_path,
        "format: jsonl\nfields:\n  kind: {value: article}\n  key: slug\n  title: slug\n"
        "  text: {template: '{body}'}\n",
    )
    report, stored = run_mapped(hashing_settings, src, mapping)
    assert [(r.location, r.field) for r in report.rejected] == [("line 2", "text")]
    assert f"mapping {mapping} reads it from 'body', which this record does not have" in (
        report.rejected[0].reason
    )
    assert stored == GOOD_IDS | {"article/note-30/en"}


# --- 6. templates that index, reach attributes, convert or pad -------------------------------
@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("{name[x]}", "{name[x]}"),
        ("{name[0]}", "{name[0]}"),
        ("{name.__class__}", "{name.__class__}"),
        ("{name.__class__.__mro__}", "{name.__class__.__mro__}"),
        ("{name!r}", "{name!r}"),
        ("{name:>99999999}", "{name:>99999999}"),
        ("{name:{meaning}}", "{name:{meaning}}"),
        ("{}", "{}"),
        ("{0}", "{0}"),
    ],
)
def test_templates_are_names_alone(tmp_path, template, field):
    mapping = write_mapping(
        tmp_path, CSV_MAPPING.replace("text: meaning", "text: {template: " + repr(template) + "}")
    )
    with pytest.raises(MappingError) as info:
        load_mapping(mapping)
    message = str(info.value)
    assert message.startswith(f"{mapping}: fields.text: template {template!r}: field {field} ")


def test_a_template_trick_is_refused_before_anything_is_read(tmp_path):
    data = seeded(tmp_path)
    mapping = write_mapping(
        tmp_path, CSV_MAPPING.replace("text: meaning", "text: {template: '{name.__class__}'}")
    )
    src = tmp_path / "cards.csv"
    src.write_text("name,meaning\nalpha,A meaning.\n", encoding="utf-8")
    message = ingest_cli(data, str(src), "--mapping", str(mapping), code=2)
    assert "fields.text: template '{name.__class__}': field {name.__class__}" in message
    assert "attribute" in message
    assert_intact(data)


# --- the same bytes in JSON (through ijson) and JSONL through a mapping ----------------------
@pytest.mark.parametrize("backend", ["default", "python"])
def test_json_and_mapped_jsonl_with_a_lone_surrogate_or_bad_utf8(
    hashing_settings, tmp_path, monkeypatch, backend
):
    import ijson

    if backend != "default":  # the pure-Python parser keeps what the C parser replaces
        chosen = ijson.get_backend(backend)
        monkeypatch.setattr(ijson, "items", chosen.items)
        monkeypatch.setattr(ijson, "kvitems", chosen.kvitems)
    seed_in_process(hashing_settings, tmp_path)
    items = '[{"slug": "note-40", "body": "Fine."}, {"slug": "note-41", "body": "a \\ud800 b"}]'
    doc = tmp_path / "doc.json"
    doc.write_text(items, encoding="utf-8")
    fields = "fields:\n  kind: {value: article}\n  key: slug\n  title: slug\n  text: body\n"
    json_mapping = write_mapping(tmp_path, 'records: "[*]"\n' + fields)
    report, stored = run_mapped(hashing_settings, doc, json_mapping)
    if backend == "default" and ijson.backend.startswith("yajl2"):  # it reads "\\ud800" as "?"
        assert (report.new, report.rejected) == (2, [])
    else:  # it keeps the surrogate, and the record is rejected, named
        assert [(r.location, r.field) for r in report.rejected] == [("record 2", "text")]
        assert "lone surrogate" in report.rejected[0].reason
        assert stored == GOOD_IDS | {"article/note-40/en"}

    lines = tmp_path / "doc.jsonl"
    lines.write_text(items[1:-1].replace("}, {", "}\n{") + "\n", encoding="utf-8")
    report, stored = run_mapped(
        hashing_settings, lines, write_mapping(tmp_path, "format: jsonl\n" + fields, "l.yaml")
    )
    assert [(r.location, r.field) for r in report.rejected] == [("line 2", "text")]
    assert "lone surrogate" in report.rejected[0].reason

    broken = tmp_path / "broken.json"
    broken.write_bytes(b'[{"slug": "note-42", "body": "caf\xe9"}]')
    report, after = run_mapped(hashing_settings, broken, json_mapping)
    assert [(r.location, r.field) for r in report.rejected] == [("document", None)]
    assert "malformed JSON" in report.rejected[0].reason
    assert after == stored


def test_jsonl_numbers_nesting_and_file_names_no_parser_can_take(hashing_settings, tmp_path):
    seed_in_process(hashing_settings, tmp_path)
    name = os.fsdecode(b"caf\xe9.jsonl")  # a file name that is not UTF-8
    src = write_jsonl(
        tmp_path / name,
        [
            card(50),
            '{"kind": "article", "key": "n", "title": "N", "text": "x", "metadata": {"n": '
            + "1" * 5000
            + "}}",
            "[" * 100_000 + "]" * 100_000,
            card(51),
        ],
    )
    stores = open_stores(hashing_settings, claim=True)
    try:
        report = ingest(hashing_settings, stores, jsonl_source(src), IngestOptions())
        assert [(r.location, r.field) for r in report.rejected] == [
            ("line 2", None),
            ("line 3", None),
        ]
        reasons = [r.reason for r in report.rejected]
        assert "more digits than can be read" in reasons[0] and "nested too deeply" in reasons[1]
        assert report.rejected[0].source.endswith("caf\\udce9.jsonl")
        assert verify(stores).clean
        chunks = {c.doc_id: c for c in stores.documents.scan()}
        assert set(chunks) == GOOD_IDS | {"article/note-50/en", "article/note-51/en"}
        assert chunks["article/note-50/en"].source.endswith("caf\\udce9.jsonl")
    finally:
        stores.close()
