package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/web"
)

const defaultAddr = "localhost:8080"

// serve runs the playground until the process is stopped.
func serve(args []string, stdout, stderr io.Writer) int {
	addr := defaultAddr
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-h" || a == "--help":
			return printHelp("serve", stdout, stderr)
		case a == "--addr" && i+1 < len(args):
			addr = args[i+1]
			i++
		case strings.HasPrefix(a, "--addr="):
			addr = strings.TrimPrefix(a, "--addr=")
		default:
			fmt.Fprintf(stderr, "seclabel serve: unknown argument %q; usage: seclabel serve [--addr host:port]\n", a)
			return exitUsage
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
		return exitIO
	}
	shown := addr // as the user wrote it (localhost), unless the port was chosen by the system
	if strings.HasSuffix(addr, ":0") || strings.HasPrefix(addr, ":") {
		shown = ln.Addr().String()
	}
	fmt.Fprintf(stdout, "seclabel playground on http://%s (Ctrl-C stops it)\n", shown)
	srv := &http.Server{Handler: web.Handler(host.Module()), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintf(stderr, "seclabel serve: %v\n", err)
		return exitIO
	}
	return exitOK
}
