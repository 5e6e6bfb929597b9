"""mmbench list: the workloads and strategies the built workers host."""

from __future__ import annotations

import json

from mmbench import workers


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "list", help="list workloads and strategies",
        description="List the workloads and strategies that the built worker binaries host "
                    "(asked with --list; nothing is hard-coded).")
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    p.set_defaults(func=run_list)


def run_list(args) -> int:
    catalog = workers.load_catalog(args.build_dir)
    if args.json:
        print(json.dumps({
            "build_dir": str(catalog.build_dir),
            "workloads": catalog.workloads,
            "strategies": catalog.strategies,
            "workers": {f: {"path": str(w.path), "allocator": w.identity,
                            "gc_version": w.gc_version} for f, w in catalog.workers.items()},
        }, indent=1))
        return 0

    print("Workloads:")
    name_w = max((len(n) for n in catalog.workloads), default=0)
    unit_w = max((len(w.get("unit", "")) for w in catalog.workloads.values()), default=0)
    for name, info in catalog.workloads.items():
        flags = []
        if info.get("open_loop"):
            flags.append("open loop")
        if info.get("deliberate_leak"):
            flags.append("leaks on purpose")
        print("  %-*s  %-*s  %s%s" % (name_w, name, unit_w, info.get("unit", ""),
                                      info.get("description", ""),
                                      " [%s]" % ", ".join(flags) if flags else ""))
    print("\nStrategies (worker):")
    strat_w = max((len(s) for s in catalog.strategies), default=0)
    for strategy, family in catalog.strategies.items():
        print("  %-*s  %s" % (strat_w, strategy, catalog.workers[family].path.name))
    if args.verbose:
        print("\nWorkers (build dir %s):" % catalog.build_dir)
        for family, worker in catalog.workers.items():
            ident = workers.describe(worker).get("allocator", worker.identity)
            print("  %s: %s" % (family, worker.path))
            print("    malloc from %s, operator new from %s, family %s, version %s"
                  % (ident.get("malloc_from"), ident.get("new_from"), ident.get("family"),
                     ident.get("version") or "?"))
            if worker.gc_version:
                print("    Boehm GC %s" % worker.gc_version)
    return 0
