"""The legacy PostgreSQL table through `oraculum ingest postgresql://…`, on a real server.

A throwaway cluster per test session: initdb into a temporary directory, pg_ctl start on a free
127.0.0.1 port (unix socket in the same directory), password (scram-sha-256) authentication, so
that every test can check the password is never printed or stored. As root, initdb refuses to
run: the cluster then belongs to an unprivileged user (postgres, else nobody) through runuser.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oraculum.config import Settings, open_stores
from oraculum.domain.errors import MappingError
from oraculum.ingest.mapping import load_mapping, load_mappings
from oraculum.ingest.sources import SourceError, mapped_source, redact_url, url_source
from tests.conftest import ROOT, cli_env, free_port, run_cli

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed: pip install psycopg")
from oraculum.ingest.sources.postgres import CURSOR_NAME, postgres_source  # noqa: E402

PASSWORD = "Tarot-S3cret-8e4f"
USER = "oraculum"
LEGACY_SQL = ROOT / "examples" / "legacy_rds.sql"
LEGACY_MAPPING = ROOT / "examples" / "legacy_rds.mapping.yaml"
INSTALL_HINT = "apt-get install postgresql"


# --- the throwaway cluster -------------------------------------------------------------------
def server_bindir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    versions = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    versions.sort(key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    candidates += [Path(p).parent for p in reversed(versions)]
    return next((d for d in candidates if (d / "pg_ctl").exists()), None)


def unprivileged_runner() -> tuple[list[str], str | None]:
    """(command prefix, user): empty unless we are root, where initdb refuses to run."""
    if os.geteuid() != 0:
        return [], None
    runuser = shutil.which("runuser")
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        if runuser:
            return [runuser, "-u", user, "--"], user
    pytest.skip("running as root, and initdb refuses root: no runuser or unprivileged user")


@dataclass(frozen=True)
class Cluster:
    port: int

    def url(self, db: str = "legacy", password: str = PASSWORD, scheme: str = "postgresql") -> str:
        return f"{scheme}://{USER}:{password}@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres") -> Any:
        return psycopg.connect(self.url(db), autocommit=True)

    def clone(self, name: str, template: str = "legacy") -> str:
        """A fresh database copied from `template`, for a test that changes rows; its URL."""
        with self.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    bindir = server_bindir()
    if bindir is None:
        pytest.skip(
            "the PostgreSQL server (initdb, pg_ctl) is not on PATH nor in "
            f"/usr/lib/postgresql/*/bin: {INSTALL_HINT}"
        )
    prefix, user = unprivileged_runner()
    base = Path(tempfile.mkdtemp(prefix="oraculum-pg-"))  # short: a socket path has a limit
    (base / "pwfile").write_text(PASSWORD + "\n")
    if user is not None:
        shutil.chown(base, user)
        shutil.chown(base / "pwfile", user)
    port, data, log = free_port(), base / "data", base / "server.log"

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={base / 'pwfile'}",
            "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        cluster = Cluster(port)
        with cluster.connect() as admin:
            admin.execute("CREATE DATABASE legacy")
        with cluster.connect("legacy") as conn:
            conn.execute(LEGACY_SQL.read_text(encoding="utf-8"))
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


# --- helpers ---------------------------------------------------------------------------------
def pg_env(data_dir: Path) -> dict[str, str]:
    """The CLI's environment, without any PG* variable of the machine (PGPASSWORD, PGSERVICE)."""
    return {k: v for k, v in cli_env(data_dir).items() if not k.startswith("PG")}


def ingest(url: str, data_dir: Path, *extra: str, mapping: Path = LEGACY_MAPPING) -> Any:
    done = run_cli(["ingest", url, "--mapping", str(mapping), "--json", *extra], pg_env(data_dir))
    assert PASSWORD not in done.stdout + done.stderr
    return done


def stored(data_dir: Path) -> dict[str, list[Any]]:
    """doc id -> its chunks, as the document store holds them."""
    stores = open_stores(Settings(data_dir=data_dir, embedder="hashing"), claim=False)
    try:
        docs: dict[str, list[Any]] = {}
        for chunk in stores.documents.scan():
            docs.setdefault(chunk.doc_id, []).append(chunk)
        return docs
    finally:
        stores.close()


def legacy_rows(cluster: Cluster, table: str, db: str = "legacy") -> list[tuple[Any, ...]]:
    with cluster.connect(db) as conn:
        return conn.execute(f"SELECT id, lang FROM {table} ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def migrated(pg: Cluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The example database migrated once through the real CLI: (data dir, the CLI's result)."""
    data_dir = tmp_path_factory.mktemp("migrated")
    return data_dir, ingest(pg.url(), data_dir)


# --- the migration through the CLI -----------------------------------------------------------
def test_every_row_lands_with_its_legacy_id(pg, migrated):
    data_dir, done = migrated
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout
    assert (report["read"], report["new"], report["rejected"]) == (52, 52, 0)
    docs = stored(data_dir)
    by_legacy = {
        (c[0].metadata["legacy_table"], c[0].metadata["legacy_id"]): d for d, c in docs.items()
    }
    for table in ("tarot_cards", "horoscope_signs"):
        for legacy_id, lang in legacy_rows(pg, table):
            doc_id = by_legacy[(table, legacy_id)]
            assert doc_id.endswith(f"/{lang}")
    assert len(by_legacy) == len(docs) == 52
    # canonical ids whatever the old spelling: Coins and rank "1", a missing card number,
    # Vietnamese titles, trailing spaces
    assert by_legacy[("tarot_cards", 26)] == "tarot/minor/pentacles/ace/ace-of-pentacles/en"
    assert by_legacy[("tarot_cards", 18)] == "tarot/major/17/the-star/en"
    assert by_legacy[("tarot_cards", 33)] == "tarot/major/16/the-tower/vi"
    assert by_legacy[("tarot_cards", 35)] == "tarot/minor/cups/ace/ace-of-cups/vi"
    assert by_legacy[("horoscope_signs", 13)] == "zodiac-sign/aries/vi"
    tower_vi = docs["tarot/major/16/the-tower/vi"][0]
    assert tower_vi.title == "Tháp" and "Biến động bất ngờ" in tower_vi.text
    knight = docs["tarot/minor/swords/knight/knight-of-swords/en"][0]
    assert knight.title == "Knight of Swords" and knight.metadata["suit"] == "swords"
    assert docs["zodiac-sign/gemini/en"][0].title == "Gemini"
    # NULL columns leave their section or key out; arrays, dates and numbers stay typed
    assert [c.section for c in docs["tarot/minor/swords/10/ten-of-swords/en"]] == ["upright"]
    virgo = docs["zodiac-sign/virgo/en"]
    assert [c.section for c in virgo] == ["profile", "work"]
    assert "lucky_numbers" not in virgo[0].metadata
    aries = docs["zodiac-sign/aries/en"][0].metadata
    assert aries["lucky_numbers"] == [1, 9] and aries["ruler"] == "Mars"
    fool = docs["tarot/major/0/the-fool/en"][0].metadata
    assert fool["keywords"] == ["beginnings", "innocence", "spontaneity", "faith"]
    assert fool["legacy_updated_at"] == "2019-03-04T10:15:00+00:00"
    assert docs["tarot/major/0/the-fool/vi"][0].metadata["keywords"][0] == "khởi đầu"


def test_the_source_name_holds_no_credentials(pg, migrated):
    data_dir, done = migrated
    name = f"postgresql://127.0.0.1:{pg.port}/legacy (mapping {LEGACY_MAPPING})"
    assert json.loads(done.stdout)["source"] == name
    assert {c.source for chunks in stored(data_dir).values() for c in chunks} == {name}
    assert USER not in name and PASSWORD not in (data_dir / "documents.sqlite").read_bytes().decode(
        "utf-8", "replace"
    )


DUPLICATE_TOWER = """INSERT INTO tarot_cards (id, name, arcana, suit, rank, card_number,
    upright_meaning, reversed_meaning, keywords, element, lang, updated_at) VALUES
    (37, 'The Tower ', 'MAJOR', NULL, NULL, 16,
     'Sudden change that shakes the foundations; what falls was not built to last.',
     'Avoiding a necessary collapse.', '{upheaval,sudden change}', 'Fire', 'en',
     '2023-02-14 16:45:00+00')"""


def test_the_duplicate_card_keeps_its_first_legacy_id_and_names_the_second(pg, tmp_path):
    # The Tower re-entered years later under a new id resolves to the same card as id 17
    url = pg.clone("legacy_duplicate")
    with pg.connect("legacy_duplicate") as conn:
        conn.execute(DUPLICATE_TOWER)
    data_dir, done = tmp_path, ingest(url, tmp_path)
    assert done.returncode == 1
    (rejection,) = json.loads(done.stdout)["rejections"]
    assert rejection["location"] == "tarot_cards id=37" and rejection["field"] == "id"
    assert "'tarot/major/16/the-tower/en' was already read at" in rejection["reason"]
    assert rejection["reason"].endswith("tarot_cards id=17")
    tower = stored(data_dir)["tarot/major/16/the-tower/en"]
    assert {c.metadata["legacy_id"] for c in tower} == {17}
    assert tower[0].text.startswith("Sudden upheaval. A structure built on false ground")


def test_verify_is_clean_and_a_second_run_writes_nothing(pg, migrated):
    data_dir, _ = migrated
    verified = run_cli(["verify", "--json"], pg_env(data_dir))
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout)["clean"] is True
    again = json.loads(ingest(pg.url(), data_dir).stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 52)
    assert (again["chunks_written"], again["chunks_embedded"], again["rejected"]) == (0, 0, 0)


def test_a_bad_row_is_named_by_legacy_id_and_prune_keeps_it(pg, tmp_path):
    url = pg.clone("legacy_bad_row")
    assert ingest(url, tmp_path).returncode == 0
    with pg.connect("legacy_bad_row") as conn:
        conn.execute(
            "UPDATE tarot_cards SET upright_meaning = '   ', reversed_meaning = NULL WHERE id = 24"
        )
        conn.execute("DELETE FROM tarot_cards WHERE id = 30")  # King of Wands
    done = ingest(url, tmp_path, "--prune")
    report = json.loads(done.stdout)
    assert done.returncode == 1
    bad = [r for r in report["rejections"] if r["location"] == "tarot_cards id=24"]
    assert [(r["field"], r["reason"]) for r in bad] == [
        ("text", "is required (or sections) and missing or empty")
    ]
    assert (report["read"], report["unchanged"], report["deleted"]) == (51, 50, 1)
    docs = stored(tmp_path)
    assert "tarot/minor/wands/king/king-of-wands/en" not in docs
    # the rejected row keeps its stored version rather than being pruned
    assert docs["tarot/minor/cups/3/three-of-cups/en"][0].text.startswith("Friendship")


def test_a_wrong_password_is_a_clear_error_that_never_shows_a_password(pg, tmp_path):
    wrong = "Wr0ng-Pa55word-77"
    for scheme in ("postgresql", "postgres"):
        done = ingest(pg.url(password=wrong, scheme=scheme), tmp_path)
        assert done.returncode == 2
        message = " ".join(done.stderr.split())
        assert (
            f"cannot connect to PostgreSQL database postgresql://127.0.0.1:{pg.port}/legacy"
            in message
        )
        assert f"as user '{USER}'" in message and "password authentication failed" in message
        assert wrong not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert not (tmp_path / "documents.sqlite").exists() or stored(tmp_path) == {}


def test_unreachable_server_and_malformed_url_name_the_place_not_the_password(pg):
    port = free_port()
    with pytest.raises(SourceError) as info:
        postgres_source(pg.url().replace(str(pg.port), str(port)), load_mappings(LEGACY_MAPPING)[0])
    assert f"postgresql://127.0.0.1:{port}/legacy" in str(info.value)
    assert PASSWORD not in str(info.value)
    with pytest.raises(SourceError) as info:  # an unencoded '/' would make libpq echo it
        postgres_source(
            f"postgresql://{USER}:pa/ss@127.0.0.1:{pg.port}/legacy",
            load_mappings(LEGACY_MAPPING)[0],
        )
    assert "percent-encoded" in str(info.value) and "pa/ss" not in str(info.value)


def test_source_name_given_as_a_url_loses_its_credentials(pg, tmp_path):
    done = ingest(pg.url(), tmp_path, "--dry-run", "--source-name", pg.url(db="renamed"))
    assert json.loads(done.stdout)["source"] == f"postgresql://127.0.0.1:{pg.port}/renamed"


# --- the source itself -----------------------------------------------------------------------
def write_mapping(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BIG_MAPPING = """
table: daily_horoscopes
postgres: {itersize: 500}
fields:
  kind: {value: article}
  key: {template: "{sign}-{day}"}
  title: {template: "{sign}, {day}"}
  text: body
  metadata: {legacy_id: id, sign: sign, day: day, mood: mood}
"""


def test_a_large_table_streams_through_a_server_side_cursor(pg, tmp_path):
    with pg.connect() as admin:
        admin.execute("DROP DATABASE IF EXISTS legacy_big")
        admin.execute("CREATE DATABASE legacy_big")
    with pg.connect("legacy_big") as conn:
        conn.execute(
            "CREATE TABLE daily_horoscopes (id serial PRIMARY KEY, sign text, day date, body text,"
            " mood numeric(3,1));"
            "INSERT INTO daily_horoscopes (sign, day, body, mood) SELECT"
            " (ARRAY['Aries','Taurus','Gemini','Cancer','Leo','Virgo','Libra','Scorpio',"
            "'Sagittarius','Capricorn','Aquarius','Pisces'])[1 + g % 12], date '2015-01-01' + g / 12,"
            " repeat('The stars ask for patience today, and the Moon for rest. ', 10) || 'Day ' || g,"
            " (g % 100) / 10.0 FROM generate_series(0, 19999) g;"
            "ANALYZE daily_horoscopes;"
        )
        data_bytes = conn.execute("SELECT sum(length(body)) FROM daily_horoscopes").fetchone()[0]
    source = postgres_source(
        pg.url("legacy_big"), load_mapping(write_mapping(tmp_path / "m.yaml", BIG_MAPPING))
    )
    assert (
        source.unit == "rows" and 19_000 <= source.total_bytes <= 21_000
    )  # the planner's estimate
    progressed, seen, during = [], 0, []
    tracemalloc.start()
    try:
        with pg.connect("legacy_big") as monitor:
            for raw in source.records(progressed.append):
                seen += 1
                assert raw.error is None and raw.data["metadata"]["legacy_id"] == seen
                if seen == 1_200:  # mid-stream: the server holds the cursor, we hold one batch
                    during = monitor.execute(
                        "SELECT state, query FROM pg_stat_activity WHERE application_name = %s",
                        ["oraculum-ingest"],
                    ).fetchall()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == sum(progressed) == 20_000
    assert during == [("idle in transaction", f'FETCH FORWARD 500 FROM "{CURSOR_NAME}"')]
    assert raw.data["metadata"] == {
        "legacy_id": 20_000,
        "sign": "Scorpio",
        "day": "2019-07-25",
        "mood": 9.9,
    }
    assert data_bytes > 10_000_000 and peak < data_bytes / 4, (peak, data_bytes)


TYPES_MAPPING = """
query: >
  SELECT * FROM (VALUES
    (1, date '2024-03-21', timestamptz '2024-03-21 12:00:00+07', 1.50::numeric, 2.00::numeric,
     ARRAY[3, 9], ARRAY['  fire ', 'air'], '{"planet": "Mars"}'::jsonb,
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, interval '90 minutes', inet '10.0.0.7',
     int4range(1, 3), NULL::bytea, NULL::numeric),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'x'::bytea, NULL),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN'::numeric)
  ) AS t(id, d, ts, n, whole, ints, words, doc, u, span, ip, r, blob, odd) ORDER BY id;
fields:
  kind: {value: article}
  key: {template: "row-{id}"}
  title: {template: "Row {id}"}
  text: {value: "A row of every type."}
  metadata: {legacy_id: id, d: d, ts: ts, n: n, whole: whole, ints: ints, words: words,
             planet: doc.planet, u: u, span: span, ip: ip, r: r}
"""


def test_column_types_become_json_values(pg, tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "types.yaml", TYPES_MAPPING))
    first, second, third = list(postgres_source(pg.url(), mapping).records(lambda n: None))
    assert first.location == "query id=1" and first.error is None
    assert first.data["metadata"] == {
        "legacy_id": 1, "d": "2024-03-21", "ts": "2024-03-21T05:00:00+00:00", "n": 1.5,
        "whole": 2, "ints": [3, 9], "words": ["fire", "air"], "planet": "Mars",
        "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "span": 5400.0, "ip": "10.0.0.7",
        "r": "[1, 3)",
    }  # fmt: skip
    # a bytea or NaN column the mapping never reads does not stand in the way
    assert (second.error, third.error) == (None, None)
    assert second.data["metadata"] == {"legacy_id": 2}


def test_a_column_json_cannot_hold_rejects_its_row_when_mapped(pg, tmp_path):
    text = TYPES_MAPPING.replace("r: r}", "r: r, blob: blob}").replace(
        'text: {value: "A row of every type."}', 'text: {template: "Odd: {odd}"}'
    )
    mapping = load_mapping(write_mapping(tmp_path / "types.yaml", text))
    first, second, third = list(postgres_source(pg.url(), mapping).records(lambda n: None))
    assert first.error is None and first.data["text"] == "Odd:"
    assert (second.error.location, second.error.field) == ("query id=2", "blob")
    assert second.error.reason.startswith("is binary (bytea)")
    assert (third.error.location, third.error.field) == ("query id=3", "text")
    assert "column 'odd' is NaN, which JSON cannot hold" in third.error.reason


def test_reads_are_read_only_and_bounded_by_the_statement_timeout(pg, tmp_path):
    def read(text: str) -> SourceError:
        mapping = load_mapping(write_mapping(tmp_path / "q.yaml", text))
        with pytest.raises(SourceError) as info:
            list(postgres_source(pg.url(), mapping).records(lambda n: None))
        assert PASSWORD not in str(info.value)
        return info.value

    fields = "fields: {kind: {value: article}, title: id, text: id}\n"
    writes = read("query: SELECT nextval('tarot_cards_id_seq') AS id\n" + fields)
    assert "read-only transaction" in str(writes) and "reading query failed" in str(writes)
    slow = read(
        "query: SELECT 1 AS id FROM pg_sleep(5)\npostgres: {statement_timeout_s: 0.2}\n" + fields
    )
    assert "statement timeout" in str(slow)


def test_a_missing_table_is_refused_before_anything_is_read(pg, tmp_path):
    mapping = write_mapping(tmp_path / "m.yaml", "table: tarot_card\nfields: {title: name}\n")
    done = ingest(pg.url(), tmp_path / "d", mapping=mapping)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert message == (
        f"error: postgresql://127.0.0.1:{pg.port}/legacy: cannot read tarot_card: "
        'relation "tarot_card" does not exist'
    )
    assert not (tmp_path / "d" / "documents.sqlite").exists()


# --- the mapping extension (no server needed) ------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("table: t\nquery: SELECT 1\nfields: {title: a}\n", "exactly one of table or query"),
        ("format: postgres\nfields: {title: a}\n", "exactly one of table or query"),
        ("format: csv\ntable: t\nfields: {title: a}\n", "are for format postgres, not csv"),
        ("table: t\npostgres: {itersize: 0}\nfields: {title: a}\n", "itersize must be"),
        ("table: t\npostgres: {fetch: 5}\nfields: {title: a}\n", "postgres is a table of"),
        (
            "table: t\nfields: {title: a}\n---\ntable: u\nfields: {colour: a}\n",
            "(mapping 2): fields.colour",
        ),
    ],
)
def test_bad_postgres_mappings_name_the_key(tmp_path, text, words):
    with pytest.raises(MappingError) as info:
        load_mappings(write_mapping(tmp_path / "bad.yaml", text))
    assert words in str(info.value) and "bad.yaml" in str(info.value)


def test_mapping_and_source_must_agree(tmp_path):
    (tarot, signs) = load_mappings(LEGACY_MAPPING)
    assert (tarot.sql.table, tarot.sql.itersize, signs.sql.table) == (
        "tarot_cards",
        500,
        "horoscope_signs",
    )
    with pytest.raises(MappingError, match="holds 2 mappings"):
        load_mapping(LEGACY_MAPPING)
    with pytest.raises(SourceError, match="give a postgresql:// URL"):
        mapped_source(LEGACY_SQL, tarot)
    json_mapping = load_mapping(ROOT / "examples" / "corpora-tarot.mapping.yaml")
    with pytest.raises(SourceError, match="needs a mapping with table: or query:"):
        postgres_source("postgresql://127.0.0.1:1/legacy", json_mapping)
    with pytest.raises(SourceError, match="read through a mapping: give --mapping"):
        url_source("postgresql://u:pw@127.0.0.1:1/legacy", [])
    with pytest.raises(SourceError, match="cannot read mysql:// sources") as info:
        url_source("mysql://u:pw@127.0.0.1:1/legacy", [tarot])
    assert ":pw" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://u:p%40ss@db.example:5432/legacy?sslmode=require",
            "postgresql://db.example:5432/legacy",
        ),
        (
            "postgres://u:pw@h1:5432,h2:5433/legacy?password=pw2&connect_timeout=3",
            "postgresql://h1:5432,h2:5433/legacy",
        ),
        (
            "postgresql:///legacy?host=/run/pg&user=u&password=pw",
            "postgresql:///legacy?host=%2Frun%2Fpg",
        ),
        ("postgresql://u:p?w@h/legacy", "postgresql://h/legacy"),
        ("postgresql://u:pa/ss@h/legacy", "postgresql://(a malformed URL)"),
    ],
)
def test_redact_url_keeps_the_place_and_drops_the_credentials(url, shown):
    assert redact_url(url) == shown


def test_several_mappings_of_one_file_are_one_source(tmp_path):
    src = tmp_path / "cards.csv"
    src.write_text("name;meaning\nAce of Cups;A new feeling\n", encoding="utf-8")
    mapping = write_mapping(
        tmp_path / "two.yaml",
        "format: csv\ncsv: {delimiter: ';'}\nfields: {kind: {value: tarot_card}, title: name, text: meaning}\n"
        "---\nformat: csv\ncsv: {delimiter: ';'}\nfields: {kind: {value: article}, title: name, text: meaning}\n",
    )
    done = run_cli(
        ["ingest", str(src), "--mapping", str(mapping), "--json"], pg_env(tmp_path / "d")
    )
    report = json.loads(done.stdout)
    assert (done.returncode, report["read"], report["new"]) == (0, 2, 2), done.stderr
    assert set(stored(tmp_path / "d")) == {
        "tarot/minor/cups/ace/ace-of-cups/en",
        "article/ace-of-cups/en",
    }
