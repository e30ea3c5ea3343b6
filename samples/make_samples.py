"""Regenerate the sample input files in this folder: ``python samples/make_samples.py``.

The samples are filled the way an operations team fills a sheet: headers as people write them
("Group External Ref", "Due Date", "Priority") mixed with API names, enumerations in any case,
Excel date cells. The output is the same on every run.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bulk_tasks.report.templates import workbook_bytes  # noqa: E402

HERE = Path(__file__).resolve().parent

PROPERTIES = {
    "PROP-OAK": ("Oakwood Apartments", ("OAK-101", "OAK-204", "OAK-312")),
    "PROP-ELM": ("Elm Street Lofts", ("ELM-2A", "ELM-3B")),
    "PROP-BAY": ("Bayview Terrace", ("BAY-0112", "BAY-0407")),
    "PROP-CED": ("Cedar Court", ("CED-12", "CED-14")),
}
# (assignee.external_ref, Assignee Email, Assignee First Name, Assignee Last Name)
TECHS = {
    "jordan": ("EMP-0042", "", "", ""),
    "ana": ("004417", "", "", ""),
    "marcus": ("", "marcus.ortiz@oakwoodpm.example.com", "Marcus", "Ortiz"),
    "priya": ("", "priya.shah@oakwoodpm.example.com", "Priya", "Shah"),
    "dana": ("", "dana.whitfield@oakwoodpm.example.com", "Dana", "Whitfield"),
}
# (group, unit or "", title, description, due, priority, tech, notes)
MAINTENANCE = [
    ("PROP-OAK", "", "Replace HVAC filters, building A", "Replace return-air filters (20x25x1) in every "
     "common-area air handler and write the date on each unit.", datetime(2026, 12, 1, 9, 0), "Normal",
     "jordan", "Filters are in storage room B2."),
    ("PROP-OAK", "OAK-101", "Smoke detector test", "Test smoke and CO detectors; replace 9V batteries "
     "where the test is weak.", datetime(2026, 12, 2, 10, 0), "High", "jordan", "Resident works from home."),
    ("PROP-OAK", "OAK-204", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 2, 11, 0), "High", "jordan", ""),
    ("PROP-OAK", "OAK-312", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 2, 13, 30), "High", "jordan", "Dog in unit, call first."),
    ("PROP-OAK", "", "Gutter cleaning", "Clear leaves from gutters and downspouts on all three "
     "buildings; check for ice dams.", datetime(2026, 12, 4), "normal", "marcus", ""),
    ("PROP-OAK", "", "Fire extinguisher inspection", "Monthly visual check of every extinguisher: "
     "pressure gauge in the green, pin and seal intact, tag initialled.", datetime(2026, 12, 7), "very high",
     "marcus", ""),
    ("PROP-OAK", "", "Pool chemistry check", "Test chlorine and pH of the covered pool, log results, "
     "adjust dosing.", datetime(2026, 12, 8, 8, 0), "Normal", "priya", "Pool closed for winter; cover on."),
    ("PROP-OAK", "", "Emergency lighting test", "30-second test of every exit sign and emergency "
     "light; record failures.", datetime(2026, 12, 10), "High", "marcus", ""),
    ("PROP-ELM", "", "Replace HVAC filters, common areas", "Replace lobby and corridor air handler "
     "filters (16x20x1).", datetime(2026, 12, 1, 14, 0), "Normal", "ana", ""),
    ("PROP-ELM", "ELM-2A", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 3, 9, 30), "High", "ana", ""),
    ("PROP-ELM", "ELM-3B", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 3, 10, 30), "High", "ana", "Entry permission on file."),
    ("PROP-ELM", "", "Elevator inspection follow-up", "Meet the elevator contractor for the monthly "
     "maintenance visit and file the service report.", datetime(2026, 12, 9, 11, 0), "very_high", "dana",
     "Contractor: Summit Elevator, ticket 88213."),
    ("PROP-ELM", "", "Boiler inspection", "Check boiler pressure and water level, bleed radiators on the "
     "top floor.", datetime(2026, 12, 11), "High", "dana", ""),
    ("PROP-ELM", "", "Fire extinguisher inspection", "Monthly visual check of every extinguisher; tag "
     "initialled.", datetime(2026, 12, 7), "Very High", "dana", ""),
    ("PROP-ELM", "", "Dryer vent cleaning, laundry room", "Clean lint from the four shared dryer vents "
     "and check the exterior flaps.", datetime(2026, 12, 15), "normal", "ana", ""),
    ("PROP-BAY", "", "Pool chemistry check", "Test chlorine, pH and alkalinity of the heated pool; "
     "log results and adjust.", datetime(2026, 12, 1, 7, 30), "Normal", "priya", ""),
    ("PROP-BAY", "", "Pool chemistry check", "Mid-month test of chlorine, pH and alkalinity.",
     datetime(2026, 12, 15, 7, 30), "Normal", "priya", ""),
    ("PROP-BAY", "BAY-0112", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 4, 9, 0), "High", "priya", ""),
    ("PROP-BAY", "BAY-0407", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 4, 10, 0), "High", "priya", ""),
    ("PROP-BAY", "BAY-0407", "Water heater flush", "Drain and flush the 40-gallon water heater; check the "
     "anode rod.", datetime(2026, 12, 14, 13, 0), "low", "jordan", "Resident asked for afternoon."),
    ("PROP-BAY", "", "Gutter cleaning", "Clear gutters and downspouts on the east and west wings.",
     datetime(2026, 12, 5), "normal", "marcus", ""),
    ("PROP-BAY", "", "Parking lot light check", "Walk the lot after dusk, list any lamp that is out or "
     "flickering.", datetime(2026, 12, 16, 17, 30), "Low", "marcus", ""),
    ("PROP-BAY", "", "Fire extinguisher inspection", "Monthly visual check of every extinguisher; tag "
     "initialled.", datetime(2026, 12, 7), "VERY HIGH", "priya", ""),
    ("PROP-CED", "", "Replace HVAC filters", "Replace filters in the two rooftop units (24x24x2).",
     datetime(2026, 12, 2, 8, 0), "Normal", "dana", "Roof access key with the manager."),
    ("PROP-CED", "CED-12", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 8, 9, 0), "High", "dana", ""),
    ("PROP-CED", "CED-14", "Smoke detector test", "Test smoke and CO detectors; replace batteries "
     "where needed.", datetime(2026, 12, 8, 10, 0), "High", "dana", ""),
    ("PROP-CED", "", "Generator test run", "Run the standby generator under load for 30 minutes; "
     "record fuel level.", datetime(2026, 12, 18, 10, 0), "high", "jordan", ""),
    ("PROP-CED", "", "Fire extinguisher inspection", "Monthly visual check of every extinguisher; tag "
     "initialled.", datetime(2026, 12, 7), "Very high", "dana", ""),
    ("PROP-CED", "", "Snow removal readiness", "Check the snow blower starts, stock ice melt at both "
     "entrances.", datetime(2026, 12, 1), "", "ana", ""),
    ("PROP-CED", "", "Pest control visit", "Escort the pest control contractor for the quarterly "
     "treatment of the basement and trash room.", datetime(2026, 12, 21, 9, 0), "", "marcus",
     "Contractor: BayArea Pest, confirm the day before."),
]
MAINTENANCE_HEADERS = ("Group External Ref", "Unit", "Task Ref", "Title", "Description", "Due Date",
                       "Priority", "assignee.external_ref", "Assignee Email", "Assignee First Name",
                       "Assignee Last Name", "Notes")

ONBOARDING_HEADERS = ("Property", "Unit", "Task Ref", "Title", "Description", "Due Date",
                      "Resident First Name", "Resident Last Name", "Resident Email", "Resident Phone",
                      "importance")
ONBOARDING = [
    ("PROP-OAK", "OAK-101", "Welcome call", "Call the new resident, confirm move-in time and parking.",
     "12/1/2026", "Emily", "Nguyen", "emily.nguyen@example.com", "", "Normal"),
    ("PROP-OAK", "OAK-101", "Move-in inspection", "Walk the unit with the resident, photograph and sign "
     "the condition report.", "12/3/2026 10:00 AM", "Emily", "Nguyen", "emily.nguyen@example.com", "", "High"),
    ("PROP-OAK", "OAK-204", "Welcome call", "Call the new resident, confirm move-in time and parking.",
     "12/2/2026", "Carlos", "Mendoza", "", "(415) 555-0132", "Normal"),
    ("PROP-OAK", "OAK-204", "Key and fob handover", "Hand over two keys, one mailbox key and the garage "
     "fob; log fob number.", "12/4/2026 9:00 AM", "Carlos", "Mendoza", "", "(415) 555-0132", ""),
    ("PROP-ELM", "ELM-2A", "Welcome call", "Call the new resident, confirm move-in time and parking.",
     "12/3/2026", "Aisha", "Okafor", "aisha.okafor@example.com", "(628) 555-0147", "normal"),
    ("PROP-ELM", "ELM-2A", "Resident portal set-up", "Send the portal invitation and check the resident "
     "can log in and pay rent online.", "12/5/2026", "Aisha", "Okafor", "aisha.okafor@example.com", "", "low"),
    ("PROP-ELM", "ELM-3B", "Welcome packet", "Leave the welcome packet: building rules, recycling guide, "
     "emergency contacts.", "12/7/2026", "Tomás", "Álvarez", "tomas.alvarez@example.com", "", "Low"),
    ("PROP-ELM", "ELM-3B", "Move-in inspection", "Walk the unit with the resident, photograph and sign "
     "the condition report.", "12/8/2026 2:30 PM", "Tomás", "Álvarez", "tomas.alvarez@example.com",
     "415-555-0178", "High"),
    ("PROP-BAY", "BAY-0112", "Welcome call", "Call the new resident, confirm move-in time and elevator "
     "booking.", "12/9/2026", "Hannah", "Schmidt", "", "(510) 555-0161", "Normal"),
    ("PROP-BAY", "BAY-0112", "Elevator booking for move-in", "Reserve the service elevator with pads for "
     "the moving company.", "12/10/2026 8:00 AM", "Hannah", "Schmidt", "", "(510) 555-0161", "very high"),
    ("PROP-BAY", "BAY-0407", "Welcome call", "Call the new resident, confirm move-in time.",
     "12/11/2026", "Kenji", "Watanabe", "kenji.watanabe@example.com", "", "normal"),
    ("PROP-BAY", "BAY-0407", "Parking permit", "Issue the parking permit and add the plate to the "
     "resident list.", "12/12/2026", "Kenji", "Watanabe", "kenji.watanabe@example.com", "+1 415 555 0190", ""),
    ("PROP-CED", "CED-12", "Welcome call", "Call the new resident, confirm move-in time.",
     "12/14/2026", "Grace", "O'Brien", "grace.obrien@example.com", "", "Normal"),
    ("PROP-CED", "CED-12", "Utility transfer reminder", "Remind the resident to transfer gas and power "
     "into their name before move-in.", "12/14/2026 4:00 PM", "Grace", "O'Brien", "grace.obrien@example.com",
     "", "High"),
    ("PROP-CED", "CED-14", "Move-in inspection", "Walk the unit with the resident, photograph and sign "
     "the condition report.", "12/16/2026 11:00 AM", "Samuel", "Adeyemi", "", "(628) 555-0119", "High"),
]

QUO_HEADERS = ("Title", "Description", "Due Date", "Phone Number", "conversationId", "Assigned To")
# The sandbox's demo Quo workspace (README "The demo workspace"): numbers as people write them, users by e-mail.
SALES, SUPPORT = "(415) 555-0100", "+1 212 555 0199"
MAYA, RAVI, ALEX = "maya.chen@example.com", "Ravi.Patel@example.com", "alex.gomez@example.com"
QUO_FOLLOW_UPS = [
    ("Follow up on pricing question", "Customer asked about annual vs monthly billing; send the comparison.",
     "2026-12-01 09:30", SALES, "", MAYA),
    ("Send onboarding checklist", "New customer (Harbor Dental) signed on Friday; email the onboarding "
     "checklist and book the kickoff call.", "2026-12-01 11:00", "Main line", "", MAYA),
    ("Call back about missed delivery", "Order #48213 marked delivered but customer did not receive it.",
     "2026-12-02 14:00", SUPPORT, "", RAVI),
    ("Confirm demo time", "Prospect wants a demo next week; propose Tue or Thu afternoon.",
     "2026-12-02 16:00", SALES, "", ""),
    ("Renewal reminder", "Contract renews 12/31; check if they want to add two seats.",
     "2026-12-03 10:00", SALES, "", MAYA),
    ("Refund status update", "Let the customer know the refund was issued; 5-7 business days.",
     "2026-12-03 15:30", SUPPORT, "", RAVI),
    ("Follow up on voicemail", "Left a voicemail about the invoice discrepancy; try again.",
     "2026-12-04 09:00", SUPPORT, "", ""),
    ("Answer question from text thread", "Customer texted asking how to export call logs; reply with the "
     "help article.", "2026-12-04 13:00", "", "CNp4Wd8ZsE1q", RAVI),
    ("Schedule quarterly review", "Book the Q1 business review with the account owner.",
     "2026-12-07 10:00", SALES, "", ALEX),
    ("Check satisfaction after fix", "Porting issue was fixed yesterday; check everything works.",
     "2026-12-07 15:00", SUPPORT, "", RAVI),
    ("Send revised quote", "Revise the quote for 25 seats with the nonprofit discount.",
     "2026-12-08 11:30", SALES, "", ALEX),
    ("Follow up on trial", "Trial ends Friday; ask what is blocking the upgrade.",
     "2026-12-09 10:00", SALES, "", ""),
    ("Reply about holiday hours", "Customer asked in chat about support hours over the holidays.",
     "2026-12-10 09:00", "", "CNq2Bv6YtR9k", ""),
    ("Collect feedback on new IVR", "Ask how the new phone menu is working for their callers.",
     "2026-12-11 14:00", SUPPORT, "", RAVI),
    ("Year-end check-in", "Thank them for the year and ask about plans for January.",
     "2026-12-15", "PNk3Ra9XwQ2m", "", "USm2Fq8KpL"),
]

MISTAKES_HEADERS = ("group_id", "Group External Ref", "Task Ref", "Title", "Due Date", "Priority",
                    "Assignee Ref", "Assignee First Name", "Assignee Email", "Resident First Name",
                    "Resident Last Name", "Resident Phone", "Building Manager")
GROUP_UUID = "3f6c2a9e-0d4b-4f7a-8e21-5b9c0d1e2f3a"
MISTAKES = [
    ("", "PROP-OAK", "FIX-001", "Replace HVAC filter", "12/1/2026 9:00 AM", "Normal", "EMP-0042", "", "", "",
     "", "", "R. Patel"),
    ("", "PROP-OAK", "FIX-002", "Smoke detector test", "2026-12-02 10:00", "high", "", "Marcus",
     "marcus.ortiz@oakwoodpm.example.com", "", "", "", "R. Patel"),
    (GROUP_UUID, "PROP-ELM", "FIX-003", "Gutter cleaning", "12/3/2026", "normal", "004417", "", "", "", "",
     "", "L. Chen"),
    ("", "", "FIX-004", "Boiler inspection", "12/4/2026", "High", "004417", "", "", "", "", "", "L. Chen"),
    ("", "PROP-BAY", "FIX-005", "Pool chemistry check", "12/5/2026 7:30 AM", "Very High", "", "Priya",
     "priya.shah@oakwoodpm.example.com", "", "", "", "S. Gómez"),
    ("", "PROP-BAY", "FIX-006", "Fire extinguisher inspection", "31/31/2026", "high", "EMP-0042", "", "",
     "", "", "", "S. Gómez"),
    None,
    ("", "PROP-CED", "FIX-007", "Generator test run", "12/8/2026 10:00 AM", "urgent", "EMP-0042", "", "",
     "", "", "", "D. Brooks"),
    ("", "PROP-CED", "FIX-008", "Snow removal readiness", "12/9/2026", "normal", "", "Maria", "", "", "",
     "", "D. Brooks"),
    ("", "PROP-OAK", "FIX-009", "Welcome call", "12/10/2026", "Normal", "EMP-0042", "", "", "Emily",
     "Nguyen", "555-012", "R. Patel"),
    ("", "PROP-ELM", "FIX-010", "Dryer vent cleaning", "12/11/2026", "low", "004417", "", "", "", "", "",
     "L. Chen"),
    ("", "PROP-BAY", "FIX-011", "Water heater flush", "12/14/2026 1:00 PM", "Low", "", "Dana",
     "dana.whitfield@oakwoodpm.example.com", "Hannah", "Schmidt", "(510) 555-0161", "S. Gómez"),
]


def maintenance_workbook() -> Workbook:
    """The December 2026 monthly maintenance load as an Excel sheet with date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "December 2026"
    ws.append(MAINTENANCE_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, (group, unit, title, description, due, priority, tech, notes) in enumerate(MAINTENANCE, 1):
        ref, email, first, last = TECHS[tech]
        ws.append((group, unit or None, f"MAINT-2026-12-{number:03d}", title, description, due,
                   priority or None, ref or None, email or None, first or None, last or None, notes or None))
        row = ws.max_row
        ws.cell(row, 6).number_format = "yyyy-mm-dd" if due.hour == due.minute == 0 else "yyyy-mm-dd hh:mm"
        ws.cell(row, 8).number_format = "@"
    for letter, width in zip("ABCDEFGHIJKL", (20, 10, 20, 36, 60, 17, 11, 20, 38, 19, 18, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.properties.title = "Monthly maintenance, December 2026"
    return wb


def csv_bytes(headers: tuple[str, ...], rows: list[tuple[str, ...] | None]) -> bytes:
    """UTF-8 with BOM, CRLF, as Excel saves "CSV UTF-8"; ``None`` is a blank line of empty cells."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row if row is not None else [""] * len(headers))
    return buffer.getvalue().encode("utf-8-sig")


def onboarding_rows() -> list[tuple[str, ...]]:
    """Onboarding rows with their task references."""
    return [(group, unit, f"ONB-2026-12-{n:03d}", *rest)
            for n, (group, unit, *rest) in enumerate(ONBOARDING, 1)]


def main(directory: Path = HERE) -> list[Path]:
    """Write every sample into ``directory``; return the paths."""
    outputs = {
        "travtus-monthly-maintenance.xlsx": workbook_bytes(maintenance_workbook()),
        "travtus-onboarding.csv": csv_bytes(ONBOARDING_HEADERS, onboarding_rows()),
        "quo-follow-ups.csv": csv_bytes(QUO_HEADERS, QUO_FOLLOW_UPS),
        "travtus-with-mistakes.csv": csv_bytes(MISTAKES_HEADERS, MISTAKES),
    }
    Path(directory).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in outputs.items():
        path = Path(directory) / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
