package protodoc

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// PROTOCOL.md's generated tables are current (make generate).
func TestProtocolIsCurrent(t *testing.T) {
	doc := read(t, "engine/PROTOCOL.md")
	out, err := Rewrite([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != doc {
		t.Fatal("engine/PROTOCOL.md's options table differs from engine.OptionList: run make generate")
	}
}

func optionNames() []string {
	var names []string
	for _, o := range engine.OptionList() {
		names = append(names, o.Name)
	}
	return names
}

func opNames() []string {
	var names []string
	for _, o := range engine.Operations() {
		names = append(names, o.Name)
	}
	return names
}

// sameSet fails when got names something want does not, or misses one.
func sameSet(t *testing.T, where string, got, want []string) {
	t.Helper()
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("%s names %q, which the engine does not have", where, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s does not name %q", where, w)
		}
	}
}

// section returns the text of doc from the heading to the next heading of
// the same level.
func section(t *testing.T, doc, heading string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("no %q section", heading)
	}
	rest := doc[i+len(heading)+2:]
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if j := strings.Index(rest, "\n"+level); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

var tableName = regexp.MustCompile("(?m)^\\| `([A-Za-z0-9]+)` \\|")

// The README's options table, PROTOCOL.md's and the JavaScript package's
// Options type name exactly the engine's options.
func TestDocsNameEveryOption(t *testing.T) {
	want := optionNames()
	for _, doc := range []string{"README.md", "engine/PROTOCOL.md"} {
		var got []string
		for _, m := range tableName.FindAllStringSubmatch(section(t, read(t, doc), "## Options"), -1) {
			got = append(got, m[1])
		}
		sameSet(t, doc+" (Options)", got, want)
	}
	dts := read(t, "web/src/seclabel.d.ts")
	i := strings.Index(dts, "export interface Options {")
	j := strings.Index(dts[i:], "\n}")
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^  ([A-Za-z0-9]+)\?:`).FindAllStringSubmatch(dts[i:i+j], -1) {
		got = append(got, m[1])
	}
	sameSet(t, "web/src/seclabel.d.ts (Options)", got, want)
}

// PROTOCOL.md's request table, its sections and the JavaScript package's
// Engine name exactly the engine's operations.
func TestDocsNameEveryOperation(t *testing.T) {
	want := opNames()
	doc := read(t, "engine/PROTOCOL.md")
	row := regexp.MustCompile("(?m)^\\| `op` \\| yes \\| (.*) \\|$").FindStringSubmatch(doc)
	if row == nil {
		t.Fatal("PROTOCOL.md's request table has no op row")
	}
	var got []string
	for _, m := range regexp.MustCompile(`"([a-z]+)"`).FindAllStringSubmatch(row[1], -1) {
		got = append(got, m[1])
	}
	sameSet(t, "PROTOCOL.md's op row", got, want)
	got = nil
	for _, m := range regexp.MustCompile("(?m)^## `([a-z]+)`: ").FindAllStringSubmatch(doc, -1) {
		got = append(got, m[1])
	}
	sameSet(t, "PROTOCOL.md's operation sections", got, want)
	dts := read(t, "web/src/seclabel.d.ts")
	union := regexp.MustCompile(`(?m)^export type Op = (.*);$`).FindStringSubmatch(dts)
	if union == nil {
		t.Fatal("web/src/seclabel.d.ts has no Op type")
	}
	got = nil
	for _, m := range regexp.MustCompile(`'([a-z]+)'`).FindAllStringSubmatch(union[1], -1) {
		got = append(got, m[1])
	}
	sameSet(t, "web/src/seclabel.d.ts (Op)", got, want)
	// The named methods are among the operations.
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z]+)(<[^>]*>)?\(resource`).FindAllStringSubmatch(dts, -1) {
		if !slices.Contains(want, m[1]) {
			t.Errorf("web/src/seclabel.d.ts: Engine has a method %s, which is no operation", m[1])
		}
	}
}
