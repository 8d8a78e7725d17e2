package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/api"
	"github.com/seclabel/seclabel/web"
)

const defaultAddr = "localhost:8080"

// serve runs the playground, or with --api the HTTP API, until the
// process gets SIGINT or SIGTERM.
func serve(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveUntil(ctx, args, stdout, stderr)
}

// serveConfig is a parsed serve command line.
type serveConfig struct {
	api, quiet    bool
	addr          string
	tokenFile     string
	maxBody       int64
	maxConcurrent int
	timeouts      api.Timeouts
	cfg           config // --rules, --pack, --option, --engine
}

// serveFlags parses serve's flags; the API's own flags need --api.
func serveFlags(args []string) (*serveConfig, error) {
	sc := &serveConfig{addr: defaultAddr}
	var opts requestOptions
	apiOnly := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, inline := strings.Cut(a, "=")
		get := func() (string, error) {
			if inline {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		if a == "-h" || a == "--help" {
			return nil, errHelp
		}
		if a == "--api" {
			sc.api = true
			continue
		}
		if a == "--quiet" {
			sc.quiet, apiOnly = true, a
			continue
		}
		var v string
		var err error
		switch name {
		case "--addr", "--rules", "--pack", "--option", "--engine", "--token-file", "--max-body", "--max-concurrent",
			"--read-timeout", "--write-timeout", "--idle-timeout":
			if v, err = get(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unknown argument %q; usage: seclabel serve [--addr host:port] [--api [flags]]; run \"seclabel serve --help\"", a)
		}
		if name != "--addr" {
			apiOnly = name
		}
		switch name {
		case "--addr":
			sc.addr = v
		case "--rules":
			sc.cfg.packs = append(sc.cfg.packs, packSource{file: v})
		case "--pack":
			if _, ok := engine.EmbeddedPack(v); !ok {
				return nil, fmt.Errorf("--pack is us-default or us-broad, not %q", v)
			}
			sc.cfg.packs = append(sc.cfg.packs, packSource{embedded: v})
		case "--option":
			if err := addOption(&sc.cfg, &opts, v); err != nil {
				return nil, err
			}
		case "--engine":
			if v != "native" && v != "wasm" {
				return nil, fmt.Errorf("--engine is native or wasm, not %q", v)
			}
			sc.cfg.engine = v
		case "--token-file":
			sc.tokenFile = v
		case "--max-body", "--max-concurrent":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s takes a positive whole number, not %q", name, v)
			}
			if name == "--max-body" {
				sc.maxBody = n
			} else {
				sc.maxConcurrent = int(n)
			}
		default: // the timeouts
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%s takes a duration such as 30s, not %q", name, v)
			}
			*map[string]*time.Duration{"--read-timeout": &sc.timeouts.Read, "--write-timeout": &sc.timeouts.Write,
				"--idle-timeout": &sc.timeouts.Idle}[name] = d
		}
	}
	if apiOnly != "" && !sc.api {
		return nil, fmt.Errorf("%s belongs to serve --api", apiOnly)
	}
	sc.cfg.options = opts.object()
	return sc, nil
}

// serveUntil serves until ctx is done, then drains the requests in flight.
func serveUntil(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sc, err := serveFlags(args)
	if err == errHelp {
		return printHelp("serve", stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
		return exitUsage
	}
	var token []byte
	if sc.tokenFile != "" {
		b, ferr := readFile("--token-file", sc.tokenFile)
		if ferr != nil {
			return ferr.report(stderr)
		}
		if token = bytes.TrimSpace(b); len(token) == 0 {
			fmt.Fprintf(stderr, "seclabel serve: --token-file %s is empty\n", sc.tokenFile)
			return exitUsage
		}
	}
	what := "playground"
	h := web.Handler(host.Module())
	if sc.api {
		what = "FHIR API"
		backend, closer, code := apiBackend(ctx, sc, stderr)
		if code != exitOK {
			return code
		}
		defer closer()
		var log io.Writer
		if !sc.quiet {
			log = stderr
		}
		h = api.New(api.Config{Backend: backend, MaxBodyBytes: sc.maxBody, MaxConcurrent: sc.maxConcurrent,
			QueueWait: time.Second, Token: token, Log: log})
	}
	ln, err := net.Listen("tcp", sc.addr)
	if err != nil {
		fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
		return exitIO
	}
	shown := sc.addr // as the user wrote it (localhost), unless the port was chosen by the system
	if strings.HasSuffix(sc.addr, ":0") || strings.HasPrefix(sc.addr, ":") {
		shown = ln.Addr().String()
	}
	fmt.Fprintf(stdout, "seclabel %s on http://%s (Ctrl-C stops it)\n", what, shown)
	if err := api.Serve(ctx, ln, h, sc.timeouts); err != nil {
		fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
		return exitIO
	}
	return exitOK
}

// apiBackend builds the engine the API runs: native, or the module's pool
// with --engine wasm, configured with the rule packs and --option values
// as its defaults. The request size limit follows maxInputBytes unless
// --max-body is given.
func apiBackend(ctx context.Context, sc *serveConfig, stderr io.Writer) (engine.Backend, func(), int) {
	packs, code := loadPacks(&sc.cfg, stderr)
	if code != exitOK {
		return nil, nil, code
	}
	if sc.maxBody == 0 {
		sc.maxBody = 64 << 20
		if sc.cfg.engineOpts.MaxInputBytes > 0 {
			sc.maxBody = int64(sc.cfg.engineOpts.MaxInputBytes)
		}
	}
	req := configureRequest(packs, sc.cfg.options, sc.cfg.engineOpts)
	if sc.cfg.engine == "wasm" {
		h, err := host.New(ctx, host.Config{Configure: req, CompilationCacheDir: cacheDir()})
		if err != nil {
			fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
			return nil, nil, exitInput
		}
		return h, func() { h.Close(context.Background()) }, exitOK
	}
	resp, e := engine.Configure(req)
	if e == nil {
		fmt.Fprintf(stderr, "seclabel serve: %s\n", resp)
		return nil, nil, exitInput
	}
	return e, func() {}, exitOK
}
