"""The ``tinnhiem`` command.

``tally`` and ``rules`` run on the counting core alone (no database). Every other sub-command is
a Django management command of the web application (``demo``, ``serve``, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TextIO

from .ballotfile import BallotFileError, decode, parse_ballot_csv, parse_counts_csv, result_from_counts
from .i18n import cli_language, gettext, install_argparse_translation
from .rules import RulesError, RuleSet, TallyResult, builtin_rule_sets, format_percent, resolve_rule_set, tally_ballots
from .rules.english import in_language
from .rules.report import result_to_json

CORE_COMMANDS = ("tally", "rules")


def _(message: str) -> str:
    return gettext(message)


class CliError(Exception):
    """Printed to stderr; exit status 2."""


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _table(rows: list[list[str]], right_from: int) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [_pad(cell, widths[i], right=i >= right_from and n > 0) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def level_label(rules: RuleSet, key: str, language: str) -> str:
    level = rules.level(key)
    return level.label if language == "vi" else level.label_en


def render_table(result: TallyResult, language: str | None = None) -> str:
    """The human-readable result: Vietnamese by default, decimal commas."""
    language = language or cli_language()
    decimal = "," if language == "vi" else "."
    rules = result.rules
    b = result.ballots
    base_name = _("ballots collected") if result.base.kind == "collected" else _("members (total number of deputies)")
    out = [
        _("COUNTING RESULT — %(name)s (%(id)s)") % {"name": rules.short_name, "id": rules.id},
        _("Ballots issued: %(issued)s · collected: %(collected)s · valid: %(valid)s · invalid: %(invalid)s")
        % {"issued": b.issued, "collected": b.collected, "valid": b.valid, "invalid": b.invalid},
        _("Percentage base: %(base_name)s = %(base)s — %(citation)s")
        % {
            "base_name": base_name,
            "base": result.base.value,
            "citation": in_language(result.base.citation.text, language),
        },
        "",
    ]
    header = (
        [_("No."), _("Rated person")] + [level_label(rules, k, language) for k in rules.level_keys] + [_("Invalid")]
    )
    rows = [header]
    for n, person in enumerate(result.people, start=1):
        cells = [str(n), person.label]
        for key in rules.level_keys:
            pct = format_percent(person.counts[key], result.base.value, decimal)
            cells.append(f"{person.counts[key]} ({pct}%)")
        cells.append(str(person.invalid_total))
        rows.append(cells)
    out.extend(_table(rows, right_from=2))
    out.append("")
    out.append(_("Conclusions:"))
    for n, person in enumerate(result.people, start=1):
        if person.outcome is None:
            text = _("no consequence under the rule set")
        elif language == "vi":
            text = person.consequence
        else:
            text = f"{person.outcome.consequence_en} ({person.outcome.citation.text})."
        out.append(f"{n}. {person.label}: {text}")
    return "\n".join(out) + "\n"


def _read_file(path: str, rules: RuleSet, parse=parse_ballot_csv):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CliError(
            _("%(file)s: cannot read the file (%(reason)s).") % {"file": path, "reason": exc.strerror or exc}
        ) from exc
    try:
        return parse(decode(data), rules)
    except BallotFileError as exc:
        where = [path, place] if (place := exc.place(_)) else [path]
        raise CliError(", ".join(where) + ": " + exc.translated(_)) from exc


def _from_counts(args: argparse.Namespace, rules: RuleSet) -> TallyResult:
    """The result of a table of counts as published (``--counts``: ``result_from_counts``)."""
    table = _read_file(args.ballots, rules, parse=parse_counts_csv)
    return result_from_counts(
        rules,
        table,
        collected=args.collected,
        invalid_ballots=args.invalid_ballots or 0,
        issued=args.issued,
        members=args.members,
    )


def cmd_tally(args: argparse.Namespace, stdout: TextIO) -> None:
    try:
        rules = resolve_rule_set(args.rules)
    except RulesError as exc:
        raise CliError(exc.translated(_)) from exc
    if not args.counts and (args.collected is not None or args.invalid_ballots is not None):
        raise CliError(_("--collected and --invalid-ballots go with --counts: a ballots file is counted as it is."))
    try:
        if args.counts:
            result = _from_counts(args, rules)
        else:
            parsed = _read_file(args.ballots, rules)
            result = tally_ballots(rules, parsed.labels, parsed.ballots, issued=args.issued, members=args.members)
    except RulesError as exc:
        raise CliError(f"{args.ballots}: " + exc.translated(_)) from exc
    if args.format == "json":
        stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(render_table(result))


def cmd_rules(args: argparse.Namespace, stdout: TextIO) -> None:
    language = cli_language()
    chosen = builtin_rule_sets()
    if args.rules:  # one rule set: a built-in one, or a body's own file, which is checked on the way
        try:
            chosen = (resolve_rule_set(args.rules),)
        except RulesError as exc:
            raise CliError(exc.translated(_)) from exc
    for rules in chosen:
        state = _("in force") if rules.in_force else _("historic, for replaying old results")
        stdout.write(f"{rules.id}  —  {rules.name if language == 'vi' else rules.name_en}\n")
        stdout.write("    " + _("Status: %(state)s") % {"state": state} + "\n")
        levels = " / ".join(level_label(rules, k, language) for k in rules.level_keys)
        stdout.write("    " + _("Levels: %(levels)s") % {"levels": levels} + "\n")
        if rules.held_by:
            held = rules.held_by.citation
            cited = in_language(held.text, language)
            stdout.write("    " + _("Held by: %(citation)s") % {"citation": cited} + f" [{held.grade}]\n")
        base_name = (
            _("ballots collected") if rules.base_kind == "collected" else _("members (total number of deputies)")
        )
        stdout.write(
            "    "
            + _("Base: %(base)s — %(citation)s")
            % {"base": base_name, "citation": in_language(rules.base_citation.text, language)}
            + "\n"
        )
        for step in rules.outcomes:
            then = " → " + _("confidence vote (%(rules)s)") % {"rules": rules.follow_up} if step.leads_to_vote else ""
            stdout.write(
                f"    {step.key} ({step.threshold.describe()}): {step.citation.text} [{step.citation.grade}]{then}\n"
            )
        if rules.quorum:
            q = rules.quorum
            stdout.write(
                "    "
                + _("Quorum")
                + f" ({q.threshold.describe()}): {in_language(q.citation.text, language)} [{q.citation.grade}]\n"
            )
        stdout.write("\n")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
    if number < 0:
        raise argparse.ArgumentTypeError(_("“%(value)s” must not be negative.") % {"value": value})
    return number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep stdout clean
        self.print_usage(sys.stderr)
        sys.stderr.write(_("Error: %(message)s") % {"message": message} + "\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tinnhiem",
        description=_("tinnhiem: confidence votes, counted exactly and secretly."),
        epilog=_(
            "Web application: “tinnhiem demo” starts a server with a demo conference; “tinnhiem help” lists all commands."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    tally = sub.add_parser("tally", help=_("count a ballots file under a rule set"))
    tally.add_argument(
        "ballots", metavar=_("FILE"), help=_("the ballots file, or with --counts the table of counts (CSV)")
    )
    tally.add_argument(
        "--counts",
        action="store_true",
        help=_(
            "the file is a table of each person's counts, as published, not of ballots: to check a published result"
        ),
    )
    tally.add_argument(
        "--collected",
        type=_positive,
        metavar=_("N"),
        help=_("with --counts: ballots collected (default: the most that one person's counts add up to)"),
    )
    tally.add_argument(
        "--invalid-ballots",
        type=_positive,
        metavar=_("N"),
        help=_("with --counts: whole ballots invalid (default: 0)"),
    )
    tally.add_argument(
        "--rules", required=True, metavar=_("RULES"), help=_("a rule-set id (see “tinnhiem rules”) or a .toml file")
    )
    tally.add_argument(
        "--members",
        type=_positive,
        metavar=_("N"),
        help=_("total number of members, for rule sets whose base is the members"),
    )
    tally.add_argument(
        "--issued",
        type=_positive,
        metavar=_("N"),
        help=_("ballots issued (default: the number of ballots in the file)"),
    )
    tally.add_argument(
        "--format", choices=("table", "json"), default="table", help=_("output: table (default) or json")
    )
    tally.set_defaults(func=cmd_tally)
    rules = sub.add_parser("rules", help=_("list the rule sets and their citations"))
    rules.add_argument(
        "rules",
        nargs="?",
        metavar=_("RULES"),
        help=_("only this rule set: an id, or a .toml file of a body's own rules (checked, then shown)"),
    )
    rules.set_defaults(func=cmd_rules)
    return parser


def run_core(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        args.func(args, stdout)
    except CliError as exc:
        stderr.write(_("Error: %(message)s") % {"message": str(exc)} + "\n")
        return 2
    return 0


def version() -> str:
    try:
        return metadata.version("tinnhiem")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "?"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def overview() -> str:
    """``tinnhiem``, ``tinnhiem help``: every command of tinnhiem, one line each."""
    from .site.manage import ADMIN_COMMANDS, command_summaries

    core = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    rows = command_summaries(cli_language())
    # argparse's own help texts are phrases ("count a ballots file …"); in the list they are
    # sentences, as the other commands' are
    rows += [(choice.dest, _sentence(str(choice.help))) for choice in core._choices_actions]
    width = max(len(name) for name, _text in rows) + 2
    lines = [
        _("tinnhiem: confidence votes, counted exactly and secretly."),
        "",
        _("Usage: tinnhiem COMMAND [options]"),
        "",
        _("Commands:"),
        *(
            textwrap.fill(text, 100, initial_indent=f"  {name.ljust(width)}", subsequent_indent=" " * (width + 2))
            for name, text in rows
        ),
        "",
        _("Database administration (Django's own commands, in English): %(commands)s")
        % {"commands": ", ".join(ADMIN_COMMANDS)},
        _("Help on one command: tinnhiem COMMAND --help"),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    install_argparse_translation()
    try:
        if not argv or argv in (["help"], ["-h"], ["--help"]):
            sys.stdout.write(overview())
            return 0
        if argv in (["--version"], ["version"]):  # not Django's version, which the staff would read as ours
            sys.stdout.write(f"tinnhiem {version()}\n")
            return 0
        if argv[0] in CORE_COMMANDS:
            return run_core(argv)
        if argv[0] == "demo":
            os.environ.pop("DATABASE_URL", None)  # the demo always runs on its own local SQLite file
        from .site.manage import run_management  # the web application, only when asked for

        return run_management(argv)

    except BrokenPipeError:  # e.g. "tinnhiem rules | head"
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
