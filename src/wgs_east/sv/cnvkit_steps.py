"""Run several cnvkit subcommands in one Python process, with cnvkit's own command-line parser and functions
(what the `cnvkit` script does for one), to save a Python start-up per step (~1.3 s: pandas, scipy, ...).

    PYTHON_OF_CNVKIT cnvkit_steps.py coverage A.bam T.bed -o T.cnn :: fix T.cnn A.cnn R.cnn -o S.cnr :: ...

Runs with the interpreter of the installed cnvkit (the first line of its script), so it imports nothing of
wgs-east. Steps are separated by `::` and run in order; the first failing step stops the rest.
"""

from __future__ import annotations

import logging
import sys


def split_steps(argv: list[str]) -> list[list[str]]:
    steps: list[list[str]] = [[]]
    for arg in argv:
        if arg == "::":
            steps.append([])
        else:
            steps[-1].append(arg)
    return [s for s in steps if s]


def main(argv: list[str]) -> int:
    from cnvlib import commands  # cnvkit's package: only in cnvkit's interpreter

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for step in split_steps(argv):
        args = commands.parse_args(step)
        args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
