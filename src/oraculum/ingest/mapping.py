"""Declarative mapping files: where the records are in a source, and which field is which.

A mapping (YAML or TOML) turns somebody else's shape into our record schema with no code:

    format: json                      # json | jsonl | csv
    records: "tarot_interpretations[*]"  # list items; "obj.*" for an object's values
    fields:
      kind: "'tarot_card'"            # JMESPath expression ('...' is a literal)
      title: name
      sections: {upright: meanings.light, reversed: meanings.shadow}
      metadata: {suit: suit, rank: rank, keywords: keywords}

A PostgreSQL source names its rows with `table:` (or `query:`) instead of `records:`, and a
YAML file may hold several mappings, one per document (`---`), read one after the other.
See docs/mapping.md for every key.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath
import yaml
from jmespath.exceptions import JMESPathError

from oraculum.domain.errors import MappingError

FORMATS = ("json", "jsonl", "csv", "postgres")
SCALAR_FIELDS = ("id", "key", "kind", "lang", "title", "text")
GROUP_FIELDS = ("sections", "metadata")
RECORDS_PATH = re.compile(r"^(?P<path>[A-Za-z0-9_.-]*?)(?P<each>\[\*\]|\.?\*)$")
_TOP_KEYS = {"format", "records", "fields", "key_field", "join", "csv", "table", "query"}
_TOP_KEYS |= {"id_column", "postgres"}
# JMESPath nodes whose first child alone is read from the record (the rest from its result),
# and nodes that read nothing of it; any other node reads the record in each of its children
_FIRST_CHILD = {"subexpression", "pipe", "index_expression", "projection", "value_projection"}
_FIRST_CHILD |= {"filter_projection", "flatten"}
_READS_NOTHING = {"literal", "current", "identity", "expref", "index", "slice"}


class _Joined(dict[str, Any]):
    """Template values: lists of strings read as one string, missing keys as empty."""

    def __init__(self, data: Mapping[str, Any], join: str) -> None:
        super().__init__(data)
        self._join = join

    def __getitem__(self, key: str) -> Any:
        value = super().get(key, "")
        if isinstance(value, list):
            return self._join.join(str(v) for v in value)
        return "" if value is None else value


@dataclass(frozen=True)
class FieldSpec:
    expression: Any = None  # compiled JMESPath
    value: Any = None  # a constant
    template: str | None = None  # str.format over the record's top-level fields
    join: str | None = "; "  # None keeps lists as lists (metadata)
    reads: tuple[str, ...] = ()  # the record's top-level keys (columns) it reads

    def extract(self, data: Any) -> Any:
        if self.template is not None:
            if not isinstance(data, Mapping):
                return None
            return self.template.format_map(_Joined(data, self.join or ", ")).strip()
        found = self.value if self.expression is None else self.expression.search(data)
        if (
            self.join is not None
            and isinstance(found, list)
            and all(isinstance(x, str) for x in found)
        ):
            return self.join.join(found)
        return found


@dataclass(frozen=True)
class SqlSpec:
    """Which rows a `postgres` mapping reads, and how (docs/mapping.md)."""

    table: str | None = None  # `schema.table` or `table`, read whole, ordered by id_column
    query: str | None = None  # a SELECT, run as given
    id_column: str | None = "id"  # the legacy id: names each row in errors
    itersize: int = 1000  # rows fetched from the server-side cursor at a time
    statement_timeout_s: float = 60.0  # for each statement (each FETCH) on the server


@dataclass(frozen=True)
class RecordMapping:
    path: Path
    format: str
    records: str
    fields: dict[str, FieldSpec]
    groups: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)
    key_field: str = "_key"
    csv_delimiter: str = ","
    sql: SqlSpec | None = None  # set exactly when format == "postgres"

    def columns(self) -> list[tuple[str, str]]:
        """(our field, the source's column or top-level key) for every key the mapping reads."""
        specs = [(name, spec) for name, spec in self.fields.items()]
        specs += [
            (f"{g}.{n}", spec) for g, group in self.groups.items() for n, spec in group.items()
        ]
        return [(name, key) for name, spec in specs for key in spec.reads]

    def lacking(self, data: Any, out: Mapping[str, Any]) -> dict[str, str]:
        """For each field `apply` left empty, when it reads keys that `data` lacks: a note for
        its rejection ("mapping m.yaml reads it from 'name', which this record does not have")."""
        if not isinstance(data, Mapping):
            return {}
        empty = {name: [spec] for name, spec in self.fields.items() if out.get(name) in (None, "")}
        if out.get("text") in (None, "") and not out.get("sections"):  # the text is the sections'
            empty["text"] = empty.get("text", []) + list(self.groups.get("sections", {}).values())
        notes: dict[str, str] = {}
        for name, specs in empty.items():
            keys = sorted({key for spec in specs for key in spec.reads if key not in data})
            if keys:
                notes[name] = (
                    f"mapping {self.path} reads it from {', '.join(map(repr, keys))}, which "
                    "this record does not have"
                )
        return notes

    def apply(self, data: Any) -> dict[str, Any]:
        """The record in our schema; fields that come out None are left out."""
        out: dict[str, Any] = {}
        for name, spec in self.fields.items():
            value = _extract(name, spec, data)
            if value is not None:
                out[name] = value
        for group, specs in self.groups.items():
            values = {name: _extract(f"{group}.{name}", s, data) for name, s in specs.items()}
            out[group] = {k: v for k, v in values.items() if v is not None and v != ""}
        return out


class FieldError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def _extract(name: str, spec: FieldSpec, data: Any) -> Any:
    try:
        return spec.extract(data)
    except (JMESPathError, ValueError, TypeError, LookupError, AttributeError) as exc:
        raise FieldError(name, f"the mapping's expression failed on this record: {exc}") from None
    except RecursionError:
        raise FieldError(name, "the value the mapping reads is nested too deeply") from None


def _roots(node: Mapping[str, Any]) -> set[str]:
    """The top-level keys of the record a JMESPath expression (its parsed tree) reads."""
    kind = node.get("type")
    children = [c for c in node.get("children", []) if isinstance(c, Mapping)]
    if kind == "field":
        return {str(node["value"])}
    if kind in _READS_NOTHING or not children:
        return set()
    if kind in _FIRST_CHILD:
        return _roots(children[0])
    return set().union(*(_roots(child) for child in children))


def _template_fields(where: str, template: str) -> tuple[str, ...]:
    """The record's fields a template reads. A field is a name alone, `{name}`: indexing,
    attributes, conversions and format specs (`{x[0]}`, `{x.y}`, `{x!r}`, `{x:>9999}`) are
    refused, so a template only ever substitutes values, and never grows them."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise MappingError(f"{where}: template {template!r} is malformed: {exc}") from None
    names: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        problem = None
        if not name.strip() or name.isdigit():
            problem = "names no field (positional fields are not supported)"
        elif "." in name or "[" in name:
            problem = "reads an attribute or an item of a field; use a path: field for nested data"
        elif conversion or spec:
            problem = "has a conversion (!r) or a format spec (:...); fields are put in as they are"
        if problem is not None:
            raise MappingError(f"{where}: template {template!r}: field {shown}}} {problem}")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _spec(where: str, raw: Any, default_join: str | None) -> FieldSpec:
    if isinstance(raw, str):
        try:
            expression = jmespath.compile(raw)
        except JMESPathError as exc:
            raise MappingError(f"{where}: not a JMESPath expression: {raw!r} ({exc})") from None
        return FieldSpec(
            expression, join=default_join, reads=tuple(sorted(_roots(expression.parsed)))
        )
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"path", "value", "template", "join"}
        if unknown:
            raise MappingError(
                f"{where}: unknown keys {sorted(unknown)}; use path, value, template, join"
            )
        join = raw.get("join", default_join)
        join = None if join is None else str(join)
        if "path" in raw:
            return _spec(where, str(raw["path"]), join)
        if "value" in raw:
            return FieldSpec(value=raw["value"], join=join)
        if "template" in raw:
            template = str(raw["template"])
            reads = _template_fields(where, template)
            return FieldSpec(template=template, join=join, reads=reads)
    raise MappingError(f"{where}: give a JMESPath string, or a table with path, value or template")


def load_mappings(path: Path) -> list[RecordMapping]:
    """Every mapping of a file: a YAML file may hold several documents, a TOML file one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping {path}: {exc.strerror}") from None
    try:
        docs = [tomllib.loads(text)] if path.suffix == ".toml" else list(yaml.safe_load_all(text))
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}") from None
    docs = [d for d in docs if d is not None] or [None]
    if len(docs) == 1:
        return [_parse(path, docs[0], str(path))]
    return [_parse(path, raw, f"{path} (mapping {n})") for n, raw in enumerate(docs, start=1)]


def load_mapping(path: Path) -> RecordMapping:
    """The one mapping of a file (a file with several is refused: use load_mappings)."""
    mappings = load_mappings(path)
    if len(mappings) > 1:
        raise MappingError(f"{path}: holds {len(mappings)} mappings where one is expected")
    return mappings[0]


def _parse(path: Path, raw: Any, where: str) -> RecordMapping:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{where}: a mapping file is a table of keys (format, records, fields)")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise MappingError(f"{where}: unknown top-level keys {sorted(unknown)}")
    is_sql = "table" in raw or "query" in raw
    fmt = str(raw.get("format", "postgres" if is_sql else "json"))
    if fmt not in FORMATS:
        raise MappingError(f"{where}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, Mapping):
        raise MappingError(f"{where}: 'fields' is required and must be a table")
    join = str(raw.get("join", "; "))
    fields: dict[str, FieldSpec] = {}
    groups: dict[str, dict[str, FieldSpec]] = {}
    for name, spec in fields_raw.items():
        at = f"{where}: fields.{name}"
        if name in SCALAR_FIELDS:
            fields[name] = _spec(at, spec, join)
        elif name in GROUP_FIELDS:
            if not isinstance(spec, Mapping):
                raise MappingError(f"{at}: must be a table of name -> expression")
            # metadata keeps lists as lists; sections, like text, read them as one string
            group_join = None if name == "metadata" else join
            groups[name] = {k: _spec(f"{at}.{k}", v, group_join) for k, v in spec.items()}
        else:
            allowed = ", ".join(SCALAR_FIELDS + GROUP_FIELDS)
            raise MappingError(f"{at}: unknown field; the schema has {allowed}")
    records = str(raw.get("records", "[*]" if fmt == "json" else ""))
    if fmt == "json" and not RECORDS_PATH.match(records):
        raise MappingError(
            f"{where}: records {records!r} must end in [*] (items of a list) or .* (values of an "
            "object), e.g. 'tarot_interpretations[*]' or 'western_zodiac.*'"
        )
    csv_opts = raw.get("csv") or {}
    return RecordMapping(
        path=path,
        format=fmt,
        records=records,
        fields=fields,
        groups=groups,
        key_field=str(raw.get("key_field", "_key")),
        csv_delimiter=_delimiter(csv_opts, where),
        sql=_sql_spec(raw, where) if fmt == "postgres" else _no_sql(raw, where, fmt),
    )


def _delimiter(csv_opts: Any, where: str) -> str:
    delimiter = str(csv_opts.get("delimiter", ",")) if isinstance(csv_opts, Mapping) else ""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise MappingError(f"{where}: csv.delimiter must be one character (not a quote or newline)")
    return delimiter


def _no_sql(raw: Mapping[str, Any], where: str, fmt: str) -> None:
    stray = sorted({"table", "query", "id_column", "postgres"} & set(raw))
    if stray:
        raise MappingError(f"{where}: {stray} are for format postgres, not {fmt}")


def _sql_spec(raw: Mapping[str, Any], where: str) -> SqlSpec:
    table, query = raw.get("table"), raw.get("query")
    if (table is None) == (query is None):
        raise MappingError(f"{where}: a postgres mapping gives exactly one of table or query")
    if not str(table if query is None else query).strip():
        raise MappingError(f"{where}: {'table' if query is None else 'query'} is empty")
    opts = raw.get("postgres") or {}
    if not isinstance(opts, Mapping) or set(opts) - {"itersize", "statement_timeout_s"}:
        raise MappingError(f"{where}: postgres is a table of itersize, statement_timeout_s")
    itersize, timeout = opts.get("itersize", 1000), opts.get("statement_timeout_s", 60.0)
    if not isinstance(itersize, int) or isinstance(itersize, bool) or not 1 <= itersize <= 100_000:
        raise MappingError(f"{where}: postgres.itersize must be a whole number from 1 to 100000")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise MappingError(f"{where}: postgres.statement_timeout_s must be a positive number")
    id_column = raw.get("id_column", "id")
    return SqlSpec(
        table=None if table is None else str(table),
        query=None if query is None else str(query),
        id_column=None if id_column is None else str(id_column),
        itersize=itersize,
        statement_timeout_s=float(timeout),
    )
