// Command seclabel computes high-water marks and validates DS4P security
// labels on FHIR R4 JSON. Run "seclabel help" for usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // validate found errors
	exitUsage    = 2
	exitInput    = 3 // the input or an option was rejected (the error code is printed)
	exitIO       = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// config is a parsed command line.
type config struct {
	cmd              string
	file, output     string
	pretty, response bool
	outcome          bool
	format           string       // "", "json" or "ndjson"
	options          []byte       // the request's options object
	packs            []packSource // --rules and --pack, in order
	engine           string       // "native" or "wasm"
	context          []byte       // redact: the access context object
	audit            bool
	discard          bool   // NDJSON redaction's first pass: read the responses, write nothing
	inName, outName  string // for messages: "input file x.json", "standard output", ...
	engineOpts       engine.Options
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help":
		if len(args) > 1 {
			return printHelp(args[1], stdout, stderr)
		}
		return printHelp("", stdout, stderr)
	case "-h", "--help":
		return printHelp("", stdout, stderr)
	case "version", "--version":
		if len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
			return printHelp("version", stdout, stderr)
		}
		fmt.Fprintf(stdout, "seclabel %s (protocol %d, vocabulary %s, %s)\n",
			engine.Version, engine.ProtocolVersion, engine.VocabularyVersion, runtime.Version())
		return exitOK
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "rules":
		return rulesCmd(args[1:], stdout, stderr)
	default:
		if !slices.Contains(engineCommands, args[0]) {
			fmt.Fprintf(stderr, "seclabel: unknown command %q; run \"seclabel help\"\n", args[0])
			return exitUsage
		}
	}
	cfg, err := parseFlags(args[0], args[1:])
	if errors.Is(err, errHelp) {
		return printHelp(args[0], stdout, stderr)
	}
	var ferr *fileError
	var rej *rejected
	switch {
	case errors.As(err, &ferr):
		return ferr.report(stderr)
	case errors.As(err, &rej):
		fmt.Fprintf(stderr, "seclabel: %v\n", rej)
		return exitInput
	}
	if err != nil {
		fmt.Fprintf(stderr, "seclabel %s: %v\n", args[0], err)
		return exitUsage
	}
	packs, code := loadPacks(cfg, stderr)
	if code != exitOK {
		return code
	}
	eng, err := engine.New(cfg.engineOpts)
	if err != nil {
		fmt.Fprintf(stderr, "seclabel: %v\n", err)
		return exitInput
	}
	if cfg.engine == "wasm" {
		ctx := context.Background()
		h, err := newWasm(ctx, packs, cfg.engineOpts)
		if err != nil {
			fmt.Fprintf(stderr, "seclabel: wasm engine: %v\n", err)
			return exitInput
		}
		defer h.Close(ctx)
		return execute(ctx, cfg, h, stdin, stdout, stderr)
	}
	return execute(context.Background(), cfg, eng, stdin, stdout, stderr)
}

var errHelp = errors.New("help requested")

// rejected is input the command line rejects before the engine sees it,
// with the engine's error code for it.
type rejected struct{ code, msg string }

func (e *rejected) Error() string { return e.code + ": " + e.msg }

// checkJSON rejects an access context file that is not one JSON value
// (it travels inside the request, where the engine could not say where in
// the file the problem is).
func checkJSON(b []byte, what string) error {
	var d jsonx.Doc
	var se *jsonx.SyntaxError
	if err := d.Parse(b, 1000); errors.As(err, &se) {
		line, col := position(b, se.Offset)
		return &rejected{code: "invalid_context", msg: fmt.Sprintf("%s: malformed JSON at line %d, column %d: %s", what, line, col, se.Msg)}
	} else if err != nil {
		return &rejected{code: "invalid_context", msg: what + ": " + err.Error()}
	}
	return nil
}

// packSource is a rule pack the command line names: a file (--rules) or an
// embedded pack (--pack).
type packSource struct {
	file, embedded string
}

// loadPacks reads and compiles the packs of --rules and --pack into
// cfg.engineOpts.Rules, printing their warnings, and returns their JSON for
// the WebAssembly engine; nil when the default pack alone applies. --rules
// replaces the default pack; --pack adds an embedded one, to the default
// unless --rules is given: --pack us-broad alone is us-default and
// us-broad.
func loadPacks(cfg *config, stderr io.Writer) ([][]byte, int) {
	files, hasDefault := false, false
	for _, p := range cfg.packs {
		files = files || p.file != ""
		hasDefault = hasDefault || p.embedded == "us-default"
	}
	srcs := cfg.packs
	if !files && !hasDefault {
		srcs = append([]packSource{{embedded: "us-default"}}, srcs...)
	}
	if len(srcs) == 1 && srcs[0].embedded == "us-default" {
		return nil, exitOK // the engine's own default
	}
	var named []engine.Pack
	var packs [][]byte
	for _, p := range srcs {
		var b []byte
		if p.file != "" {
			var ferr *fileError
			if b, ferr = readFile("--rules", p.file); ferr != nil {
				return nil, ferr.report(stderr)
			}
			named = append(named, engine.Pack{Name: p.file, JSON: b})
		} else {
			b, _ = engine.EmbeddedPack(p.embedded) // checked by parseFlags
			named = append(named, engine.Pack{Name: p.embedded, JSON: b})
		}
		packs = append(packs, b)
	}
	r, err := engine.CompilePacks(named...)
	if err != nil {
		fmt.Fprintf(stderr, "seclabel: %v\n", err)
		return nil, exitInput
	}
	for _, w := range r.Warnings() {
		fmt.Fprintf(stderr, "seclabel: warning: %s\n", w)
	}
	cfg.engineOpts.Rules = r
	return packs, exitOK
}

// optionKind says how an option's value is written in a request (the
// engine's option table), or "" for none of that name.
func optionKind(name string) string {
	for _, o := range engine.OptionList() {
		if o.Name == name {
			return o.Kind
		}
	}
	return ""
}

func parseFlags(cmd string, args []string) (*config, error) {
	cfg := &config{cmd: cmd}
	var opts requestOptions
	ctxFlags := map[string][]string{} // each use of a flag, in order
	var ctxFile []byte
	value := func(i *int, name string) (string, error) {
		if *i+1 >= len(args) {
			return "", fmt.Errorf("%s needs a value", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, inline, hasInline := strings.Cut(a, "=")
		get := func() (string, error) {
			if hasInline {
				return inline, nil
			}
			return value(&i, name)
		}
		switch {
		case a == "-h" || a == "--help":
			return nil, errHelp
		case name == "--option" || name == "-option":
			v, err := get()
			if err != nil {
				return nil, err
			}
			if err := addOption(cfg, &opts, v); err != nil {
				return nil, err
			}
		case name == "--engine":
			v, err := get()
			if err != nil {
				return nil, err
			}
			if v != "native" && v != "wasm" {
				return nil, fmt.Errorf("--engine is native or wasm, not %q", v)
			}
			cfg.engine = v
		case name == "--rules":
			v, err := get()
			if err != nil {
				return nil, err
			}
			cfg.packs = append(cfg.packs, packSource{file: v})
		case name == "--pack":
			v, err := get()
			if err != nil {
				return nil, err
			}
			if _, ok := engine.EmbeddedPack(v); !ok {
				return nil, fmt.Errorf("--pack is us-default or us-broad, not %q", v)
			}
			cfg.packs = append(cfg.packs, packSource{embedded: v})
		case name == "--clearance" || name == "--pou" || name == "--deny" || name == "--allow" || name == "--compartments" || name == "--ignore" || name == "--context":
			if cmd != "redact" {
				return nil, fmt.Errorf("%s belongs to redact", name)
			}
			v, err := get()
			if err != nil {
				return nil, err
			}
			if name == "--context" {
				b, ferr := readFile("--context", v)
				if ferr != nil {
					return nil, ferr
				}
				if err := checkJSON(b, "--context file "+v); err != nil {
					return nil, err
				}
				ctxFile = b
				continue
			}
			ctxFlags[name] = append(ctxFlags[name], v)
		case a == "--audit":
			if cmd != "redact" {
				return nil, fmt.Errorf("--audit belongs to redact")
			}
			cfg.audit = true
		case a == "--pretty":
			cfg.pretty = true
		case a == "--response":
			cfg.response = true
		case a == "--outcome":
			if cmd != "validate" {
				return nil, fmt.Errorf("--outcome belongs to validate")
			}
			cfg.outcome = true
		case a == "--ndjson":
			cfg.format = "ndjson"
		case a == "--json":
			cfg.format = "json"
		case name == "-o" || name == "--output":
			v, err := get()
			if err != nil {
				return nil, err
			}
			cfg.output = v
		case a == "-" || !strings.HasPrefix(a, "-"):
			if cfg.file != "" {
				return nil, fmt.Errorf("one input file at a time (got %q and %q)", cfg.file, a)
			}
			cfg.file = a
		default:
			return nil, fmt.Errorf("unknown flag %s; run \"seclabel help\"", a)
		}
	}
	yes := func(w *jsonx.Writer) { w.Bool(true) }
	if cfg.outcome {
		opts.set("operationOutcome", yes)
	}
	if !cfg.response && !opts.has("omitReport") && (cmd == "label" || cmd == "redact") {
		// Only --response prints the report; its longest lists would cost
		// memory in proportion to the input for nothing.
		opts.set("omitReport", yes)
	}
	if cfg.audit {
		opts.set("audit", yes)
		if !opts.has("auditTime") { // one given with --option is kept
			now := time.Now().UTC().Format(time.RFC3339)
			opts.set("auditTime", func(w *jsonx.Writer) { w.String(now) })
		}
	}
	cfg.options = opts.object()
	if cmd == "redact" {
		if ctxFile != nil && len(ctxFlags) > 0 {
			return nil, fmt.Errorf("give the access context as --context FILE or as flags, not both")
		}
		cfg.context = ctxFile
		if ctxFile == nil {
			var c jsonx.Writer
			c.BeginObject()
			for _, f := range []struct{ flag, key string }{{"--clearance", "clearance"}, {"--pou", "purposeOfUse"}} {
				if vs, ok := ctxFlags[f.flag]; ok {
					c.KV(f.key, vs[len(vs)-1]) // the last one counts
				}
			}
			// List flags add up: --deny HIV --deny SUD is --deny HIV,SUD.
			for _, f := range []struct{ flag, key string }{{"--deny", "deny"}, {"--allow", "allow"}, {"--compartments", "compartments"}, {"--ignore", "ignore"}} {
				if vs, ok := ctxFlags[f.flag]; ok {
					c.Key(f.key)
					c.BeginArray()
					for _, v := range vs {
						for _, it := range strings.Split(v, ",") {
							if it = strings.TrimSpace(it); it != "" {
								c.String(it)
							}
						}
					}
					c.EndArray()
				}
			}
			c.EndObject()
			cfg.context = c.B
		}
	}
	return cfg, nil
}

func addOption(cfg *config, o *requestOptions, kv string) error {
	name, val, ok := strings.Cut(kv, "=")
	if !ok || name == "" {
		return fmt.Errorf("--option takes NAME=VALUE, got %q", kv)
	}
	switch optionKind(name) {
	case "string", "classifier":
		o.set(name, func(w *jsonx.Writer) { w.String(val) })
	case "list":
		var items []string
		for _, it := range strings.Split(val, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		o.add(name, items...)
	case "mode":
		o.set(name, func(w *jsonx.Writer) {
			if b, err := strconv.ParseBool(val); err == nil {
				w.Bool(b)
			} else {
				w.String(val)
			}
		})
	case "boolean":
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("option %s takes true or false", name)
		}
		o.set(name, func(w *jsonx.Writer) { w.Bool(b) })
	case "number":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("option %s takes a number", name)
		}
		o.set(name, func(w *jsonx.Writer) { w.Raw([]byte(strconv.FormatFloat(f, 'g', -1, 64))) })
	case "limit":
		// Limits belong to the engine, so the command line can raise them.
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return fmt.Errorf("option %s takes a positive whole number", name)
		}
		if name == "maxDepth" {
			cfg.engineOpts.MaxDepth = n
		} else {
			cfg.engineOpts.MaxInputBytes = n
		}
	default:
		return fmt.Errorf("unknown option %q; run \"seclabel help\" for the list", name)
	}
	return nil
}
