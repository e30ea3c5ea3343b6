"""References on the page over loopback HTTP: checked in the workspace the rows would go to (Sandbox ticked:
the built-in sandbox's demo workspace), what each resolved to beside its cell, the workspace's values
offered for an unknown one, and an edit's new value looked up before its row is checked again."""

from __future__ import annotations


from helpers import write_csv

QUO = ["Title", "Description", "Phone Number", "Assigned To"]


async def edit(page, import_id, row, column, value):
    return await page.post_json(f"/api/imports/{import_id}/edits",
                                {"cells": [{"row": row, "column": column, "value": value}]})


def cell_of(view, name):
    return ["_status", "_error", *view["headers"]].index(name)


async def quo_import(page, tmp_path, rows):
    view = await page.upload(write_csv(tmp_path / "quo.csv", QUO, rows), provider="quo")
    grid = await page.get_json(f"/api/imports/{view['import']['id']}/rows?of=check")
    return view, {row["row"]: row for row in grid["rows"]}


async def test_each_reference_shows_what_it_resolved_to_in_the_demo_workspace(page, tmp_path):
    view, rows = await quo_import(page, tmp_path, [["Call", "d", "(415) 555-0100", "MAYA.CHEN@example.com"],
                                                   ["Ring", "d", "PNt7Ld4HcV8z", ""]])
    phone, person = str(cell_of(view, "Phone Number")), str(cell_of(view, "Assigned To"))
    assert view["validation"]["counts"] == {"dry_run": 2}
    assert rows[2]["resolved"] == {phone: 'PNk3Ra9XwQ2m "Main line"', person: "USm2Fq8KpL Maya Chen <maya.chen@example.com>"}
    assert rows[3]["resolved"] == {phone: '(212) 555-0199 "Leasing NYC"'}
    assert not rows[2].get("choices")


async def test_an_unknown_reference_offers_the_workspace_values_and_a_chosen_one_makes_the_row_valid(page, tmp_path):
    view, rows = await quo_import(page, tmp_path, [["Call", "d", "+1 415 555 0101", "maya.chen@exampel.com"]])
    import_id = view["import"]["id"]
    phone, person = str(cell_of(view, "Phone Number")), str(cell_of(view, "Assigned To"))
    row = rows[2]
    assert row["cells"][0] == "invalid"
    assert "no phone number +1 415-555-0101 in this Quo workspace" in row["marks"][phone]
    assert row["choices"][phone] == [["(415) 555-0100", '(415) 555-0100 "Main line"'],
                                     ["(212) 555-0199", '(212) 555-0199 "Leasing NYC"']]
    assert ["maya.chen@example.com", "Maya Chen <maya.chen@example.com>"] in row["choices"][person]
    answer = await edit(page, import_id, 2, "Phone Number", "(212) 555-0199")
    [row] = answer["rows"]
    assert row["cells"][0] == "invalid" and phone not in row["choices"] and person in row["choices"]
    assert row["resolved"] == {phone: 'PNt7Ld4HcV8z "Leasing NYC"'}
    answer = await edit(page, import_id, 2, "Assigned To", "maya.chen@example.com")
    [row] = answer["rows"]
    assert row["cells"][0] == "dry_run" and row["marks"] == {} and not row.get("choices")
    assert answer["validation"]["counts"] == {"dry_run": 1}


async def test_a_value_typed_on_the_page_is_looked_up_before_its_row_is_checked(page, tmp_path):
    view, _ = await quo_import(page, tmp_path, [["Call", "d", "PNk3Ra9XwQ2m", ""]])
    import_id = view["import"]["id"]
    answer = await edit(page, import_id, 2, "Assigned To", "ravi.patel@example.com")
    [row] = answer["rows"]
    assert row["cells"][0] == "dry_run"
    assert row["resolved"][str(cell_of(view, "Assigned To"))].startswith("USr7Tc3VnB ")
    answer = await edit(page, import_id, 2, "Assigned To", "nobody@example.com")
    [row] = answer["rows"]
    assert row["cells"][0] == "invalid" and "no user with the e-mail 'nobody@example.com'" in row["cells"][1]


async def test_travtus_units_are_looked_up_within_the_group_an_edit_gives_them(page, tmp_path):
    path = write_csv(tmp_path / "t.csv", ["Group External Ref", "Unit", "Task Ref", "Title"],
                     [["PROP-OAK", "OAK-101", "T-1", "Fix"]])
    view = await page.upload(path)
    import_id = view["import"]["id"]
    assert view["validation"]["counts"] == {"dry_run": 1}
    answer = await edit(page, import_id, 2, "Group External Ref", "PROP-ELM")
    [row] = answer["rows"]
    unit = str(cell_of(view, "Unit"))
    assert row["cells"][0] == "invalid"
    assert "no unit with external_ref 'OAK-101' in group PROP-ELM" in row["marks"][unit]


async def test_with_sandbox_unticked_and_no_credentials_the_page_says_references_are_checked_when_sent(
        page, tmp_path, monkeypatch):
    monkeypatch.delenv("QUO_API_KEY", raising=False)
    view, _ = await quo_import(page, tmp_path, [["Call", "d", "+1 415 555 0101", ""]])
    import_id = view["import"]["id"]
    assert view["validation"]["counts"] == {"invalid": 1}
    view = await page.post_json(f"/api/imports/{import_id}/check", {"sandbox": False})
    assert view["validation"]["counts"] == {"dry_run": 1}
    [note] = [w for w in view["validation"]["warnings"] if "workspace" in w]
    assert note.startswith("The sheet's phone numbers, users are checked against your Quo workspace when you send")
    assert "--" not in note


async def test_the_checked_workbook_says_what_the_grid_says_of_the_references(page, tmp_path):
    import io

    import openpyxl

    view, _ = await quo_import(page, tmp_path, [["Call", "d", "(415) 555-0100", ""],
                                                ["Ring", "d", "+1 415 555 0101", ""]])
    book = openpyxl.load_workbook(io.BytesIO(await page.download(f"/api/imports/{view['import']['id']}/checked.xlsx")))
    sheet = book["Results"]
    heads = [cell.value for cell in sheet[1]]
    rows = [dict(zip(heads, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]
    assert [row["_status"] for row in rows] == ["dry_run", "invalid"]
    assert rows[0]["_resolved"] == 'Phone Number: (415) 555-0100 → PNk3Ra9XwQ2m "Main line"'
    assert "no phone number +1 415-555-0101 in this Quo workspace" in rows[1]["_error"]
