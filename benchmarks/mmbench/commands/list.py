"""mmbench list: the workloads and strategies the built workers host."""

from __future__ import annotations

import json
import textwrap

from mmbench import fmt, workers


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "list", help="list workloads and strategies",
        description="List the workloads and strategies that the built worker binaries host "
                    "(asked with --list; nothing is hard-coded). Strategies marked * are "
                    "what `mmbench run` runs by default; --verbose adds each worker's "
                    "allocator and each strategy's configuration (--describe).")
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    p.set_defaults(func=run_list)


def flatten(config) -> list[str]:
    """{"malloc": {"opt": {"a": 1}}, "b": null} -> ["malloc.opt.a=1", "b=null"]."""
    out = []
    for key, v in fmt.flatten(config):
        # Plain strings stay plain; others (and strings with spaces or commas) as JSON.
        plain = isinstance(v, str) and not any(c in v for c in " ,")
        text = v if plain else json.dumps(v)
        out.append(f"{key}={text}" if key else text)
    return out


def _configs(catalog: workers.Catalog) -> dict[str, dict]:
    """family -> that worker's --describe output."""
    return {family: workers.describe(w) for family, w in catalog.workers.items()}


def run_list(args) -> int:
    catalog = workers.load_catalog(args.build_dir)
    default = set(catalog.default_strategies)
    if args.json:
        listing = {
            "build_dir": str(catalog.build_dir),
            "workloads": catalog.workloads,
            "strategies": catalog.strategies,
            "default_strategies": catalog.default_strategies,
            "workers": {f: {"path": str(w.path), "allocator": w.identity,
                            "gc_version": w.gc_version} for f, w in catalog.workers.items()},
        }
        if args.verbose:
            for family, d in _configs(catalog).items():
                listing["workers"][family]["config"] = d.get("config", {})
        print(json.dumps(listing, indent=1))
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
        flag_text = f' [{", ".join(flags)}]' if flags else ""
        print(f'  {name:<{name_w}}  {info.get("unit", ""):<{unit_w}}  '
              f'{info.get("description", "")}{flag_text}')
    print("\nStrategies (worker; * = run by default, the others with --strategies all "
          "or by name):")
    strat_w = max((len(s) for s in catalog.strategies), default=0)
    for strategy, family in catalog.strategies.items():
        mark = "*" if strategy in default else " "
        print(f"  {mark} {strategy:<{strat_w}}  {catalog.workers[family].path.name}")
    if args.verbose:
        describes = _configs(catalog)
        print("\nStrategy configuration (each worker's --describe):")
        for strategy, family in catalog.strategies.items():
            config = describes[family].get("config", {}).get(strategy)
            items = flatten(config) if config else ["(none reported)"]
            print(textwrap.fill(", ".join(items), width=100,
                                initial_indent=f"  {strategy:<{strat_w}}  ",
                                subsequent_indent=" " * (strat_w + 4), break_long_words=False,
                                break_on_hyphens=False))
        print(f"\nWorkers (build dir {catalog.build_dir}):")
        for family, worker in catalog.workers.items():
            ident = describes[family].get("allocator", worker.identity)
            print(f"  {family}: {worker.path}")
            print(f'    malloc from {ident.get("malloc_from")}, operator new from '
                  f'{ident.get("new_from")}, family {ident.get("family")}, '
                  f'version {ident.get("version") or "?"}')
            if worker.gc_version:
                print(f"    Boehm GC {worker.gc_version}")
    return 0
