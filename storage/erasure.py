"""Forgetting people: erasure after /hapus, a cancelled sign-up, and chats that never consented.

`erase_participant` is the one place that knows every table holding what a person typed or who
they are. A table that stores such text gets its line there; tests/test_erasure.py scans every
text, string and JSON column of every table after /hapus, so a table it forgets fails that test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.replies import delete_replies
from storage.checkins.answers import erase_checkins
from storage.flags import delete_flags
from storage.messages import erase_bodies
from storage.models import (
    Address,
    Appointment,
    Conversation,
    Enrolment,
    Invite,
    Membership,
    Message,
    Occurrence,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralStatus,
)
from storage.outbox import cancel_pending, forget_notices_about
from storage.staff.notes import erase_notes
from storage.staff.partners import withdraw_all
from storage.staff.relay import delete_relay_messages


async def erase_participant(tx: AsyncSession, participant: Participant, now: datetime) -> None:
    """Erase everything the person typed and everything that identifies them.

    What stays is anonymous and only counts: group, province, time zone, language, discreet
    mode, dates, statuses, and their answers (came, could not come, asked for another date)
    without the reasons and days they typed.
    """
    chats = await _address_ids(tx, participant.id) + await _retired_address_ids(tx, participant.id)
    await _forget_addresses(tx, chats)
    await erase_bodies(tx, participant.id)  # every message in and out, replies quoting them
    await delete_flags(tx, participant.id)  # what they asked staff for is theirs too
    await delete_relay_messages(tx, participant.id)  # what they and staff wrote each other
    await delete_replies(tx, participant.id)  # what they wrote back to broadcasts
    await _erase_answers(tx, participant.id)
    await erase_notes(tx, participant.id)  # staff's notes about them: the text goes, the date stays
    await erase_checkins(tx, participant.id)  # their words and voice notes; answers stay
    await cancel_pending(tx, participant_id=participant.id)
    await forget_notices_about(tx, participant.id)  # what staff were to be told about them
    await withdraw_all(tx, participant.id, now)  # no partner sees them any more
    await tx.execute(
        update(Appointment).where(Appointment.participant_id == participant.id).values(active=False)
    )
    # A membership would enrol them in each new session of the program, taking a seat.
    await tx.execute(delete(Membership).where(Membership.participant_id == participant.id))
    # Their one-time codes (pre-release, re-link) go; referrals end, so no partner sees them.
    # Audit rows stay: they hold no personal data, and still say who saw them, when.
    await tx.execute(delete(Invite).where(Invite.participant_id == participant.id))
    await tx.execute(
        update(Referral)
        .where(
            Referral.participant_id == participant.id,
            Referral.status.in_((ReferralStatus.ASKED, ReferralStatus.ACTIVE)),
        )
        .values(status=ReferralStatus.WITHDRAWN, withdrawn_at=now, withdrawn_by="participant")
    )
    participant.status = ParticipantStatus.ERASED
    participant.name = None
    participant.phone = None
    participant.city = None
    participant.city_key = None
    participant.interests = []
    participant.contact_time = None
    participant.start_code = None
    participant.erased_at = now


async def delete_unregistered(tx: AsyncSession, participant: Participant) -> None:
    """A sign-up cancelled before it was confirmed: the person, their chats and their texts go.

    The message rows stay a few days without text or owner, only so that a message the
    platform delivers again is recognised (storage/retention.py deletes them).
    """
    await _forget_addresses(tx, await _address_ids(tx, participant.id))
    await erase_bodies(tx, participant.id)
    await delete_flags(tx, participant.id)
    await tx.execute(
        update(Message).where(Message.participant_id == participant.id).values(participant_id=None)
    )
    await tx.execute(delete(Participant).where(Participant.id == participant.id))


async def return_to_preregistered(tx: AsyncSession, participant: Participant) -> None:
    """A person registered before release who claimed their code and then cancelled the sign-up:
    their chat and what they typed go (as for any cancelled sign-up), consent is withdrawn, and
    staff's record (name, group, city, release date, seats) stays as it was before the claim."""
    await _forget_addresses(tx, await _address_ids(tx, participant.id))
    await erase_bodies(tx, participant.id)
    await delete_flags(tx, participant.id)
    await tx.execute(
        update(Message).where(Message.participant_id == participant.id).values(participant_id=None)
    )
    participant.status = ParticipantStatus.PREREGISTERED
    participant.consent_at = None
    participant.consent_version = None
    participant.phone = None
    participant.interests = []
    participant.contact_time = None
    participant.start_code = None


async def forget_address(tx: AsyncSession, address_id: int) -> None:
    """A chat that never consented (it refused, or erased before signing up): no trace of it."""
    await _forget_addresses(tx, [address_id])


async def _forget_addresses(tx: AsyncSession, address_ids: Sequence[int]) -> None:
    if not address_ids:
        return
    await tx.execute(
        update(Message).where(Message.address_id.in_(address_ids)).values(address_id=None)
    )
    await tx.execute(delete(Conversation).where(Conversation.address_id.in_(address_ids)))
    await tx.execute(delete(Address).where(Address.id.in_(address_ids)))


async def _erase_answers(tx: AsyncSession, participant_id: int) -> None:
    typed = {"reschedule_reason": None, "reschedule_days": None}
    await tx.execute(
        update(Enrolment).where(Enrolment.participant_id == participant_id).values(typed)
    )
    theirs = select(Appointment.id).where(Appointment.participant_id == participant_id)
    await tx.execute(update(Occurrence).where(Occurrence.appointment_id.in_(theirs)).values(typed))


async def _address_ids(tx: AsyncSession, participant_id: int) -> list[int]:
    query = select(Address.id).where(Address.participant_id == participant_id)
    return list((await tx.execute(query)).scalars())


async def _retired_address_ids(tx: AsyncSession, participant_id: int) -> list[int]:
    """Chats retired when a new phone took the participant over (handlers/prerelease/relink.py):
    no longer anyone's, still in their message history. The old number is theirs too."""
    theirs = select(Message.address_id).where(Message.participant_id == participant_id)
    query = select(Address.id).where(
        Address.participant_id.is_(None), Address.staff_id.is_(None), Address.id.in_(theirs)
    )
    return list((await tx.execute(query)).scalars())
