"""Writes a deterministic SMT-LIB 2 script for the z3 program (programs/z3.toml).

Each query, in a push/pop scope of its own: random 3-SAT clauses near the
satisfiability threshold over --vars Booleans, tied to linear integer
constraints and a bit-vector equation, then (check-sat). z3 prints one
sat/unsat per query: answers fixed by the problem, whatever the allocator.

Usage: z3_smt.py --seed N --out FILE --queries Q --vars V
"""

import argparse
import random


def clause(rng: random.Random, nvars: int) -> str:
    lits = []
    for v in rng.sample(range(nvars), 3):
        lits.append(f"b{v}" if rng.random() < 0.5 else f"(not b{v})")
    return f"(assert (or {' '.join(lits)}))"


def query(rng: random.Random, nvars: int) -> list[str]:
    lines = ["(push 1)"]
    lines += [f"(declare-const b{v} Bool)" for v in range(nvars)]
    lines += [f"(declare-const x{i} Int)" for i in range(8)]
    lines.append("(declare-const w (_ BitVec 32))")
    lines += [clause(rng, nvars) for _ in range(int(nvars * 4.2))]
    for i in range(8):
        a, b = rng.randint(1, 9), rng.randint(-50, 50)
        lines.append(f"(assert (=> b{i} (> (+ (* {a} x{i}) x{(i + 1) % 8}) {b})))")
        lines.append(f"(assert (and (>= x{i} -100) (<= x{i} 100)))")
    k = rng.randrange(1 << 16)
    lines.append(f"(assert (= (bvand (bvmul w #x{rng.randrange(1 << 32) | 1:08x}) #x0000ffff) "
                 f"#x{k:08x}))")
    lines += ["(check-sat)", "(pop 1)"]
    return lines


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--queries", type=int, required=True)
    p.add_argument("--vars", type=int, required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "w") as out:
        out.write("(set-option :produce-models false)\n(set-logic ALL)\n")
        for _ in range(a.queries):
            out.write("\n".join(query(rng, a.vars)) + "\n")


if __name__ == "__main__":
    main()
