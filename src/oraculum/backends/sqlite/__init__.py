"""SQLite: the embedded document store, the durable vector table the local indexes load from,
and the connections both share."""
