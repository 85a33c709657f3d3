"""Why a low phase is standby, or why it is not (yet): the words the user reads."""

from __future__ import annotations

import math
from datetime import datetime

from phantom_desktop.core.rhythm import (
    MAX_REST_S,
    Pattern,
    Rhythm,
    RhythmOverride,
    duration_text,
)

LEARNING_S = 3600.0  # below this much history, "nothing learned yet" rather than "no cycle seen"


def since_text(moment: datetime | None, now: datetime | None = None) -> str:
    """Words like "since 14:10" (today), "since yesterday 14:10", "since 2 Dec 14:10"."""
    if moment is None:
        return ""
    if now is not None:
        days = (now.date() - moment.date()).days
        if days == 1:
            return f"since yesterday {moment:%H:%M}"
        if days > 1:
            return f"since {moment.day} {moment:%b %H:%M}"
    return f"since {moment:%H:%M}"


def rhythm_text(rhythm: Rhythm, now: datetime | None = None) -> str:
    """Words like "this port has cycled every ~38 min since yesterday 14:10"."""
    since = since_text(rhythm.since, now)
    if rhythm.pattern is Pattern.CYCLING and rhythm.period_s is not None:
        return f"this port has cycled every ~{duration_text(rhythm.period_s)} {since}".rstrip()
    if rhythm.pattern is Pattern.PROGRAMME:
        return (
            f"this port runs programmes with pauses of up to {duration_text(rhythm.hold_s)} "
            f"({rhythm.rests_seen} seen in 7 days)"
        )
    return "no cycle seen"


def held_reason(
    low_s: float, rhythm: Rhythm, override: RhythmOverride, now: datetime | None = None
) -> str:
    """A low phase that has lasted the min duration but is a rest: why there is no event."""
    low = duration_text(low_s)
    if override is RhythmOverride.RESTS:
        return f"low for {low}, but you marked this appliance as one that rests → not standby"
    if rhythm.pattern is Pattern.NONE:  # held as a first rest while the port is being learned
        return (
            f"low for {low} right after a run, but this port is still being learned and a "
            f"fridge or freezer rests up to {duration_text(MAX_REST_S)} between runs → "
            "not standby yet"
        )
    return f"low for {low}, but {rhythm_text(rhythm, now)} → not standby"


def detected_reason(
    power_w: float,
    low_s: float,
    rhythm: Rhythm,
    override: RhythmOverride,
    watched_s: float,
    auto_cut: bool,
    hold_s: float = 0.0,
) -> str:
    """A phantom event: "standby 2.1 W for 4 min, stable; no cycle seen in 48 h → cut".
    `hold_s` is how long the low phase was held as a possible rest before standby began."""
    head = f"standby {power_w:.1f} W for {duration_text(low_s)}, stable"
    if override is RhythmOverride.STANDBY:
        why = "you set this port to plain standby detection"
    elif rhythm.pattern is Pattern.NONE and hold_s > 0:
        why = f"longer than any compressor's rest ({duration_text(hold_s)}), no rhythm learned yet"
    elif rhythm.pattern is Pattern.CYCLING:
        why = f"longer than any rest of its ~{duration_text(rhythm.period_s or 0)} rhythm"
    elif rhythm.pattern is Pattern.PROGRAMME and math.isfinite(rhythm.hold_s):
        why = f"longer than any pause its programmes have shown ({duration_text(rhythm.hold_s)})"
    elif watched_s < LEARNING_S:
        why = f"no rhythm learned yet (watched for {duration_text(watched_s)})"
    else:
        why = f"no cycle seen in {duration_text(min(watched_s, 48 * 3600.0))}"
    return f"{head}; {why} → {'cut' if auto_cut else 'alert only (auto-cut is off)'}"
