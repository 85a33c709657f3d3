"""The Settings dialog: serial meters (editor, channel map, port scan) and HTTP settings."""
