"""Run the command line in-process and capture what it prints."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass

import pytest

from phantom_desktop.cli import main


class FakeTerminal(io.StringIO):
    """Standard input that says it is a terminal, with the user's answers queued."""

    def isatty(self) -> bool:
        return True


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, monkeypatch):
    """`cli("device", "add", "x", "--json")`: runs `main` and returns its exit code and output.

    `stdin` is piped input; `tty` makes it a terminal (prompts and confirmations).
    """

    def run(*argv: str, stdin: str | None = None, tty: bool = False) -> Run:
        if stdin is not None or tty:
            monkeypatch.setattr(sys, "stdin", (FakeTerminal if tty else io.StringIO)(stdin or ""))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
