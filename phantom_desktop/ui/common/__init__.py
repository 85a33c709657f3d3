"""Pieces every tab uses: keyed table models, the palette, delegates, dialogs, formatting."""
