package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseGCTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace")
	lines := "gc 1 @0.004s 2%: 0.010+0.62+0.003 ms clock, 0.021+0.10/0.27/0.49+0.007 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"not a gc line\n" +
		"gc 2 @1.250s 5%: 12+3.5+0.15 ms clock, 24+1.0/2.0/3.0+0.30 ms cpu, 8->9->4 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\n"
	if err := os.WriteFile(path, []byte(lines), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, scale := range []string{"", "0.5"} {
		t.Setenv(envPauseScale, scale)
		cycles, err := parseGCTrace(path)
		if err != nil || len(cycles) != 2 {
			t.Fatalf("parsed %v, %v", cycles, err)
		}
		f := int64(1)
		if scale != "" {
			f = 2
		}
		c := cycles[1]
		if c.n != 2 || c.startNs != runtimeInitTime+1_250_000_000 || c.sweepTermNs != 12_000_000/f ||
			c.markNs != 3_500_000 || c.markTermNs != 150_000/f || !c.forced || c.cpuNs != 30_300_000 {
			t.Fatalf("scale %q: cycle 2 parsed as %+v", scale, c)
		}
		if cycles[0].sweepTermNs != 10_000/f || cycles[0].forced || cycles[0].markTermNs != 3_000/f {
			t.Fatalf("cycle 1 parsed as %+v", cycles[0])
		}
	}
}

func TestSettingsSyntax(t *testing.T) {
	for in, want := range map[string]int64{"off": memoryLimitOff, "1024": 1024, "64MiB": 64 << 20,
		"2GiB": 2 << 30, "10B": 10} {
		if got, err := parseMemLimit(in); err != nil || got != want {
			t.Errorf("parseMemLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "1XB", "0", "99999999999TiB"} {
		if _, err := parseMemLimit(bad); err == nil {
			t.Errorf("parseMemLimit(%q) accepted", bad)
		}
	}
	if p, err := parseGOGC("off"); err != nil || p != -1 {
		t.Errorf("parseGOGC(off) = %d, %v", p, err)
	}
	if _, err := parseGOGC("-5"); err == nil {
		t.Error("parseGOGC(-5) accepted")
	}
	if got := withGCTrace("madvdontneed=1,gctrace=2"); got != "madvdontneed=1,gctrace=1" {
		t.Errorf("withGCTrace: %q", got)
	}
}

// The start-up check refuses a setting in force that is not the declared one.
func TestVerifyRefusesAnotherSetting(t *testing.T) {
	s, _ := findStrategy("go")
	gogc, limit := inForce()
	s.gogc, s.memLimit = gogc, limit
	if why := s.verify(); why != "" {
		t.Fatalf("declared = in force, refused: %s", why)
	}
	s.gogc = gogc + 1
	if why := s.verify(); why == "" {
		t.Fatal("another GOGC than the one in force was accepted")
	}
	s.gogc, s.memLimit = gogc, 1<<30
	if why := s.verify(); why == "" {
		t.Fatal("another GOMEMLIMIT than the one in force was accepted")
	}
}
