package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/valyala/fastjson"
)

// The README's commands, run as a user following it would: every line of
// its ```sh blocks, and every "$ " line of its ```text transcripts, with
// seclabel built once and first on PATH and the working directory a copy
// of testdata/examples (the Quick start's first line goes there). Each
// line must be in readmeSkip or readmeChecks, so a command added to the
// README is never left untested; an entry the README no longer has fails
// too. Output the README shows is compared exactly: the lines of a
// transcript after its "$ " line, and in a sh block the comment lines
// written "#   output" right after a command.

// readmeSkip are the lines a test cannot run, and why.
var readmeSkip = map[string]string{
	"make run":             "serves the playground until stopped",
	"make test":            "runs every test, this one included",
	"make install":         "writes to the user's Go bin directory",
	"cd testdata/examples": "the commands run in a copy of testdata/examples",
	"seclabel serve --api --addr localhost:8081": "serves until stopped; the test starts one on a free port for the curl lines, " +
		"which it sends there (readmeAPI)",
	"seclabel serve --api --addr localhost:8081 --token-file api-token --option textMatch=all": "serves until stopped",
}

// readmeAPI is the address of the README's HTTP API examples; the test
// sends them to a server of its own.
const readmeAPI = "http://localhost:8081"

// readmeRun is what one README command did.
type readmeRun struct {
	line           string
	status         int
	stdout, stderr string
	dir            string // the working directory, to read files it wrote
}

// readmeCheck is what the README says of one command: its exit status and
// the claims of the prose around it.
type readmeCheck struct {
	status int
	check  func(t *testing.T, r readmeRun)
}

const (
	v3ActCode         = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	v3Confidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	basisURL          = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-basis"
	classifierURL     = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-classifier"
)

var readmeChecks = map[string]readmeCheck{
	`seclabel label --pretty condition.json`: {0, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		if got := strings.Join(securityCodes(v), ","); got != "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD,RedisclosureProhibitionMark" {
			t.Errorf("labels %s", got)
		}
		for _, l := range v.GetArray("meta", "security") {
			if string(l.GetStringBytes("code")) == "RedisclosureProhibitionMark" {
				continue
			}
			if extValue(l, basisURL, "valueCoding", "code") != "42CFRPart2" || extValue(l, classifierURL, "valueReference", "display") != "seclabel" {
				t.Errorf("label %s lacks its basis 42CFRPart2 or its classifier", l)
			}
		}
		if !strings.Contains(r.stdout, "(42 CFR part 2)") || !strings.Contains(r.stdout, "\n  \"resourceType\"") {
			t.Error("no 42 CFR 2.32 notice, or output not indented")
		}
	}},
	`seclabel label --option bundleHighWaterMark=true --option propagate=Condition.encounter --option textMatch=true bundle.json > labeled.json`: {0, func(t *testing.T, r readmeRun) {
		b := parseJSON(t, readFileIn(t, r, "labeled.json"))
		if got := strings.Join(securityCodes(b), ","); got != "R,42CFRPart2" {
			t.Errorf("Bundle mark %s, want R,42CFRPart2", got)
		}
		want := map[string]string{
			"Patient/pat-1":          "R,PROCESSINLINELABEL", // its HIV clinic, labeled inline by the sender
			"Encounter/enc-1":        "R,HIV",                // by propagate
			"Condition/hiv-1":        "R,HIV",
			"Observation/vl-1":       "R,HIV", // by textMatch: a local code, "HIV-1 RNA" in its display
			"MedicationRequest/mr-1": "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD,RedisclosureProhibitionMark",
			"Observation/preg-1":     "N,portal-hold", // broad only
			"Observation/wt-1":       "",
		}
		checkEntries(t, b, want)
	}},
	`seclabel label --rules my-pack.json --rules shares-rules.json --option minConfidence=0.8 export.ndjson`: {0, func(t *testing.T, r readmeRun) {
		got := ndjsonLabels(t, r.stdout)
		want := []string{"Patient/pat-3:", "Encounter/enc-7:", "Condition/c1:", "Observation/vl-2:", // the default pack is not used
			"Condition/c2:R,MH", "Condition/c3:", // insomnia's confidence 0.6 is below 0.8
			"Procedure/pr-1:R,SUD,42CFRPart2,NORDSCLCD,RedisclosureProhibitionMark", "Observation/wt-2:"}
		if !slices.Equal(got, want) {
			t.Errorf("labels\n%q\nwant\n%q", got, want)
		}
	}},
	`seclabel label --pack us-broad bundle.json`: {0, func(t *testing.T, r readmeRun) {
		b := parseJSON(t, r.stdout)
		for _, e := range b.GetArray("entry") {
			res := e.Get("resource")
			has := slices.Contains(securityCodes(res), "SEX")
			if id := string(res.GetStringBytes("id")); has != (id == "preg-1") {
				t.Errorf("%s: SEX %v", id, has)
			}
		}
	}},
	`seclabel redact --clearance R --pou TREAT --deny HIV,SUD --audit labeled.json`: {0, func(t *testing.T, r readmeRun) {
		b := parseJSON(t, r.stdout)
		checkRedacted(t, b, "Patient/pat-1", "Observation/wt-1")
		if !strings.HasPrefix(r.stderr, `{"resourceType":"AuditEvent"`) {
			t.Errorf("no AuditEvent on stderr: %q", r.stderr)
		}
	}},
	`seclabel redact --response --context recipient.json labeled.json`: {0, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		checkRedacted(t, v.Get("resource"), "Patient/pat-1", "Observation/preg-1", "Observation/wt-1")
		var withheld []string
		for _, w := range v.GetArray("report", "withheld") {
			withheld = append(withheld, string(w.GetStringBytes("type"))+"/"+string(w.GetStringBytes("id"))+" ("+string(w.GetStringBytes("reason"))+")")
		}
		if want := []string{"Encounter/enc-1 (deny)", "Condition/hiv-1 (deny)", "Observation/vl-1 (deny)", "MedicationRequest/mr-1 (deny)"}; !slices.Equal(withheld, want) {
			t.Errorf("report.withheld %q, want %q", withheld, want)
		}
	}},
	`seclabel redact --clearance R --deny HIV --deny SUD,ETH --ignore http://example.org/local-labels labeled.json`: {0, func(t *testing.T, r readmeRun) {
		checkRedacted(t, parseJSON(t, r.stdout), "Patient/pat-1", "Observation/preg-1", "Observation/wt-1")
	}},
	`seclabel hwm --pretty searchset.json`: {0, func(t *testing.T, r readmeRun) {
		// The paragraph after the Quick start: the mark is V, 42CFRPart2
		// and DELAU; HIV, OPIOIDUD and NORDSCLCD stay on their entries.
		b := parseJSON(t, r.stdout)
		if got := strings.Join(securityCodes(b), ","); got != "V,42CFRPart2,DELAU" {
			t.Errorf("mark %s, want V,42CFRPart2,DELAU", got)
		}
		checkEntries(t, b, map[string]string{
			"Patient/patient-1":         "PROCESSINLINELABEL,N",
			"Condition/condition-hiv":   "R,HIV",
			"Condition/condition-sud":   "R,OPIOIDUD,42CFRPart2,NORDSCLCD,DELAU",
			"Observation/observation-1": "",
		})
	}},
	`seclabel hwm --response --pretty searchset.json`: {0, func(t *testing.T, r readmeRun) {
		m := parseJSON(t, r.stdout).Get("report", "marks", "0")
		var left []string
		for _, l := range m.GetArray("leftOut") {
			left = append(left, string(l.GetStringBytes("code")))
		}
		if len(m.GetArray("security")) != 3 || !slices.Equal(left, []string{"PROCESSINLINELABEL", "HIV", "OPIOIDUD", "NORDSCLCD"}) {
			t.Errorf("report of what was lifted and left out: %s", m)
		}
	}},
	`seclabel validate --pretty searchset.json`: {0, func(t *testing.T, r readmeRun) {
		if n := parseJSON(t, r.stdout).GetInt("report", "errors"); n != 0 {
			t.Errorf("%d errors", n)
		}
	}},
	`seclabel validate --outcome patient.json`: {1, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		if string(v.GetStringBytes("resourceType")) != "OperationOutcome" || string(v.GetStringBytes("issue", "0", "details", "coding", "0", "code")) != "label-code-case" {
			t.Errorf("want an OperationOutcome naming the misspelt code: %s", r.stdout)
		}
	}},
	`seclabel marks labeled.json`: {0, func(t *testing.T, r readmeRun) {
		var got []string
		for _, d := range parseJSON(t, r.stdout).GetArray() {
			got = append(got, string(d.GetStringBytes("location"))+" "+string(d.GetStringBytes("kind")))
		}
		if want := []string{"Bundle.entry[4].resource annotation", "Bundle.entry[4].resource label"}; !slices.Equal(got, want) {
			t.Errorf("marks %q, want the Part 2 notice and mark of the buprenorphine order", got)
		}
	}},
	`seclabel rules --describe --pack us-broad`: {0, func(t *testing.T, r readmeRun) {
		if !strings.HasPrefix(r.stdout, "Packs: seclabel US realm default, seclabel US realm broad\n") || !strings.Contains(r.stdout, "\n  all rules ") {
			t.Errorf("rules --describe: %.300s", r.stdout)
		}
	}},
	`seclabel hwm --option defaultConfidentiality=R --option omitCodes=42CFRPart2 searchset.json`: {0, func(t *testing.T, r readmeRun) {
		if got := strings.Join(securityCodes(parseJSON(t, r.stdout)), ","); got != "V,DELAU" {
			t.Errorf("mark %s, want V,DELAU", got)
		}
	}},
	`seclabel label --engine wasm bundle.json`: {0, func(t *testing.T, r readmeRun) {
		native := runReadmeLine(t, r.dir, "seclabel label bundle.json")
		if native.status != 0 || native.stdout != r.stdout {
			t.Errorf("the module's answer differs from the native one (exit %d)", native.status)
		}
	}},
	`seclabel hwm export.ndjson > marked.ndjson`: {0, func(t *testing.T, r readmeRun) {
		got := ndjsonLabels(t, readFileIn(t, r, "marked.ndjson"))
		if len(got) != 8 || got[0] != "Patient/pat-3:N" {
			t.Errorf("marked lines %q", got)
		}
	}},
	`cat export.ndjson | seclabel validate --ndjson`: {0, func(t *testing.T, r readmeRun) {
		if n := strings.Count(r.stdout, `"op":"validate"`); n != 8 {
			t.Errorf("%d responses for 8 lines", n)
		}
	}},
	`seclabel label export.ndjson > labeled.ndjson`: {0, nil},
	`seclabel redact --clearance R --deny HIV labeled.ndjson > released.ndjson`: {0, func(t *testing.T, r readmeRun) {
		// Line 2's Encounter lists the HIV Condition of line 3 as a
		// diagnosis: the second pass takes that diagnosis out (with its
		// rank), and keeps the other.
		lines := strings.Split(strings.TrimSpace(readFileIn(t, r, "released.ndjson")), "\n")
		enc := parseJSON(t, lines[1])
		if len(lines) != 6 || len(enc.GetArray("diagnosis")) != 1 || string(enc.GetStringBytes("diagnosis", "0", "condition", "reference")) != "Condition/c2" {
			t.Errorf("%d lines released; the Encounter: %s", len(lines), enc)
		}
	}},
	// The transcripts of "Errors".
	`echo '{"resourceType": "Patient",' | seclabel hwm`: {3, nil},
	`seclabel label --rules my-pak.json condition.json`: {4, nil},
	`seclabel label .`: {4, nil},
	// The HTTP API's examples, sent to the test's own server.
	`curl -s -H 'Content-Type: application/fhir+json' --data-binary @condition.json 'http://localhost:8081/$label'`: {0, func(t *testing.T, r readmeRun) {
		cli := runReadmeLine(t, r.dir, "seclabel label condition.json")
		if r.stdout != strings.TrimSuffix(cli.stdout, "\n") {
			t.Errorf("the API's label differs from the CLI's:\n%s\n%s", r.stdout, cli.stdout)
		}
	}},
	`curl -s -H 'Content-Type: application/fhir+json' -H 'X-Seclabel-Context: {"clearance":"R","deny":["HIV","SUD"]}' --data-binary @labeled.json 'http://localhost:8081/$redact?report=true'`: {0, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		params := v.GetArray("parameter")
		if string(v.GetStringBytes("resourceType")) != "Parameters" || len(params) != 2 || string(params[0].GetStringBytes("resource", "resourceType")) != "Bundle" {
			t.Fatalf("not the Parameters of a released Bundle: %.300s", r.stdout)
		}
		rep := parseJSON(t, string(params[1].GetStringBytes("valueString")))
		denied := 0
		for _, w := range rep.GetArray("report", "withheld") {
			if string(w.GetStringBytes("reason")) == "deny" {
				denied++
			}
		}
		if denied != 4 {
			t.Errorf("%d entries withheld as denied, want 4 (the Encounter, the HIV Condition and viral load, the buprenorphine order): %s", denied, rep)
		}
	}},
	`curl -s -H 'Content-Type: application/fhir+json' --data-binary @bundle.json 'http://localhost:8081/$sls-tag?mode=batch'`: {0, func(t *testing.T, r readmeRun) {
		if got := requests(t, r.stdout, "batch"); got != "PUT Patient/pat-1, PUT Condition/hiv-1, PUT Observation/vl-1, PUT MedicationRequest/mr-1" {
			t.Errorf("batch: %s", got)
		}
	}},
	`curl -s -H 'Content-Type: application/fhir+json' --data-binary @bundle.json 'http://localhost:8081/fhir/sls/transaction'`: {0, func(t *testing.T, r readmeRun) {
		if got := requests(t, r.stdout, "transaction"); got != "PUT Patient/pat-1, POST Condition/hiv-1/$meta-add, POST Observation/vl-1/$meta-add, PUT MedicationRequest/mr-1" {
			t.Errorf("transaction: %s", got)
		}
	}},
	`curl -s -H 'Content-Type: application/fhir+json' --data-binary @patient.json 'http://localhost:8081/$validate'`: {0, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		if string(v.GetStringBytes("resourceType")) != "OperationOutcome" || !strings.Contains(r.stdout, `"code":"label-code-case"`) {
			t.Errorf("validate: %s", r.stdout)
		}
	}},
	`curl -s -w ' %{http_code}\n' -H 'Content-Type: application/fhir+json' -d '{"resourceType":' 'http://localhost:8081/$label'`: {0, func(t *testing.T, r readmeRun) {
		if !strings.HasSuffix(r.stdout, "} 400\n") || !strings.Contains(r.stdout, `"code":"invalid_json"`) || !strings.Contains(r.stdout, `"OperationOutcome"`) {
			t.Errorf("error: %s", r.stdout)
		}
	}},
	`curl -s http://localhost:8081/metadata`: {0, func(t *testing.T, r readmeRun) {
		v := parseJSON(t, r.stdout)
		if string(v.GetStringBytes("resourceType")) != "CapabilityStatement" || len(v.GetArray("rest", "0", "operation")) != 6 {
			t.Errorf("metadata: %.300s", r.stdout)
		}
	}},
}

// requests lists the request lines of a Bundle of type typ: "PUT
// Condition/c1, ...".
func requests(t *testing.T, body, typ string) string {
	t.Helper()
	v := parseJSON(t, body)
	if got := string(v.GetStringBytes("type")); got != typ {
		t.Fatalf("a %s Bundle, want %s: %.300s", got, typ, body)
	}
	var out []string
	for _, e := range v.GetArray("entry") {
		out = append(out, string(e.GetStringBytes("request", "method"))+" "+string(e.GetStringBytes("request", "url")))
	}
	return strings.Join(out, ", ")
}

// readmeCommand is one command of the README with the output it shows.
type readmeCommand struct {
	line    int // in README.md
	text    string
	output  []string
	hasWant bool
}

func TestREADME(t *testing.T) {
	parent := t
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run the README's commands with")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, string(readme))
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c.text] = true
	}
	for line := range readmeChecks {
		if !seen[line] {
			t.Errorf("readmeChecks has %q, which the README does not", line)
		}
	}
	for line := range readmeSkip {
		if !seen[line] {
			t.Errorf("readmeSkip has %q, which the README does not", line)
		}
	}

	dir := t.TempDir()
	bin := buildSeclabel(t)
	work := filepath.Join(dir, "examples")
	copyDir(t, "../../testdata/examples", work)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("SECLABEL_CACHE", filepath.Join(dir, "cache"))
	var apiURL string
	var apiErr error
	api := func(t *testing.T) string {
		if apiURL == "" && apiErr == nil {
			apiURL, apiErr = startAPI(parent, bin, work)
		}
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		return apiURL
	}
	for _, c := range cmds {
		if why, ok := readmeSkip[c.text]; ok {
			t.Logf("README.md:%d: skipped (%s): %s", c.line, why, c.text)
			continue
		}
		chk, ok := readmeChecks[c.text]
		if !ok {
			t.Errorf("README.md:%d: the test does not know %q; add it to readmeChecks (or, if it cannot run here, readmeSkip)", c.line, c.text)
			continue
		}
		t.Run(c.text, func(t *testing.T) {
			line := c.text
			if strings.Contains(line, readmeAPI) {
				line = strings.ReplaceAll(line, readmeAPI, api(t))
			}
			r := runReadmeLine(t, work, line)
			if r.status != chk.status {
				t.Fatalf("README.md:%d: exit status %d, want %d\nstdout: %.500s\nstderr: %.500s", c.line, r.status, chk.status, r.stdout, r.stderr)
			}
			if c.hasWant {
				if got, want := r.stdout+r.stderr, strings.Join(c.output, "\n")+"\n"; got != want {
					t.Errorf("README.md:%d: output\n%s\nthe README shows\n%s", c.line, got, want)
				}
			}
			if chk.check != nil {
				chk.check(t, r)
			}
		})
	}
	t.Run("help examples", func(t *testing.T) { runHelpExamples(t, work) })
}

// startAPI runs seclabel serve --api on a free port until the test
// (parent) ends, then stops it with SIGTERM, which must drain it and exit 0.
func startAPI(parent *testing.T, bin, dir string) (string, error) {
	cmd := exec.Command(filepath.Join(bin, "seclabel"), "serve", "--api", "--addr", "127.0.0.1:0", "--quiet")
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	i := strings.Index(line, "http://")
	if err != nil || i < 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return "", fmt.Errorf("seclabel serve --api printed %q (%v)", line, err)
	}
	parent.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			parent.Errorf("seclabel serve --api after SIGTERM: %v", err)
		}
	})
	return strings.Fields(line[i:])[0], nil
}

// readmeCommands returns the commands of the README's sh blocks and text
// transcripts, continuation lines joined and trailing comments cut, each
// with the output the README shows right after it, if any.
func readmeCommands(t *testing.T, readme string) []readmeCommand {
	var cmds []readmeCommand
	lines := strings.Split(readme, "\n")
	block := ""
	last := -1 // the command whose output the next line may show
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "```") {
			// A fence opens a block of that language, or closes one: "".
			block, last = strings.TrimPrefix(l, "```"), -1
			continue
		}
		s := strings.TrimSpace(l)
		switch {
		case block == "sh" && strings.HasPrefix(s, "#   ") && last >= 0:
			cmds[last].output = append(cmds[last].output, strings.TrimPrefix(s, "#   "))
			cmds[last].hasWant = true
		case block == "sh" && (s == "" || strings.HasPrefix(s, "#")):
			last = -1
		case block == "sh":
			start := i
			for strings.HasSuffix(s, `\`) && i+1 < len(lines) {
				i++
				s = strings.TrimSuffix(s, `\`) + " " + strings.TrimSpace(lines[i])
			}
			cmds = append(cmds, readmeCommand{line: start + 1, text: strings.Join(strings.Fields(cutComment(s)), " ")})
			last = len(cmds) - 1
		case block == "text" && strings.HasPrefix(l, "$ "):
			cmds = append(cmds, readmeCommand{line: i + 1, text: strings.TrimPrefix(l, "$ "), hasWant: true})
			last = len(cmds) - 1
		case block == "text" && last >= 0:
			cmds[last].output = append(cmds[last].output, l)
		}
	}
	if len(cmds) == 0 {
		t.Fatal("no commands found in README.md")
	}
	return cmds
}

// cutComment cuts a shell comment off a line: a # after white space,
// outside quotes.
func cutComment(s string) string {
	var quote rune
	for i, c := range s {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// buildSeclabel builds the command into a directory of its own, for PATH.
func buildSeclabel(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go") // go test puts its own go first on PATH
	if err != nil {
		t.Skip("no go command on PATH to build seclabel with")
	}
	bin := t.TempDir()
	name := "seclabel"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(bin, name), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// runReadmeLine runs one line with sh in dir.
func runReadmeLine(t *testing.T, dir, line string) readmeRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := readmeRun{line: line, stdout: out.String(), stderr: errb.String(), dir: dir}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", line, err)
		}
		r.status = ee.ExitCode()
	}
	return r
}

// runHelpExamples runs the examples of every command's help, in the
// directory where the README's commands wrote their files.
func runHelpExamples(t *testing.T, dir string) {
	helps := []string{usage, rulesUsage, serveUsage, versionUsage}
	for _, c := range engineCommands {
		helps = append(helps, commandHelp(c))
	}
	n := 0
	for _, h := range helps {
		_, ex, ok := strings.Cut(h, "\nExample")
		if !ok {
			continue
		}
		_, ex, _ = strings.Cut(ex, "\n")
		ex, _, _ = strings.Cut(ex, "\n\n")
		for _, line := range strings.Split(ex, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "seclabel serve") {
				continue // runs until stopped
			}
			n++
			want := 0
			if strings.Contains(line, "patient.json") {
				want = 1 // its label is misspelt
			}
			if r := runReadmeLine(t, dir, line); r.status != want {
				t.Errorf("help example %q: exit status %d, want %d; stderr %.300s", line, r.status, want, r.stderr)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d help examples found", n)
	}
}

func readFileIn(t *testing.T, r readmeRun, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parseJSON(t *testing.T, s string) *fastjson.Value {
	t.Helper()
	v, err := fastjson.Parse(s)
	if err != nil {
		t.Fatalf("not JSON: %v: %.300s", err, s)
	}
	return v
}

// securityCodes are the codes of a resource's meta.security, in order.
func securityCodes(v *fastjson.Value) []string {
	var codes []string
	for _, c := range v.GetArray("meta", "security") {
		codes = append(codes, string(c.GetStringBytes("code")))
	}
	return codes
}

// extValue is a member of the value of a label's extension with url.
func extValue(label *fastjson.Value, url string, keys ...string) string {
	for _, e := range label.GetArray("extension") {
		if string(e.GetStringBytes("url")) == url {
			return string(e.GetStringBytes(keys...))
		}
	}
	return ""
}

// checkEntries checks the labels of a Bundle's entries, by Type/id.
func checkEntries(t *testing.T, b *fastjson.Value, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, e := range b.GetArray("entry") {
		res := e.Get("resource")
		got[string(res.GetStringBytes("resourceType"))+"/"+string(res.GetStringBytes("id"))] = strings.Join(securityCodes(res), ",")
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: labels %q, want %q", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %d", got, len(want))
	}
}

// checkRedacted checks what the redaction of labeled.json released: these
// entries only, the Patient without its HIV-labeled clinic, the body
// weight's reference to the withheld Encounter masked, and the mark
// recomputed.
func checkRedacted(t *testing.T, b *fastjson.Value, released ...string) {
	t.Helper()
	var got []string
	for _, e := range b.GetArray("entry") {
		res := e.Get("resource")
		id := string(res.GetStringBytes("resourceType")) + "/" + string(res.GetStringBytes("id"))
		got = append(got, id)
		switch id {
		case "Patient/pat-1":
			if res.Get("generalPractitioner") != nil {
				t.Errorf("the Patient's HIV-labeled generalPractitioner was released: %s", res)
			}
		case "Observation/wt-1":
			if res.Get("encounter", "reference") != nil {
				t.Errorf("the reference to the withheld Encounter was not masked: %s", res)
			}
		}
	}
	if !slices.Equal(got, released) {
		t.Errorf("released %q, want %q", got, released)
	}
	if c := securityCodes(b); len(c) == 0 || c[0] != "R" {
		t.Errorf("the mark was not recomputed to R (the released Patient's): %q", c)
	}
}

// ndjsonLabels lists "Type/id:labels" for each line.
func ndjsonLabels(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		v := parseJSON(t, l)
		out = append(out, string(v.GetStringBytes("resourceType"))+"/"+string(v.GetStringBytes("id"))+":"+strings.Join(securityCodes(v), ","))
	}
	return out
}

// TestREADMEShowsExampleFiles: the access context the README shows is
// recipient.json, and its configure requests are accepted and take effect.
func TestREADMEShowsExampleFiles(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	recipient, err := os.ReadFile("../../testdata/examples/recipient.json")
	if err != nil {
		t.Fatal(err)
	}
	want := parseJSON(t, string(recipient)).String()
	shown, configures := false, 0
	for _, block := range fencedBlocks(string(readme), "json") {
		v, err := fastjson.Parse(block)
		if err != nil {
			continue // a sketch with "..."
		}
		shown = shown || v.String() == want
		if string(v.GetStringBytes("op")) != "configure" {
			continue
		}
		configures++
		var s engine.Session
		ctx := context.Background()
		if resp := s.Do(ctx, []byte(block)); !bytes.Equal(resp, []byte(`{"protocol":1,"op":"configure"}`)) {
			t.Errorf("configure request %s: %s", block, resp)
		}
		cond, err := os.ReadFile("../../testdata/examples/condition.json")
		if err != nil {
			t.Fatal(err)
		}
		resp := parseJSON(t, string(s.Do(ctx, append([]byte(`{"op":"label","resource":`), append(cond, '}')...))))
		if got := strings.Join(securityCodes(resp.Get("resource")), ","); got != "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD" {
			t.Errorf("condition.json labeled after the configure request: %q, want the Part 2 labels without the notice (part2Notice false)", got)
		}
	}
	if !shown {
		t.Errorf("the README shows no JSON block equal to testdata/examples/recipient.json")
	}
	if configures == 0 {
		t.Errorf("the README shows no configure request")
	}
}

// fencedBlocks returns the contents of the README's ```lang blocks.
func fencedBlocks(readme, lang string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, l := range strings.Split(readme, "\n") {
		switch {
		case !in && l == "```"+lang:
			in, cur = true, nil
		case in && l == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, l)
		}
	}
	return blocks
}
