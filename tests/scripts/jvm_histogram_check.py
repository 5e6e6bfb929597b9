#!/usr/bin/python3
"""The JVM worker's histogram has the C++ histogram's layout: the same samples
recorded into base/histogram.hpp (histogram_dump) and into the Java port
(mmbench.jvm.HistogramDump) give the same buckets, counts, minimum, maximum,
saturation and percentiles, so .hgrm files and merged percentiles mean the
same for every row; and, where libhdrhistogram-java is installed, that
Debian's HdrHistogram with the same parameters fills the same buckets from
the in-range samples (it refuses negative and too-large values, which the
port clamps and counts as saturated). Samples: fixed-seed draws from several shapes (small
integers, log-uniform up to 2^44 past the trackable maximum, values on and
beside bucket boundaries, zeros and negatives).

Usage: jvm_histogram_check.py HISTOGRAM_DUMP JAVA CLASSPATH
"""
import json
import random
import subprocess
import sys


def samples():
    rng = random.Random(20)
    out = {"small": [rng.randrange(0, 5000) for _ in range(20000)],
           "log_uniform": [int(2 ** rng.uniform(0, 44)) for _ in range(20000)],
           "boundaries": [], "latency_like": []}
    for e in range(1, 43):
        for d in (-1, 0, 1):
            out["boundaries"].append((1 << e) + d)
            out["boundaries"].append(((1 << e) * 3 // 2) + d)
    out["boundaries"] += [0, -5, 2 ** 41, 2 ** 41 + 1, 2 ** 62]
    out["latency_like"] = [int(rng.lognormvariate(7, 2)) for _ in range(20000)]
    return out


def dump(cmd, values):
    text = "".join(f"{v}\n" for v in values)
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def check_hdrhistogram(name, values, cpp_dump, java, classpath):
    """Debian's HdrHistogram (when on the classpath): the same buckets for the
    in-range samples (it refuses the others, which the port clamps)."""
    if "hdrhistogram" not in classpath:
        return []
    hdr = dump([java, "-cp", classpath, "mmbench.jvm.HdrHistogramDump"], values)
    in_range = [v for v in values if 0 <= v <= 2 ** 41]
    expect = dump([cpp_dump], in_range)["buckets"]
    if hdr["buckets"] != expect or hdr["skipped"] != len(values) - len(in_range):
        return [f"{name}: HdrHistogram's buckets differ: {str(hdr['buckets'][:3])} vs "
                f"{str(expect[:3])}"]
    return []


def main(cpp_dump, java, classpath):
    failures = []
    for name, values in samples().items():
        cpp = dump([cpp_dump], values)
        jvm = dump([java, "-cp", classpath, "mmbench.jvm.HistogramDump"], values)
        failures += check_hdrhistogram(name, values, cpp_dump, java, classpath)
        for key in ("count", "min", "max", "saturated", "significant_digits", "percentiles",
                    "buckets"):
            if cpp[key] != jvm[key]:
                failures.append(f"{name}: {key} differs: C++ {str(cpp[key])[:200]} "
                                f"Java {str(jvm[key])[:200]}")
        if abs(cpp["mean"] - jvm["mean"]) > 1e-9 * max(1.0, abs(cpp["mean"])):
            failures.append(f"{name}: mean C++ {cpp['mean']} Java {jvm['mean']}")
        print(f"{name:<13} {len(values):>6} samples, {len(cpp['buckets']):>5} buckets, "
              f"p99 C++ {cpp['percentiles']['99']} Java {jvm['percentiles']['99']}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK: the Java histogram's buckets and percentiles equal the C++ histogram's"
              + (", and HdrHistogram's buckets" if "hdrhistogram" in classpath else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
