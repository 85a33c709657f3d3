"""The Monitor tab: live plot, first-run welcome, serial meters panel (and the tab's layout)."""
