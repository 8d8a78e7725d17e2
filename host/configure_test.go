package host

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
)

const (
	label1234     = `{"op":"label","resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}]},"subject":{"reference":"Patient/p"}}}`
	configure1234 = `{"op":"configure","rules":[{"name":"p","rules":[{"id":"r","labels":["HIV"],"codes":{"http://snomed.info/sct":["1234"]}}]}],"options":{"classifier":"Pack 1234"}}`
)

// The module reuses its input buffer from call to call: every configure
// sequence must get, request by request, the answers of an engine.Session
// fed fresh copies.
func TestConfigureSequences(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Config{Instances: 1})
	for _, seq := range golden.Sequences(golden.All(t)) {
		t.Run(seq.Note, func(t *testing.T) {
			if resp := h.Do(ctx, []byte(golden.Reset)); string(resp) != configured {
				t.Fatalf("reset: %s", resp)
			}
			golden.CompareSequence(t, seq, new(engine.Session), h)
		})
	}
}

// newHost makes a Host that the test closes.
func newHost(t *testing.T, cfg Config) *Host {
	t.Helper()
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// eachInstance runs request in every instance of the pool, making the
// missing ones, and returns the answers.
func eachInstance(t *testing.T, h *Host, request string) []string {
	t.Helper()
	ctx := context.Background()
	slots := make([]*instance, cap(h.pool))
	for i := range slots {
		slots[i] = <-h.pool
	}
	defer func() {
		for _, in := range slots {
			h.pool <- in
		}
	}()
	var out []string
	for i := range slots {
		resp, err := h.run(ctx, &slots[i], []byte(request), nil)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		out = append(out, string(resp))
	}
	return out
}

// labels1234 fails unless every instance labels the Condition HIV with
// classifier, or, with classifier "", leaves it unlabeled.
func labels1234(t *testing.T, h *Host, classifier string) {
	t.Helper()
	for i, resp := range eachInstance(t, h, label1234) {
		labeled := strings.Contains(resp, `"code":"HIV"`) && strings.Contains(resp, `"display":"`+classifier+`"`)
		if classifier == "" && strings.Contains(resp, `"code":"HIV"`) || classifier != "" && !labeled {
			t.Fatalf("instance %d (want classifier %q): %.400s", i, classifier, resp)
		}
	}
}

// A configure request sent through Do reaches every instance of the pool,
// those running and those made later; a rejected one changes none.
func TestDoConfigureReachesEveryInstance(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Config{Instances: 3})
	labels1234(t, h, "") // makes all three instances, with the default pack
	if resp := h.Do(ctx, []byte(configure1234)); string(resp) != configured {
		t.Fatalf("configure: %s", resp)
	}
	labels1234(t, h, "Pack 1234")
	bad := `{"op":"configure","rules":[{"rules":[{"id":"x"}]}]}`
	if code := errorCode(h.Do(ctx, []byte(bad))); code != "invalid_rules" {
		t.Fatalf("a bad configure answered code %q", code)
	}
	labels1234(t, h, "Pack 1234")
	// An instance made now (the one in the first slot dropped) takes it too.
	in := <-h.pool
	in.mod.Close(ctx)
	h.pool <- nil
	labels1234(t, h, "Pack 1234")
	// A second configure replaces the first everywhere.
	if resp := h.Do(ctx, []byte(strings.Replace(configure1234, "Pack 1234", "Second", 1))); string(resp) != configured {
		t.Fatalf("configure: %s", resp)
	}
	labels1234(t, h, "Second")
	if resp := h.Do(ctx, []byte(golden.Reset)); string(resp) != configured {
		t.Fatalf("reset: %s", resp)
	}
	labels1234(t, h, "")
}

// Config.Configure is copied by New: instances made after the caller has
// reused its buffer get the request as it was.
func TestConfigConfigureCopied(t *testing.T) {
	buf := []byte(configure1234)
	h := newHost(t, Config{Instances: 2, Configure: buf})
	golden.Scribble(buf)
	labels1234(t, h, "Pack 1234") // the second instance is made now
}

// Do answers a configure request with the module's response, as
// engine.Session does, for every instance count.
func TestDoConfigureAnswers(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Config{Instances: 2})
	var s engine.Session
	for _, req := range []string{configure1234, `{"op":"configure","options":{"maxDepth":5000}}`, `{"op":"configure","extra":1}`, `{"op":"configure"}` + "\x00{}"} {
		if want, got := s.Do(ctx, []byte(req)), h.Do(ctx, []byte(req)); !bytes.Equal(want, got) {
			t.Fatalf("%s:\nnative: %s\n  wasm: %s", req, want, got)
		}
	}
}

// Configure requests racing with other calls and with each other (run with
// -race): each answer is one of the configurations, and the last configure
// is what every instance answers with afterwards.
func TestDoConfigureConcurrent(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Config{Instances: 3})
	done := make(chan error)
	for g := 0; g < 6; g++ {
		go func(g int) {
			for k := 0; k < 20; k++ {
				req := label1234
				if g%2 == 0 && k%4 == 0 {
					req = strings.Replace(configure1234, "Pack 1234", "Racer", 1)
				}
				if code := errorCode(h.Do(ctx, []byte(req))); code != "" {
					done <- fmt.Errorf("goroutine %d, call %d: error %s", g, k, code)
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 6; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	labels1234(t, h, "Racer")
	if resp := h.Do(ctx, []byte(configure1234)); string(resp) != configured {
		t.Fatalf("configure: %s", resp)
	}
	labels1234(t, h, "Pack 1234")
}
