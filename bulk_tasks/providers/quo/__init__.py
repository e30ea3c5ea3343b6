"""Quo, formerly OpenPhone: its fields and HTTP conventions (``provider``), its emulation (``sandbox``)."""
