"""The page's server, a real process, given hostile input: it answers with the CLI's sentence and keeps serving."""

from __future__ import annotations



import hostile_books
from bulk_tasks.errors import UnreadableFileError
from bulk_tasks.read.table import read_table
from servepage import client, served


async def test_a_workbook_with_a_cell_at_xfd1048576_gets_the_cli_sentence_and_the_server_keeps_serving(tmp_path):
    book = hostile_books.write(tmp_path / "far.xlsx", hostile_books.far_cell("XFD1048576"))
    try:
        read_table(book)
    except UnreadableFileError as exc:
        sentence = str(exc)
    with served(tmp_path / "work") as (url, process):
        async with client(url) as (session, base, csrf):
            headers = {**csrf, "X-File-Name": "far.xlsx"}
            async with session.post(f"{base}/api/imports?provider=quo", data=book.read_bytes(),
                                    headers=headers) as response:
                assert response.status == 422
                assert (await response.json())["error"] == sentence
            async with session.get(f"{base}/api/state") as response:
                assert response.status == 200
                assert (await response.json())["imports"] == []
        assert process.poll() is None


async def test_two_quick_sends_on_one_import_start_one_run_when_its_check_is_no_longer_in_memory(tmp_path):
    import asyncio

    from helpers import write_csv
    from webpage import running_page

    sheet = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId", "Assigned To"],
                      [[f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(200)])
    async with running_page(tmp_path / "work") as first:
        import_id = (await first.upload(sheet, provider="quo"))["import"]["id"]
    async with running_page(tmp_path / "work") as page:  # a new server: no check in memory

        async def send() -> int:
            async with page.session.post(f"{page.base}/api/imports/{import_id}/send", json={"sandbox": True},
                                         headers=page.csrf) as response:
                return response.status

        answers = sorted(await asyncio.gather(send(), send()))
        assert answers == [202, 409]
        stopped = await page.post_json(f"/api/imports/{import_id}/stop", {})
        assert stopped["stopping"] is True
        events = await page.events(import_id)
        assert events[-1]["state"] == "finished"
        results = await page.results_csv(import_id)
    assert len(results) == 200 and "uncertain" not in {row["_status"] for row in results}
