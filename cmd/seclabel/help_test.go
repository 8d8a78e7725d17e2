package main

import (
	"github.com/seclabel/seclabel/engine"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Each command's --help prints its own help, not the overview.
func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		cmd        string
		has, lacks []string
	}{
		{"label", []string{"--rules FILE", "--pack NAME", "textMatch", "propagate", "--engine NAME"}, []string{"--clearance", "--outcome", "requireConfidentiality", "1  validate found errors"}},
		{"redact", []string{"--clearance CODE", "--deny CODES", "--ignore CODES", "--context FILE", "--audit", "reads an NDJSON FILE more than once", `"purposeOfUse": "TREAT"`, "omitCodes"}, []string{"--rules", "textMatch", "--outcome", "redact: "}},
		{"hwm", []string{"high-water mark", "omitCodes", "envelopeSensitivity", "--response"}, []string{"--rules", "--clearance", "textMatch", "requireConfidentiality"}},
		{"validate", []string{"--outcome", "requireConfidentiality", "1  validate found errors"}, []string{"--rules", "--clearance", "--response", "textMatch"}},
		{"marks", []string{"for a banner", "maxDepth"}, []string{"--rules", "--clearance", "textMatch", "--outcome"}},
		{"serve", []string{"--addr host:port", "playground", "--api", "--token-file FILE", "--option NAME=VALUE", "/$sls-tag", "SIGTERM"}, []string{"--clearance", "textMatch ("}},
		{"rules", []string{"--describe", "--rules FILE"}, []string{"--clearance"}},
		{"version", []string{"Prints the versions"}, []string{"--option"}},
	} {
		want := "Usage: seclabel " + tc.cmd
		for _, args := range [][]string{{tc.cmd, "--help"}, {tc.cmd, "-h"}, {"help", tc.cmd}} {
			out, errs, code := runCLI(t, "", args...)
			if code != exitOK || errs != "" || !strings.HasPrefix(out, want) || out == usage {
				t.Errorf("%v: exit %d, stderr %q, output starts %.60q; want the command's own help", args, code, errs, out)
				continue
			}
			if !strings.Contains(out, "\nExample") {
				t.Errorf("%v: no example", args)
			}
			for _, s := range tc.has {
				if !strings.Contains(out, s) {
					t.Errorf("%v: lacks %q", args, s)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(out, s) {
					t.Errorf("%v: has %q, which is not %s's", args, s, tc.cmd)
				}
			}
		}
	}
	// Engine commands say what they read and write.
	for _, cmd := range engineCommands {
		if h := commandHelp(cmd); !strings.Contains(h, "Reads ") || !strings.Contains(h, "writes") {
			t.Errorf("%s --help does not say what it reads and writes", cmd)
		}
	}
}

// "seclabel help", "--help" and "-h" print the overview, which names every
// command and option.
func TestOverviewHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		out, _, code := runCLI(t, "", args...)
		if code != exitOK || out != usage {
			t.Errorf("%v: exit %d, not the overview", args, code)
		}
	}
	for _, cmd := range append(engineCommands, "serve", "rules", "version", "help") {
		if !strings.Contains(usage, "\n  seclabel "+cmd+" ") {
			t.Errorf("the overview does not list %s", cmd)
		}
	}
	for _, o := range engine.OptionList() {
		// An option's entry: its name alone on a line, or with its default.
		entry := regexp.MustCompile(`(?m)^ +` + o.Name + `( \(default .*\))?$`)
		if !entry.MatchString(usage) {
			t.Errorf("the overview does not describe option %s", o.Name)
		}
		for _, cmd := range engineCommands {
			if want := slices.Contains(o.Ops, cmd) || slices.Contains(o.Ops, "all"); entry.MatchString(commandHelp(cmd)) != want {
				t.Errorf("%s's help: option %s described %v, want %v (the engine's table says %v)", cmd, o.Name, !want, want, o.Ops)
			}
		}
	}
	if _, errs, code := runCLI(t, "", "help", "labels"); code != exitUsage || !strings.Contains(errs, `unknown command "labels"`) {
		t.Errorf("help of an unknown command: exit %d, %q", code, errs)
	}
}
