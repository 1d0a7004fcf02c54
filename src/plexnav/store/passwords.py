"""Password strength: guessability (zxcvbn), not just length.

"aaaaaaaaaa" and "password1234" pass a length rule and fall to the first guesses of any
attacker.  zxcvbn estimates how many guesses a password needs, counting dictionary words,
keyboard patterns, dates, repeats and the person's own username and email; scores 0-4,
plexnav asks for 3 ("safely unguessable" against online attacks, ASVS 2.1.7's intent).
"""

from __future__ import annotations

MIN_SCORE = 3


def weakness(password: str, user_inputs: list[str]) -> str | None:
    """Why the password is too easy to guess (with zxcvbn's advice), or None."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
    return "this password is too easy to guess" + (f": {advice}" if advice else "; use a few uncommon words")
