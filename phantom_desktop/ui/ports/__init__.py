"""Ports: the one port model, the Ports tab, the Monitor's ports panel, on/off and dialogs."""
