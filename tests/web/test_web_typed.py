"""The page shows the CLI's sentences for values as people type them: a synonym's did-you-mean, a missing year."""

from __future__ import annotations

from helpers import write_csv
from webpage import running_page

HEADER = ["group_external_ref", "title", "Priority", "Due Date"]


async def test_the_page_suggests_the_choice_a_synonym_stands_for(tmp_path):
    path = write_csv(tmp_path / "tasks.csv", HEADER, [["PROP-OAK", "Fix the boiler", "urgent", "2026-12-03"],
                                                     ["PROP-OAK", "Paint the hall", "Med", "Dec 3"],
                                                     ["PROP-OAK", "Clean", "normal", "December 3, 2026"]])
    async with running_page(tmp_path / "work") as page:
        view = await page.upload(path)
        grid = await page.get_json(f"/api/imports/{view['import']['id']}/rows?only=problems")
    problems = view["validation"]["problems"]
    assert "Priority: must be one of: low, normal, high, very_high; did you mean 'very_high'? (row 2)" in problems
    assert "Priority: must be one of: low, normal, high, very_high; did you mean 'normal'? (row 3)" in problems
    assert any("Due Date: has no year: write the whole date, such as Dec 3, 2026" in line for line in problems)
    marks = {row["row"]: row["marks"] for row in grid["rows"]}
    priority = str(grid["columns"].index("Priority"))
    assert marks[2][priority].endswith("did you mean 'very_high'?")
    assert set(marks) == {2, 3}
