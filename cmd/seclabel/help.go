package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/seclabel/seclabel/engine"
)

// The help: "seclabel help" prints the overview (every command and flag),
// "seclabel COMMAND --help" and "seclabel help COMMAND" the command's own.
// Flags and options are described once, below, with the commands they
// apply to, and both are made from them.

const overviewHead = `seclabel computes high-water marks and validates DS4P security labels on
FHIR R4 JSON.

Usage:
  seclabel label    [flags] [FILE]   find sensitive content and label it (the default
                                     US-realm rule pack unless --rules is given)
  seclabel redact   [flags] [FILE]   cut a resource or Bundle down to what one recipient
                                     may see (the access context flags below); for
                                     NDJSON give a FILE, see below
  seclabel hwm      [flags] [FILE]   write the high-water mark into a resource or Bundle
  seclabel validate [flags] [FILE]   check security labels; exit 1 when errors are found
  seclabel marks    [flags] [FILE]   list what must be displayed with each resource
                                     (display annotations and mark labels), for a banner
  seclabel serve    [--addr ADDR]    serve the playground (default localhost:8080): the
                                     engine runs in the browser, nothing leaves the page
  seclabel serve --api [flags]       serve the engine as FHIR operations over HTTP
  seclabel rules --describe [--rules FILE]... [--pack NAME]...
                                     print what the rule packs cover: per rule its
                                     labels and codes per system, then totals per
                                     category
  seclabel version                   print the versions
  seclabel help [COMMAND]            print this help, or a command's own

"seclabel COMMAND --help" prints a command's flags, what it reads and
writes, and examples.

`

const fileDoc = `FILE is a JSON resource or Bundle, or NDJSON (one resource per line); "-" or
no FILE reads standard input. NDJSON is recognised by a .ndjson or .jsonl
name or by its content, and is streamed in constant memory on every core,
keeping input order.
`

const redactNDJSONDoc = `redact leaves out the NDJSON lines it withholds whole and names each on
stderr ("line 3: withheld Condition/c1 (deny)"), then the count; the exit
status stays 0. With --response every response is written.

redact reads an NDJSON FILE more than once: the first pass writes nothing,
keeps only references to the resources withheld, and checks every line, so
a rejected line fails the run with no output; when it withheld any, it is
read again with them until nothing more goes with them (an Encounter whose
diagnosis is a withheld Condition on another line); the last pass writes,
and masks references to resources withheld on other lines, by Type/id,
fullUrl, canonical url or identifier (the access context's
withheldReferences).
Standard input is
read once: references to resources withheld on other lines cannot be masked
without a second pass (they keep their reference and display), so give a
file.
`

const exitDoc = `Exit status:
  0  success
  1  validate found errors
  2  usage error
  3  the input or an option was rejected; the stable error code is printed
     ("seclabel: invalid_json: ...")
  4  a file could not be read or written: file_not_found, is_directory,
     permission_denied, read_failed, write_failed
`

// The five commands that run the engine on a FILE.
var engineCommands = func() []string {
	var names []string
	for _, o := range engine.Operations() {
		names = append(names, o.Name)
	}
	return names
}()

// flagDoc describes one flag and the commands it belongs to ("" for all
// of engineCommands).
type flagDoc struct {
	cmds string
	text string
}

var flagDocs = []flagDoc{
	{"label", `  --rules FILE         label with this rule pack instead of the default one
                       (repeatable): seclabel format, LEAP-CDS / SHARES JSON,
                       or a FHIR ValueSet or Bundle of ValueSets
`},
	{"label", `  --pack NAME          add an embedded pack (repeatable): us-default, or
                       us-broad (content only a wider policy treats as
                       sensitive); without --rules, --pack us-broad labels
                       with us-default and us-broad. Combined packs take the
                       highest confidentiality any gives a sensitivity
`},
	{"", "--option"}, // the options, below
	{"redact", `  --clearance CODE     redact: the highest confidentiality the recipient may see (default N)
  --pou CODE           redact: the purpose of use (v3-ActReason), e.g. TREAT
  --deny CODES         redact: labels the recipient may not see, e.g. HIV,SUD
  --allow CODES        redact: release sensitive content only with these labels
  --compartments CODES redact: compartments the recipient belongs to
  --ignore CODES       redact: label systems, or system|code labels, the
                       recipient chooses to ignore; content carrying a label
                       the engine cannot read is otherwise withheld
                       --deny, --allow, --compartments and --ignore add up
                       when repeated, and each takes comma-separated values
  --context FILE       redact: the access context as JSON (the protocol's
                       "context"), instead of the flags above
  --audit              redact: also write a FHIR AuditEvent of the disclosure to stderr
`},
	{"", `  --pretty             indent the JSON output
`},
	{"label redact hwm marks", `  --response           write the whole protocol response, not just the result
`},
	{"validate", `  --outcome            validate: write a FHIR OperationOutcome
`},
	{"", `  --ndjson, --json     force the input format
  --engine NAME        native (default) or wasm: run through the WebAssembly
                       module in wazero, the same answers byte for byte; the
                       compiled module is cached in $SECLABEL_CACHE or the
                       user cache directory
  -o, --output FILE    write to FILE instead of standard output ("-" is
                       standard output)
  -h, --help           print this help
`},
}

// optionLines is the help of each engine option that applies to cmd
// (every one when cmd is ""), from the engine's own option table: name,
// what it does, its default.
func optionLines(cmd string) string {
	const width, indent = 78, 25
	var b strings.Builder
	for _, o := range engine.OptionList() {
		if cmd != "" && !slices.Contains(o.Ops, "all") && !slices.Contains(o.Ops, cmd) {
			continue
		}
		b.WriteString(strings.Repeat(" ", indent) + o.Name)
		if d := strings.Trim(o.Default, "`"); d != "false" && d != "none" && d != "[]" && d != "0" && d != "see below" {
			b.WriteString(" (default " + d + ")")
		}
		b.WriteString("\n")
		line := ""
		for _, w := range strings.Fields(strings.NewReplacer("`", "", `\|`, "|").Replace(o.Doc)) {
			if line != "" && indent+4+len(line)+1+len(w) > width {
				b.WriteString(strings.Repeat(" ", indent+4) + line + "\n")
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		b.WriteString(strings.Repeat(" ", indent+4) + line + "\n")
	}
	return b.String()
}

// appliesTo says whether a doc's command list holds cmd; "" is every
// engine command.
func appliesTo(cmds, cmd string) bool {
	return cmds == "" || slices.Contains(strings.Fields(cmds), cmd)
}

// writeFlags writes the flags of cmd, or of every command when cmd is "".
func writeFlags(b *strings.Builder, cmd string) {
	b.WriteString("Flags:\n")
	for _, f := range flagDocs {
		if cmd != "" && !appliesTo(f.cmds, cmd) {
			continue
		}
		if f.text != "--option" {
			if cmd != "" { // "redact: " says nothing in redact's own help
				b.WriteString(strings.ReplaceAll(f.text, cmd+": ", ""))
			} else {
				b.WriteString(f.text)
			}
			continue
		}
		b.WriteString("  --option NAME=VALUE  set an engine option (repeatable); list options take\n" +
			"                       comma-separated values and add up when repeated, any\n" +
			"                       other option takes its last value. Options")
		if cmd != "" {
			b.WriteString(" of " + cmd)
		}
		b.WriteString(":\n")
		b.WriteString(optionLines(cmd))
	}
}

// usage is the overview "seclabel help" prints.
var usage = func() string {
	var b strings.Builder
	head := overviewHead
	for _, cmd := range engineCommands {
		if _, ok := commandDocs[cmd]; !ok { // an operation the text above does not know yet
			line := fmt.Sprintf("  seclabel %-8s [flags] [FILE]   %s\n", cmd, summary(cmd))
			head = strings.Replace(head, "  seclabel serve ", line+"  seclabel serve ", 1)
		}
	}
	b.WriteString(head + fileDoc + "\n" + redactNDJSONDoc + "\n")
	writeFlags(&b, "")
	b.WriteString("\n" + exitDoc)
	return b.String()
}()

// summary is the engine's one line on operation cmd.
func summary(cmd string) string {
	for _, o := range engine.Operations() {
		if o.Name == cmd {
			return o.Summary
		}
	}
	return ""
}

// commandDocs are what each engine command's help says beyond its flags:
// what it does, reads and writes, and examples.
var commandDocs = map[string]struct{ about, examples string }{
	"label": {`Finds sensitive content with rule packs (the embedded US-realm pack
us-default unless --rules is given) and labels it: each resource it matches
gets meta.security labels (confidentiality, sensitivity, policy, refrain,
display marks), each with its basis and classifier, or inline labels on the
element a rule names. Reads a FHIR R4 resource, Bundle or NDJSON; writes
the labeled resource (input no rule matches comes back byte for byte), or
with --response the protocol response with the report of every match.
`, `  seclabel label --pretty condition.json
  seclabel label --option bundleHighWaterMark=true --option textMatch=true bundle.json > labeled.json
  seclabel label --rules my-pack.json --pack us-default export.ndjson > labeled.ndjson
`},
	"redact": {`Cuts a labeled resource or Bundle down to what one recipient may see, as
the access context (the flags below, or --context FILE) says: withheld
entries are removed, references to them masked, inline-labeled elements
the recipient may not see cut, and the Bundle's high-water mark
recomputed. Reads a FHIR R4 resource, Bundle or NDJSON; writes what is
released (null when the whole resource is withheld), or with --response
the protocol response with the report of what was withheld and why. Labels
the engine cannot read withhold what carries them, unless --ignore names
their system. The context file is the protocol's "context":
  {"clearance": "R", "purposeOfUse": "TREAT", "deny": ["HIV", "SUD"],
   "ignore": ["http://example.org/local-labels"]}
`, `  seclabel redact --clearance R --pou TREAT --deny HIV,SUD --audit labeled.json
  seclabel redact --response --context recipient.json labeled.json
  seclabel redact --clearance R --deny HIV labeled.ndjson > released.ndjson
`},
	"hwm": {`Computes the high-water mark of a resource or Bundle (a document or
message too) and writes it into its meta.security: the highest
confidentiality of what it holds, with the policy, obligation and refrain
labels that apply to all of it; sensitivity codes and labels that would
reveal private facts stay on the entries. Reads a FHIR R4 resource, Bundle
or NDJSON; writes it with its mark, or with --response the protocol
response with the report of what was lifted and left out.
`, `  seclabel hwm --pretty searchset.json
  seclabel hwm --option omitCodes=42CFRPart2 searchset.json
  seclabel hwm export.ndjson > marked.ndjson
`},
	"validate": {`Checks the security labels of a resource or Bundle, resource by resource
and element by element: codes and systems (misspellings, look-alikes,
retired codes), confidentiality, inline labels, Bundle marks. Reads a FHIR
R4 resource, Bundle or NDJSON; writes the protocol response with its
diagnostics (severity, stable code, location, message), or with --outcome
a FHIR OperationOutcome. The exit status is 1 when an error is found.
`, `  seclabel validate --pretty searchset.json
  seclabel validate --outcome patient.json
  cat export.ndjson | seclabel validate --ndjson
`},
	"marks": {`Lists what must be displayed with each resource, for a banner: the text of
its display annotations (extension-display on meta) and its mark labels
(the SecurityLabelMark and CUI codes). Reads a FHIR R4 resource, Bundle or
NDJSON and does not change it; writes a JSON array of {location, kind,
text, system, code}, or with --response the protocol response.
`, `  seclabel marks labeled.json
  seclabel label condition.json | seclabel marks --pretty
`},
}

// commandHelp is the help of one engine command.
func commandHelp(cmd string) string {
	d, ok := commandDocs[cmd]
	if !ok { // an operation without words of its own here yet
		d.about = "Runs the engine's " + cmd + " operation (" + summary(cmd) + "). Reads a FHIR R4\nresource, Bundle or NDJSON; writes the protocol response.\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: seclabel %s [flags] [FILE]\n\n%s\n%s", cmd, d.about, fileDoc)
	if cmd == "redact" {
		b.WriteString("\n" + redactNDJSONDoc)
	}
	b.WriteString("\n")
	writeFlags(&b, cmd)
	if d.examples != "" {
		b.WriteString("\nExamples:\n" + d.examples + "\n")
	} else {
		b.WriteString("\n")
	}
	if cmd == "validate" {
		b.WriteString(exitDoc)
	} else {
		b.WriteString(strings.Replace(exitDoc, "  1  validate found errors\n", "", 1))
	}
	return b.String()
}

const serveUsage = `Usage: seclabel serve [--addr host:port]
       seclabel serve --api [--addr host:port] [flags]

Serves the playground, one page where the engine runs in the browser as a
WebAssembly module: paste, drop or open a resource, Bundle or NDJSON file,
label it, validate it or preview a redaction. Nothing leaves the page.

With --api it serves the engine instead, as FHIR operations on
application/fhir+json (README.md, "HTTP API"): POST /$label, /$hwm,
/$redact, /$validate and /$marks take a resource, a Bundle or a Parameters;
POST /$sls-tag?mode=batch|full answers as the SHIFT SLS reference
implementation does, POST /fhir/sls/label and /fhir/sls/transaction as
LEAP SLS does; GET /metadata is the CapabilityStatement, GET /healthz says
it is up. Errors are OperationOutcomes carrying the engine's stable error
codes. Each request is logged on stderr: method, path, status, bytes and
duration, never content.

It prints the address it listens on and runs until stopped (Ctrl-C,
SIGTERM); then it stops taking connections and lets the requests in
flight finish (up to 30 s).

Flags:
  --addr host:port     where to listen (default localhost:8080; port 0
                       picks a free one)
  --api                serve the HTTP API, not the playground
  -h, --help           print this help

Flags of --api:
  --rules FILE         label with this rule pack instead of the default one
                       (repeatable), as seclabel label does
  --pack NAME          add an embedded pack (repeatable): us-default, us-broad
  --option NAME=VALUE  a default engine option (repeatable), as for the other
                       commands ("seclabel help" lists them); a request's own
                       options override it. maxInputBytes also bounds the
                       request body
  --engine NAME        native (default) or wasm: run through the WebAssembly
                       module, a pool of GOMAXPROCS instances
  --token-file FILE    require "Authorization: Bearer TOKEN", TOKEN the
                       file's content (white space around it ignored);
                       /healthz, /metadata and the OperationDefinitions stay
                       open
  --max-body BYTES     largest request body (default maxInputBytes, 64 MiB):
                       413 above it
  --max-concurrent N   operations running at once (default 2 x GOMAXPROCS);
                       a request waits up to 1 s for a free slot, then gets
                       503 with Retry-After
  --read-timeout D     to read a whole request (default 60s)
  --write-timeout D    to write a response (default 120s)
  --idle-timeout D     a kept-alive connection waiting (default 120s)
  --quiet              log no requests

Examples:
  seclabel serve --addr localhost:9000
  seclabel serve --api --addr localhost:8081 --option textMatch=all --token-file api-token

Exit status: 2 usage error, 3 a rule pack or an option was rejected, 4 the
address cannot be used or a file cannot be read; 0 once stopped.
`

const versionUsage = `Usage: seclabel version

Prints the versions of seclabel, of the protocol it speaks, of the security
label vocabulary it knows, and of Go. It reads nothing.

Example:
  seclabel version
`

// printHelp writes the help of a command (the overview for "" or "help")
// and returns the exit status: exitUsage for a command that does not exist.
func printHelp(cmd string, stdout, stderr io.Writer) int {
	switch {
	case cmd == "" || cmd == "help":
		fmt.Fprint(stdout, usage)
	case cmd == "serve":
		fmt.Fprint(stdout, serveUsage)
	case cmd == "rules":
		fmt.Fprint(stdout, rulesUsage)
	case cmd == "version":
		fmt.Fprint(stdout, versionUsage)
	case slices.Contains(engineCommands, cmd):
		fmt.Fprint(stdout, commandHelp(cmd))
	default:
		fmt.Fprintf(stderr, "seclabel: unknown command %q; run \"seclabel help\"\n", cmd)
		return exitUsage
	}
	return exitOK
}
