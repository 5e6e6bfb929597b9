"""An allocation-heavy CPython script for the python3 program (programs/python3.toml).

Builds and drops trees of small objects whose nodes point back at their parent
(reference cycles), dictionaries of strings and lists, rounds after rounds.
With --gc on CPython's cycle collector frees the cycles; with --gc off
(gc.disable()) only reference counting runs and every cycle stays. The printed
result depends on the seed and the work only, never on the collector.

Usage: python_alloc.py --rounds N --seed S --gc on|off
"""

import argparse
import gc
import random


class Node:
    __slots__ = ("parent", "children", "key", "payload")

    def __init__(self, parent, key, payload):
        self.parent = parent
        self.children = []
        self.key = key
        self.payload = payload


def tree(rng: random.Random, depth: int, parent=None) -> Node:
    node = Node(parent, rng.randrange(1 << 30), "x" * rng.randrange(8, 64))
    if depth:
        node.children = [tree(rng, depth - 1, node) for _ in range(rng.randrange(1, 4))]
    return node


def walk(node: Node) -> int:
    total, stack = 0, [node]
    while stack:
        n = stack.pop()
        total = (total * 31 + n.key + len(n.payload)) & 0xFFFFFFFF
        stack.extend(n.children)
    return total


def round_of(rng: random.Random, table: dict) -> int:
    result = walk(tree(rng, 6))  # the tree is garbage (cyclic) once walked
    for _ in range(200):
        k = f"k{rng.randrange(5000)}"
        table[k] = [rng.random() for _ in range(rng.randrange(1, 8))]
        if len(table) > 4000:
            table.pop(next(iter(table)))
    return (result ^ len(table)) & 0xFFFFFFFF


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--gc", choices=("on", "off"), required=True)
    a = p.parse_args()
    if a.gc == "off":
        gc.disable()
    rng, table, digest = random.Random(a.seed), {}, 0
    for _ in range(a.rounds):
        digest = (digest * 1000003 ^ round_of(rng, table)) & 0xFFFFFFFFFFFF
    print(f"rounds {a.rounds} digest {digest:012x} table {len(table)}")


if __name__ == "__main__":
    main()
