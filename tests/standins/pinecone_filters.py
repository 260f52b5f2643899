"""Metadata filters and list pagination tokens, as the LOCAL STAND-IN for Pinecone reads them.

Filters: a field's value (equality) or an object of operators ($eq $ne $gt $gte $lt $lte $in
$nin $exists), fields side by side meaning all of them, and $and / $or over lists of filters.
A list-valued metadata field matches $eq / $in when any of its strings does.
"""

from __future__ import annotations

import base64
import json
from typing import Any


class Invalid(Exception):
    """A request Pinecone would answer with 400 INVALID_ARGUMENT; the text is the message."""


def _compare(op: str, want: Any, have: Any) -> bool:
    values = have if isinstance(have, list) else [have]
    if op == "$exists":
        if not isinstance(want, bool):
            raise Invalid("$exists takes true or false")
        return (have is not None) == want
    if op in ("$in", "$nin"):
        if not isinstance(want, list):
            raise Invalid(f"{op} takes an array")
        hit = have is not None and any(v in want for v in values)
        return hit if op == "$in" else not hit
    if op in ("$eq", "$ne"):
        hit = have is not None and want in values
        return hit if op == "$eq" else not hit
    if op in ("$gt", "$gte", "$lt", "$lte"):
        if not isinstance(want, int | float) or isinstance(want, bool):
            raise Invalid(f"{op} takes a number")
        if not isinstance(have, int | float) or isinstance(have, bool):
            return False
        return {"$gt": have > want, "$gte": have >= want, "$lt": have < want, "$lte": have <= want}[
            op
        ]
    raise Invalid(f"unsupported filter operator {op!r}")


def matches(flt: Any, metadata: dict[str, Any]) -> bool:
    if not isinstance(flt, dict):
        raise Invalid("a filter must be an object")
    for key, cond in flt.items():
        if key in ("$and", "$or"):
            if not isinstance(cond, list) or not cond:
                raise Invalid(f"{key} takes a non-empty array of filters")
            results = [matches(part, metadata) for part in cond]
            if not (all(results) if key == "$and" else any(results)):
                return False
        elif key.startswith("$"):
            raise Invalid(f"unsupported filter operator {key!r}")
        elif isinstance(cond, dict):
            if not cond or not all(_compare(op, w, metadata.get(key)) for op, w in cond.items()):
                return False
        elif not _compare("$eq", cond, metadata.get(key)):
            return False
    return True


# --- pagination tokens ----------------------------------------------------------------------
def next_token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def after_token(token: str) -> str:
    try:
        return str(json.loads(base64.urlsafe_b64decode(token.encode()))["after"])
    except (ValueError, KeyError, TypeError):
        raise Invalid("invalid pagination token") from None
