package main

import (
	"bytes"
	"encoding/json"
	"os"
	"runtime"

	workloads "mmbench/workloads/go"
)

// identity is the detail's and the listing's "allocator": the Go runtime
// serves every allocation of this process (no malloc is involved).
func identity() map[string]any {
	return map[string]any{
		"family": family, "malloc_from": "go runtime (" + runtime.Version() + ")",
		"new_from": "go runtime (" + runtime.Version() + ")", "version": runtime.Version(),
		"sanitizer": "",
	}
}

func listingEntry(w workloads.Workload, s goStrategy) map[string]any {
	i := w.Info
	return map[string]any{
		"workload": i.Name, "strategy": s.name, "unit": i.Unit, "description": i.Description,
		"open_loop": i.OpenLoop, "deliberate_leak": i.DeliberateLeak, "repeatable": i.Repeatable,
		"multithreaded": i.Multithreaded, "headline": i.Headline, "refuses": nil,
	}
}

// encodeJSON is JSON without HTML escaping (as nlohmann writes it), indented
// by `indent` spaces (0: compact), then a newline.
func encodeJSON(v any, indent int) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent > 0 {
		enc.SetIndent("", string(bytes.Repeat([]byte{' '}, indent)))
	}
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// printListing: --describe (identity, each strategy's configuration, the Go
// version) and --list (adds entries, strategies, sizes and exit codes).
func printListing(opt *options) int {
	// "go_version", not "gc_version": the runner reads gc_version as Boehm's.
	out := map[string]any{"family": family, "allocator": identity(), "go_version": runtime.Version()}
	config := map[string]any{}
	for _, s := range strategyTable {
		config[s.name] = s.declared(opt).config()
	}
	out["config"] = config
	if opt.list {
		entries := []any{}
		for _, w := range workloads.All() {
			for _, s := range strategyTable {
				entries = append(entries, listingEntry(w, s))
			}
		}
		strategies := []any{}
		for _, s := range strategyTable {
			strategies = append(strategies, s.listing())
		}
		codes := map[string]int{}
		for _, c := range exitCodeNames {
			codes[c.name] = c.code
		}
		out["entries"], out["strategies"] = entries, strategies
		out["sizes"], out["exit_codes"] = workloads.SizeNames, codes
	}
	data, err := encodeJSON(out, 1)
	if err != nil {
		say("error: %v", err)
		return exitError
	}
	os.Stdout.Write(data)
	return exitOK
}
