"""Writes a deterministic PostScript document for the gs program (programs/gs.toml).

--pages pages, each with --shapes random Bezier paths (filled, stroked,
clipped, in gray and RGB), rotated text in a standard font and a procedure
drawn in a loop, so Ghostscript builds and frees many paths, clip regions and
glyph caches.

Usage: gs_doc.py --seed N --out FILE --pages P --shapes S
"""

import argparse
import random

PROLOGUE = """%!PS-Adobe-3.0
%%BoundingBox: 0 0 612 792
/star { newpath 0 0 moveto 5 { 40 0 rlineto 144 rotate } repeat closepath } def
/Helvetica findfont 14 scalefont setfont
"""


def shape(rng: random.Random) -> str:
    pts = " ".join(f"{rng.uniform(0, 612):.1f} {rng.uniform(0, 792):.1f}" for _ in range(3))
    x, y = rng.uniform(0, 612), rng.uniform(0, 792)
    colour = (f"{rng.random():.3f} {rng.random():.3f} {rng.random():.3f} setrgbcolor"
              if rng.random() < 0.7 else f"{rng.random():.3f} setgray")
    op = rng.choice(["fill", "stroke", "eofill", "gsave fill grestore 0 setgray stroke"])
    return (f"{colour} {rng.uniform(0.2, 4):.2f} setlinewidth newpath {x:.1f} {y:.1f} moveto "
            f"{pts} curveto closepath {op}\n")


def page(rng: random.Random, number: int, shapes: int) -> str:
    out = [f"%%Page: {number} {number}\n", "gsave\n"]
    cx, cy, r = rng.uniform(150, 450), rng.uniform(200, 600), rng.uniform(100, 250)
    out.append(f"newpath {cx:.1f} {cy:.1f} {r:.1f} 0 360 arc clip\n")
    out += [shape(rng) for _ in range(shapes)]
    out.append("grestore\n")
    for i in range(12):
        out.append(f"gsave {rng.uniform(50, 550):.1f} {rng.uniform(50, 750):.1f} translate "
                   f"{rng.uniform(0, 360):.1f} rotate 0 0 moveto (page {number} line {i}) show "
                   "grestore\n")
    out.append(f"gsave 306 396 translate 36 {{ star 0.{rng.randrange(10)} setgray stroke "
               "10 rotate } repeat grestore\n")
    out.append("showpage\n")
    return "".join(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--pages", type=int, required=True)
    p.add_argument("--shapes", type=int, required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "w") as out:
        out.write(PROLOGUE)
        for n in range(1, a.pages + 1):
            out.write(page(rng, n, a.shapes))
        out.write("%%EOF\n")


if __name__ == "__main__":
    main()
