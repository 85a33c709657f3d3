"""Runtime resources: icons, the Linux desktop entry and the Qt style sheet.

This folder is installed as the package `phantom_desktop.resources` (see pyproject.toml);
load its files through `phantom_desktop.resources_path`, never by a path relative to a module.
"""
