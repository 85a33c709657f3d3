"""Alerts: the one alerts model, the Alerts tab and the Monitor's alerts panel."""
