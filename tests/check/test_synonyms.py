"""Synonyms and abbreviations of a fixed list's choices get a did-you-mean in the sentence; never read as the choice."""

from __future__ import annotations

import pandas as pd
import pytest

from bulk_tasks.check.kinds import ENUM_SYNONYMS
from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

HEADER = ["group_external_ref", "title", "Priority"]


@pytest.mark.parametrize(("typed", "suggested"), [
    ("urgent", "very_high"), ("Urgent!!", "very_high"), ("critical", "very_high"), ("ASAP", "very_high"),
    ("Med", "normal"), ("medium", "normal"), ("mid", "normal"), ("lo", "low"), ("hi", "high"), ("Hgh", "high"),
])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_synonym_is_refused_with_the_choice_it_stands_for(tmp_path, capsys, typed, suggested, suffix):
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}", HEADER,
                                                           [["PROP-1", "Fix the boiler", typed]])
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC",
                 "--results", str(tmp_path / "out.csv")]) == 1
    report = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert report["_status"][0] == "invalid"
    assert report["_error"][0] == (f"Priority = {typed!r}: must be one of: low, normal, high, very_high; "
                                   f"did you mean {suggested!r}?")
    assert f"did you mean {suggested!r}?" in capsys.readouterr().out


def test_the_table_is_small_and_names_only_real_choices():
    assert set(ENUM_SYNONYMS) <= {"low", "normal", "high", "very_high"}
    words = [word for words in ENUM_SYNONYMS.values() for word in words]
    assert len(words) == len(set(words)) and len(words) < 40
