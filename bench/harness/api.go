package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/api"
	"github.com/valyala/fastjson"
)

// apiClients is how many clients load the HTTP API at once, and how many
// goroutines the in-process engine it is compared to runs on.
const apiClients = 2

// apiPhases is how many timed phases of each kind alternate; the fastest
// of each counts.
const apiPhases = 5

// apiResult is the HTTP API (seclabel serve --api's handler) under load
// on loopback.
type apiResult struct {
	set               string        // the inputs of the throughput phase
	passes            int           // over every input of the set, per phase
	bytes             int64         // what one pass sends
	inProcess, server time.Duration // the best phase of each
	requests, errors  int           // the latency phase
	resources         int           // distinct resources it sends
	p50, p99          time.Duration
	wall              time.Duration
	rss               []int64 // resident memory after each tenth of the requests
}

func (a *apiResult) ratio() float64 { return a.inProcess.Seconds() / a.server.Seconds() }

func (a *apiResult) mbps(d time.Duration) float64 {
	return float64(a.bytes) * float64(a.passes) / 1e6 / d.Seconds()
}

// measureAPI labels the set's inputs through the API and in process, with
// apiClients each, for the same number of passes (phases alternate, the
// fastest of each kind counts); then sends requests single resources
// taken from them, for latency and memory.
func measureAPI(set *inputSet, requests int, pr *progress) (*apiResult, error) {
	e, err := engine.New(engine.Options{MaxInputBytes: nativeOptions.MaxInputBytes, OmitReport: true})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- api.Serve(ctx, ln, api.New(api.Config{Backend: e, MaxBodyBytes: 512 << 20}), api.Timeouts{})
	}()
	defer func() { stop(); <-served }()
	url := "http://" + ln.Addr().String()
	// Buffers of 64 KB, as a client sending whole Bundles would set.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: apiClients, DisableCompression: true,
		WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10}}

	r := &apiResult{set: set.name, bytes: set.bytes(), requests: requests}
	// About 0.15 GB a phase, five of each: long enough to time, often
	// enough that a busy spell of the shared machine misses one of them,
	// short enough for a section that runs in seconds.
	// Small inputs are bounded by requests instead: 4,000 a phase.
	r.passes = max(1, min(int(150e6/float64(r.bytes)), 4000/len(set.inputs)))
	inProcess := func(data []byte) error {
		_, err := e.Label(context.Background(), data)
		return err
	}
	overHTTP := func(data []byte) error { return post(client, url+"/$label", data) }
	phase := func(call func([]byte) error, passes int) (time.Duration, error) {
		var next atomic.Int64
		total := int64(passes * len(set.inputs))
		start := time.Now()
		err := parallel(apiClients, func() error {
			for i := next.Add(1) - 1; i < total; i = next.Add(1) - 1 {
				if err := call(set.inputs[i%int64(len(set.inputs))].data); err != nil {
					return err
				}
			}
			return nil
		})
		return time.Since(start), err
	}
	pr.step("HTTP API: %s through %d clients against the engine in process", set.name, apiClients)
	for _, call := range []func([]byte) error{inProcess, overHTTP} { // warm up
		if _, err := phase(call, 1); err != nil {
			return nil, err
		}
	}
	for i := 0; i < apiPhases; i++ {
		d, err := phase(inProcess, r.passes)
		if err != nil {
			return nil, err
		}
		if r.inProcess == 0 || d < r.inProcess {
			r.inProcess = d
		}
		if d, err = phase(overHTTP, r.passes); err != nil {
			return nil, err
		}
		if r.server == 0 || d < r.server {
			r.server = d
		}
	}

	pr.step("HTTP API: %s requests of single resources, %d clients", thousands(int64(requests)), apiClients)
	resources := singleResources(set)
	r.resources = len(resources)
	// What the throughput phase held is given back first, so the memory
	// measured is the small requests' own.
	debug.FreeOSMemory()
	// Then half as many requests again, unmeasured, so the heap has grown
	// to what these requests need: what the measured ones add is then a
	// leak, not the heap finding its size.
	var warm atomic.Int64
	if err := parallel(apiClients, func() error {
		for i := warm.Add(1) - 1; i < int64(requests/2); i = warm.Add(1) - 1 {
			if err := post(client, url+"/$label", resources[i%int64(len(resources))]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	lat := make([]time.Duration, requests)
	var next, errs atomic.Int64
	var rssMu sync.Mutex
	start := time.Now()
	perr := parallel(apiClients, func() error {
		for i := next.Add(1) - 1; i < int64(requests); i = next.Add(1) - 1 {
			t := time.Now()
			if err := post(client, url+"/$label", resources[i%int64(len(resources))]); err != nil {
				errs.Add(1)
			}
			lat[i] = time.Since(t)
			if (i+1)%int64(max(1, requests/10)) == 0 {
				rssMu.Lock()
				r.rss = append(r.rss, rssNow())
				rssMu.Unlock()
			}
		}
		return nil
	})
	r.wall = time.Since(start)
	if perr != nil {
		return nil, perr
	}
	r.errors = int(errs.Load())
	slices.Sort(lat)
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	return r, nil
}

// post sends one resource to the API; anything but 200 is an error.
func post(c *http.Client, url string, data []byte) error {
	resp, err := c.Post(url, "application/fhir+json", bytes.NewReader(data))
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// parallel runs f on n goroutines and returns the first error.
func parallel(n int, f func() error) error {
	errs := make(chan error, n)
	for range n {
		go func() { errs <- f() }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// singleResources are the entries of the set's Bundles, one resource
// each, as a FHIR API sends them one by one.
func singleResources(set *inputSet) [][]byte {
	var out [][]byte
	for _, in := range set.inputs {
		v, err := fastjson.ParseBytes(in.data)
		if err != nil {
			continue
		}
		for _, e := range v.GetArray("entry") {
			if res := e.Get("resource"); res != nil {
				out = append(out, res.MarshalTo(nil))
			}
		}
	}
	if len(out) == 0 {
		for _, in := range set.inputs {
			out = append(out, in.data)
		}
	}
	return out
}

// rssNow is this process's resident memory (VmRSS), 0 where it cannot be
// read.
func rssNow() int64 { return procStatus(os.Getpid(), "VmRSS:") }

// rssSpan is the resident memory after the first fifth of the requests
// (the first tenth still grows to the heap the requests need) and after
// all of them.
func (a *apiResult) rssSpan() (first, last int64, ok bool) {
	if len(a.rss) < 3 || a.rss[1] <= 0 {
		return 0, 0, false
	}
	return a.rss[1], a.rss[len(a.rss)-1], true
}

// apiSection is the report's section on the HTTP API.
func (rep *report) apiSection() string {
	a := rep.api
	if a == nil {
		return ""
	}
	var b bytes.Buffer
	b.WriteString("\n## HTTP API\n\n")
	fmt.Fprintf(&b, "`seclabel serve --api`'s handler (native engine) on loopback, %d clients with kept-alive connections, in this process, once the other sections' inputs are let go. "+
		"Throughput: `POST /$label` of every %s input, %d passes, against `engine.Label` in %d goroutines on the same inputs "+
		"(the report left out in both, as the API leaves it out unless asked); the fastest of %d alternating phases each. "+
		"Latency and memory: %s requests, each one resource of those inputs (%s distinct), answered in full, after %s unmeasured ones.\n\n",
		apiClients, a.set, a.passes, apiClients, apiPhases, thousands(int64(a.requests)), thousands(int64(a.resources)), thousands(int64(a.requests/2)))
	b.WriteString("| measure | figure |\n|---|---:|\n")
	fmt.Fprintf(&b, "| in process, MB/s | %.0f |\n| HTTP API, MB/s | %.0f (%.2f ×) |\n", a.mbps(a.inProcess), a.mbps(a.server), a.ratio())
	fmt.Fprintf(&b, "| single resources: requests/s | %s |\n| p50 | %s ms |\n| p99 | %s ms |\n| errors | %d of %s |\n",
		thousands(int64(float64(a.requests)/a.wall.Seconds())), ms(float64(a.p50.Microseconds())/1e3), ms(float64(a.p99.Microseconds())/1e3),
		a.errors, thousands(int64(a.requests)))
	if first, last, ok := a.rssSpan(); ok {
		var each []string
		for _, x := range a.rss {
			each = append(each, fmt.Sprintf("%.0f", float64(x)/(1<<20)))
		}
		fmt.Fprintf(&b, "| resident memory after each tenth of the requests, MiB | %s |\n", strings.Join(each, ", "))
		fmt.Fprintf(&b, "| resident memory: the last tenth's against the second's | %s against %s |\n", mib(last), mib(first))
	}
	return b.String()
}

// apiTargets are the targets on the HTTP API.
func (rep *report) apiTargets() []target {
	a := rep.api
	if a == nil {
		return nil
	}
	ts := []target{
		{fmt.Sprintf("HTTP API `label` with %d clients on loopback ≥ 0.7 × the in-process engine's throughput (%s)", apiClients, a.set),
			fmt.Sprintf("%.2f × (%.0f against %.0f MB/s)", a.ratio(), a.mbps(a.server), a.mbps(a.inProcess)), a.ratio() >= 0.7, true},
		{fmt.Sprintf("HTTP API: %s requests without an error", thousands(int64(a.requests))),
			fmt.Sprintf("%d errors", a.errors), a.errors == 0, true},
	}
	if first, last, ok := a.rssSpan(); ok {
		x := float64(last) / float64(first)
		ts = append(ts, target{fmt.Sprintf("HTTP API memory stays flat: resident memory after %s requests ≤ 1.25 × after the first fifth", thousands(int64(a.requests))),
			fmt.Sprintf("%.2f × (%s against %s)", x, mib(last), mib(first)), x <= 1.25, true})
	}
	return ts
}
