"""Travtus: its fields and HTTP conventions (``provider``), its emulation (``sandbox``)."""
