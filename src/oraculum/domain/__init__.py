"""Pure logic with no I/O: ids, records, the tarot deck, the sky."""
