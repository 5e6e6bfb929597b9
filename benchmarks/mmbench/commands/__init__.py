"""Subcommands: every module here with a register(subparsers) function is one.

register(subparsers) adds its parser with subparsers.add_parser(NAME, ...) and
sets `func` (args -> exit code) with parser.set_defaults(func=...). The global
options --build-dir and --verbose are added to every subcommand by cli.py and
arrive resolved as args.build_dir (pathlib.Path), args.verbose (bool) and
args.repo_root (pathlib.Path).
"""
