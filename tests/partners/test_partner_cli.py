"""`pendamping partners ...` and `pendamping referrals ...`: the same steps from the command line."""

from __future__ import annotations

import argparse
import io
import shlex
from contextlib import redirect_stderr, redirect_stdout

from bot.cli.common import Context
from bot.cli.people.partners import add_partner_parsers
from bot.config import Settings
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import PartnershipStatus, ReferralStatus
from tests.fakes.channel import Person
from tests.helpers.reminders import participant_id
from tests.helpers.signup import sign_up
from tests.helpers.staff.partners import NOW, add_org, audit_rows, set_organisation
from tests.helpers.staff.referrals import referral


async def cli(db: Database, command: str) -> tuple[int, str, str]:
    top = argparse.ArgumentParser(prog="pendamping")
    add_partner_parsers(top.add_subparsers(dest="command"))
    args = top.parse_args(shlex.split(command))
    out, err = io.StringIO(), io.StringIO()
    context = Context(db, Settings(database_url="sqlite://"), ReminderPolicy(), NOW)
    with redirect_stdout(out), redirect_stderr(err):
        code: int = await args.admin(args, context)
    return code, out.getvalue(), err.getvalue()


async def test_propose_confirm_refer_and_end_from_the_command_line(
    db: Database, person: Person
) -> None:
    rutan, _none = await add_org(db, "Rutan Kelas IIA Pekalongan")
    city, programs = await add_org(db, "Dinas Sosial Kota Pekalongan", programs=("Menjahit",))
    await add_org(db, "Dinas Sosial Kota Batang")
    code, _out, err = await cli(db, "partners propose --org rutan --partner 'dinas sosial'")
    assert code == 1 and "several organisations" in err  # ambiguous: nothing proposed
    code, out, _err = await cli(
        db, "partners propose --org rutan --partner 'dinas sosial kota pekalongan'"
    )
    assert code == 0 and "pending" in out
    pid_line = out.split()[1]
    code, _out, err = await cli(db, f"partners confirm {pid_line} --org rutan")
    assert code == 1 and "awaits" in err  # the proposer cannot confirm its own proposal
    code, out, _err = await cli(db, f"partners confirm {pid_line} --org {city}")
    assert code == 0 and "active" in out
    code, out, _err = await cli(db, "partners list")
    assert PartnershipStatus.ACTIVE in out and "Rutan Kelas IIA Pekalongan" in out

    await sign_up(person)
    pid = await participant_id(db, person.address)
    await set_organisation(db, pid, rutan)
    code, out, _err = await cli(
        db, f"referrals add --participant {pid} --partner {city} --program menjahit"
    )
    assert code == 0 and "asked for consent" in out
    row = await referral(db)
    assert (row.participant_id, row.program_id, row.status) == (
        pid,
        programs[0],
        ReferralStatus.ASKED,
    )
    code, out, _err = await cli(db, f"partners end {pid_line}")
    assert code == 0 and "referrals withdrawn: 1" in out
    assert (await referral(db)).status == ReferralStatus.WITHDRAWN
    assert [r.channel for r in await audit_rows(db, "partnership")] == ["cli", "cli", "cli"]
    assert [r.participant_id for r in await audit_rows(db, "withdraw")] == [pid]
