"""Signing a person up through the engine, for tests of what comes after."""

from __future__ import annotations

from tests.fakes.channel import Person


async def sign_up(person: Person) -> None:
    """The whole sign-up, the quick way."""
    await person.says("halo")
    await person.says("iya")
    await person.says("ya")
    await person.presses("cat:former_inmate")
    await person.says("kab. serang")
    await person.says("benar")
    await person.says("0812 3456 7890")
    await person.says("pelatihan kerja dan konseling")
    await person.presses("time:morning")
    await person.says("tidak")  # discreet mode (on for a former inmate): not turned off
    await person.says("benar")
