"""Authoring: commands that change files (`fmt`, and later `fix`, `new`, `move`, `remove`).

Every one of them computes the new text of each file first and writes through `fmlint.authoring.io`,
so a run either changes a file completely or not at all.
"""
