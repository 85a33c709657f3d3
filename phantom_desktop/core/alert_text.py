"""The words of a phantom alert, as the user reads it in the window, the tray and the CLI."""

from __future__ import annotations

from phantom_desktop.core.tariff import Tariff


def phantom_alert_message(
    port_name: str,
    power_w: float,
    threshold_w: float,
    cut: bool,
    has_relay: bool,
    reason: str = "",
    tariff: Tariff | None = None,
) -> str:
    """What was detected on the port, what that standby costs a year, what was done about
    it, and why it is standby."""
    if not cut:
        action = "auto-cut is off for this port"
    elif not has_relay:
        action = "port marked off, but its meter has no relay: switch the appliance off by hand"
    else:
        action = "port turned off"
    cost = ""
    if tariff is not None:
        cost = f"about {tariff.yearly_cost(power_w):,.2f} {tariff.currency} a year; "
    message = (
        f"Phantom power on {port_name}: {power_w:.1f} W standby "
        f"({cost}threshold {threshold_w:g} W) — {action}"
    )
    return f"{message}. Why: {reason}" if reason else message
