package engine

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

// trickle is a writer that keeps what it is given, at most a few bytes a
// call, as a pipe may.
type trickle struct {
	b      []byte
	writes int
}

func (t *trickle) Write(p []byte) (int, error) {
	t.writes++
	t.b = append(t.b, p...)
	return len(p), nil
}

// streamed answers through DoTo, every resource sent after a NUL byte, so
// that label and hwm results are written in pieces.
type streamed struct{ e *Engine }

func (s streamed) Do(ctx context.Context, request []byte) []byte {
	var w trickle
	if err := s.e.DoTo(ctx, &w, golden.Split(request)); err != nil {
		panic(err) // trickle never fails
	}
	return w.b
}

// The golden corpus through DoTo: the same answers, the resources written
// in pieces.
func TestGoldenStreamed(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Run(t, "native", streamed{e})
}

// DoTo answers byte for byte as Do, split or not, and writes a large label
// result in more than one piece.
func TestDoToMatchesDo(t *testing.T) {
	ctx := context.Background()
	e, _ := New(Options{MaxInputBytes: 64 << 20})
	for _, c := range golden.All(t) {
		for _, req := range [][]byte{c.Request, golden.Split(c.Request)} {
			var w trickle
			if err := e.DoTo(ctx, &w, req); err != nil {
				t.Fatal(err)
			}
			if want := e.Do(ctx, req); !bytes.Equal(w.b, want) {
				t.Fatalf("%s: DoTo wrote\n%.400s\nDo answered\n%.400s", c.Note, w.b, want)
			}
		}
	}
	big := testenv.ManyConditions(20000)
	req := append([]byte(`{"op":"label","options":{"omitReport":true}}`+"\x00"), big...)
	var w trickle
	if err := e.DoTo(ctx, &w, req); err != nil {
		t.Fatal(err)
	}
	if want := e.Do(ctx, req); !bytes.Equal(w.b, want) {
		t.Fatal("DoTo and Do differ on a large Bundle")
	}
	if canStream && w.writes < 10 {
		t.Errorf("a %d-byte result came in %d writes; want it in pieces", len(w.b), w.writes)
	}
}

var errBroken = errors.New("broken pipe")

type broken struct{ after int }

func (b *broken) Write(p []byte) (int, error) {
	if b.after--; b.after < 0 {
		return 0, errBroken
	}
	return len(p), nil
}

// A writer's error comes back from DoTo.
func TestDoToReturnsTheWritersError(t *testing.T) {
	e, _ := New(Options{})
	req := append([]byte(`{"op":"label"}`+"\x00"), testenv.ManyConditions(5000)...)
	afters := []int{0, 1, 3}
	if !canStream { // the response goes in one write
		afters = afters[:1]
	}
	for _, after := range afters {
		if err := e.DoTo(context.Background(), &broken{after: after}, req); !errors.Is(err, errBroken) {
			t.Errorf("writer failing after %d writes: DoTo returned %v", after, err)
		}
	}
}

// omitReport leaves the labeled list out and changes nothing else.
func TestOmitReport(t *testing.T) {
	ctx := context.Background()
	in := testenv.ManyConditions(50)
	full, _ := New(Options{})
	lean, _ := New(Options{OmitReport: true})
	a, err := full.Label(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lean.Label(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Resource, b.Resource) {
		t.Error("omitReport changed the labeled resource")
	}
	if len(a.Report.Labeled) != 50 || b.Report.Labeled != nil {
		t.Errorf("labeled: %d without omitReport (want 50), %d with it (want none)", len(a.Report.Labeled), len(b.Report.Labeled))
	}
	deny := AccessContext{Clearance: "N", Deny: []string{"HIV"}}
	labeledDoc := []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Condition","id":"1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},{"resource":{"resourceType":"Observation","id":"2","focus":[{"reference":"urn:uuid:1"}]}}]}`)
	ra, err := full.Redact(ctx, labeledDoc, deny)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := lean.Redact(ctx, labeledDoc, deny)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ra.Resource, rb.Resource) || len(rb.Report.Withheld) != len(ra.Report.Withheld) || len(ra.Report.Withheld) == 0 {
		t.Errorf("omitReport changed redaction: %s\nagainst %s", rb.Resource, ra.Resource)
	}
	if len(ra.Report.Masked)+len(ra.Report.Removed) == 0 || rb.Report.Masked != nil || rb.Report.Removed != nil {
		t.Errorf("removed/masked: %v %v without omitReport, %v %v with it", ra.Report.Removed, ra.Report.Masked, rb.Report.Removed, rb.Report.Masked)
	}
}
