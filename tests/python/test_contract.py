"""One source of truth: what the Python side declares (mmbench.contract, the
plots' styles) agrees with what every worker binary lists with --list."""

import pytest

from mmbench import contract
from mmbench.contract import EXIT_CODES, SIZES


def test_sizes_are_the_workers(catalog):
    for family, worker in catalog.workers.items():
        assert tuple(worker.listing["sizes"]) == SIZES, family


def test_exit_codes_are_the_workers(catalog):
    for family, worker in catalog.workers.items():
        listed = worker.listing["exit_codes"]
        assert listed == EXIT_CODES, (family, listed)
        # No two meanings share a code.
        assert len(set(listed.values())) == len(listed), (family, listed)


def test_every_listed_strategy_is_described_and_hosted_once(catalog):
    seen = {}
    for family, worker in catalog.workers.items():
        for s in worker.listing["strategies"]:
            assert s["family"] == family, s
            assert s["reclaim"] in ("explicit", "refcount", "region", "tracing", "never"), s
            assert s["name"] not in seen, (s["name"], seen.get(s["name"]), family)
            seen[s["name"]] = family
        entry_strategies = {e["strategy"] for e in worker.entries}
        assert entry_strategies == {s["name"] for s in worker.listing["strategies"]}, family
    assert seen == {s: f for s, f in catalog.strategies.items() if s not in catalog.preloads}


def test_declared_refusals_are_the_only_ones(catalog):
    """A refusal is a fact the listing declares; every entry says whether it refuses."""
    for worker in catalog.workers.values():
        for e in worker.entries:
            assert "refuses" in e, e
            assert e["refuses"] is None or (isinstance(e["refuses"], str) and e["refuses"]), e


def test_check_size_names_the_valid_ones():
    assert contract.check_size("quick") == "quick"
    with pytest.raises(Exception, match="valid sizes: quick, default, large"):
        contract.check_size("huge")


def test_every_strategy_gets_a_look_of_its_own(catalog):
    """A new strategy needs no entry in the plots' style table: it gets the next
    unused look, told apart from every other strategy's."""
    pytest.importorskip("matplotlib")
    from plot import style
    looks = {}
    for s in list(catalog.strategies) + ["throwaway-a", "throwaway-b"]:
        kw = style.style(s)
        looks[s] = (kw["color"], kw["marker"], str(kw["linestyle"]))
    assert len(set(looks.values())) == len(looks), looks
