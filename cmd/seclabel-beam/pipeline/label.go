package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/seclabel/seclabel/engine"
)

func init() {
	register.DoFn5x1[context.Context, Line, func(string, []byte), func(string, Record), func(string, int64), error](&linksFn{})
	register.DoFn5x1[context.Context, string, func(*[]byte) bool, func(string, []byte), func([]byte), error](&roundFn{})
	register.DoFn4x1[context.Context, []byte, func(string, Record), func(string, int64), error](&labelFn{})
	register.Emitter2[string, []byte]()
	register.Emitter2[string, Record]()
	register.Emitter1[[]byte]()
	register.Iter1[[]byte]()
}

// Label labels every line with the engine. Labels follow the references
// of the propagate and inherit options from file to file as they follow
// them inside one Bundle: each resource says what it passes along its
// references (engine.Links); what it passes is grouped by the key of the
// resource it reaches (Type/id); each resource that received something new
// says again what it passes; and so on for as many rounds as a chain of
// references can be long (Config.Rounds), each round one group-by-key, the
// pipeline being a DAG. Then each resource is labeled with what reached it
// (engine.LabelLinked). A resource still receiving something new at the
// end, whose labels would reach others in another round, is reported as
// not_converged.
//
// It returns the records to write (KV<file name, Record>: <Type>.ndjson,
// and errors.ndjson for lines the engine rejected) and counts for the
// summary (KV<name, n>).
func Label(s beam.Scope, cfg Config, lines beam.PCollection) (records, counts beam.PCollection, err error) {
	s = s.Scope("Label")
	e, err := cfg.Engine()
	if err != nil {
		return records, counts, err
	}
	rounds := cfg.rounds(e)
	loop, rejected, read := beam.ParDo3(s, &linksFn{withEngine{Cfg: cfg}}, lines)
	var settled []beam.PCollection
	// A reference along an inherit element takes one more group-by-key
	// than the rounds: its first one brings the request to the referenced
	// resource, which answers in the next.
	for i := 1; i <= rounds; i++ {
		rs := s.Scope("Round" + strconv.Itoa(i))
		var done beam.PCollection
		loop, done = beam.ParDo2(rs, &roundFn{withEngine: withEngine{Cfg: cfg}, First: i == 1}, beam.GroupByKey(rs, loop))
		settled = append(settled, done)
	}
	fs := s.Scope("Final")
	_, done := beam.ParDo2(fs, &roundFn{withEngine: withEngine{Cfg: cfg}, Final: true}, beam.GroupByKey(fs, loop))
	settled = append(settled, done)
	labeled, count := beam.ParDo2(s, &labelFn{withEngine{Cfg: cfg}}, beam.Flatten(s, settled...))
	return beam.Flatten(s, rejected, labeled), beam.Flatten(s, read, count), nil
}

// node is one resource on its way through the rounds: where it came from,
// what reached it, and what it passes on.
type node struct {
	File      string
	Num       int64
	Key       string          // its Type/id, or a key of its own when it has no id
	In        []engine.Passed // what reached it, each once
	Give      []engine.Give   // what it passes along propagate elements
	Offer     *engine.Passed  // what it passes to those inheriting from it
	Heirs     []string        // the keys of those inheriting from it
	Inherits  bool            // it references resources along inherit elements
	Unsettled bool            // what it passes on still changed when the rounds ran out
	text      []byte          // the resource, carried after the JSON
}

// item is what the rounds group by key: a resource, something passed to
// it, or a request from a resource inheriting from it.
type item struct {
	Node   *node          `json:",omitempty"`
	Passed *engine.Passed `json:",omitempty"`
	Heir   string         `json:",omitempty"`
}

// encode writes an item as a byte saying whether it is a resource, the
// length of its JSON, the JSON, then the resource's own bytes, which stay
// as they were read. A round passes a resource that receives nothing on
// by its bytes, without reading them (most of them, after the first few
// rounds).
func (it *item) encode() []byte {
	meta, _ := json.Marshal(it)
	var text []byte
	kind := byte(0)
	if it.Node != nil {
		text, kind = it.Node.text, 1
	}
	b := binary.AppendUvarint(append(make([]byte, 0, 11+len(meta)+len(text)), kind), uint64(len(meta)))
	return append(append(b, meta...), text...)
}

func isNode(b []byte) bool { return len(b) > 0 && b[0] == 1 }

func decodeItem(b []byte) (*item, error) {
	if len(b) == 0 {
		return nil, errors.New("corrupt item")
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, errors.New("corrupt item")
	}
	it := &item{}
	if err := json.Unmarshal(b[k:k+int(n)], it); err != nil {
		return nil, err
	}
	if it.Node != nil {
		it.Node.text = b[k+int(n):]
	}
	return it, nil
}

func emitNode(emit func(string, []byte), n *node) {
	emit(n.Key, (&item{Node: n}).encode())
}

// linksFn reads each line's references: the first round's messages.
type linksFn struct{ withEngine }

func (f *linksFn) ProcessElement(ctx context.Context, l Line, loop func(string, []byte), rejected func(string, Record), count func(string, int64)) error {
	count("read", 1)
	lk, err := f.e.Links(ctx, l.Text, nil)
	if err != nil {
		rejected(failure(l, err))
		count("errors", 1)
		return nil
	}
	n := &node{File: l.File, Num: l.Num, Key: lk.Key, Give: lk.Give, Offer: lk.Offer, Inherits: len(lk.Inherits) > 0, text: l.Text}
	if n.Key == "" {
		// Nothing refers to it, but it may inherit: it needs an address
		// no reference can have.
		n.Key = "\x00" + l.File + ":" + strconv.FormatInt(l.Num, 10)
	}
	emitNode(loop, n)
	for _, g := range lk.Give {
		// Sent even when it passes nothing yet: the referenced resource
		// learns that it may receive more later.
		loop(g.To, (&item{Passed: &g.Passed}).encode())
	}
	for _, k := range lk.Inherits {
		loop(k, (&item{Heir: n.Key}).encode())
	}
	return nil
}

// roundFn is one round: every resource of a key takes what reached it and,
// when that is new, says again what it passes on. First, a resource that
// nothing references and that inherits from nothing can receive nothing
// more: it leaves the rounds. Final, every resource leaves.
type roundFn struct {
	withEngine
	First, Final bool
}

func (f *roundFn) ProcessElement(ctx context.Context, key string, items func(*[]byte) bool, loop func(string, []byte), settled func([]byte)) error {
	var raw [][]byte
	var b []byte
	quiet := true // only resources: nothing reached this key
	for items(&b) {
		raw = append(raw, b)
		quiet = quiet && isNode(b)
	}
	if quiet && !f.First {
		for _, b := range raw {
			if f.Final {
				settled(b)
			} else {
				loop(key, b)
			}
		}
		return nil
	}
	var nodes []*node
	var passed []engine.Passed
	var heirs []string
	referenced := false
	for _, b := range raw {
		it, err := decodeItem(b)
		if err != nil {
			return err
		}
		switch {
		case it.Node != nil:
			nodes = append(nodes, it.Node)
		case it.Passed != nil:
			referenced = true
			if len(it.Passed.Labels) > 0 || it.Passed.Confidentiality != "" {
				passed = append(passed, *it.Passed)
			}
		case it.Heir != "":
			heirs = append(heirs, it.Heir)
		}
	}
	for _, n := range nodes {
		if err := f.update(ctx, n, passed, heirs, loop); err != nil {
			return err
		}
		if f.Final || f.First && !referenced && !n.Inherits {
			settled((&item{Node: n}).encode())
		} else {
			emitNode(loop, n)
		}
	}
	return nil
}

// update adds what reached n and sends what changed of what it passes on.
func (f *roundFn) update(ctx context.Context, n *node, passed []engine.Passed, heirs []string, loop func(string, []byte)) error {
	var newHeirs []string
	for _, h := range heirs {
		if !slices.Contains(n.Heirs, h) {
			n.Heirs = append(n.Heirs, h)
			newHeirs = append(newHeirs, h)
		}
	}
	// Each new thing once, in one order whatever order the round
	// delivered them in.
	have := map[string]bool{}
	for _, p := range n.In {
		have[passedKey(p)] = true
	}
	var fresh []engine.Passed
	for _, p := range passed {
		if k := passedKey(p); !have[k] {
			have[k] = true
			fresh = append(fresh, p)
		}
	}
	slices.SortFunc(fresh, func(a, b engine.Passed) int { return bytes.Compare([]byte(passedKey(a)), []byte(passedKey(b))) })
	var sends []func()
	if len(fresh) > 0 {
		n.In = append(n.In, fresh...)
		lk, err := f.e.Links(ctx, n.text, n.In)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", n.File, n.Num, err)
		}
		for _, g := range lk.Give {
			if !slices.ContainsFunc(n.Give, func(o engine.Give) bool { return o.To == g.To && passedKey(o.Passed) == passedKey(g.Passed) }) {
				sends = append(sends, func() { loop(g.To, (&item{Passed: &g.Passed}).encode()) })
			}
		}
		if lk.Offer != nil && (n.Offer == nil || passedKey(*lk.Offer) != passedKey(*n.Offer)) {
			newHeirs = n.Heirs // every heir gets the new offer
		}
		n.Give, n.Offer = lk.Give, lk.Offer
	}
	if n.Offer != nil {
		for _, h := range newHeirs {
			sends = append(sends, func() { loop(h, (&item{Passed: n.Offer}).encode()) })
		}
	}
	if f.Final {
		n.Unsettled = len(sends) > 0 // what it would send now arrives nowhere
		return nil
	}
	for _, send := range sends {
		send()
	}
	return nil
}

// passedKey is a Passed's content as text, to compare and order by.
func passedKey(p engine.Passed) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// labelFn labels each resource with what reached it.
type labelFn struct{ withEngine }

func (f *labelFn) ProcessElement(ctx context.Context, b []byte, out func(string, Record), count func(string, int64)) error {
	it, err := decodeItem(b)
	if err != nil {
		return err
	}
	n := it.Node
	l := Line{File: n.File, Num: n.Num, Text: n.text}
	res, err := f.e.LabelLinked(ctx, n.text, n.In)
	if err != nil {
		out(failure(l, err))
		count("errors", 1)
		return nil
	}
	if n.Unsettled {
		out(failure(l, &engine.Error{Code: "not_converged", Message: "what it passes along its references still changed after the last round (raise --rounds): resources it references, or that inherit from it, may lack labels"}))
		count("notConverged", 1)
	}
	if !bytes.Equal(res.Resource, n.text) {
		count("labeled", 1)
	}
	return emitResource(res.Resource, l, out, count)
}

// emitResource writes a resource to its type's file and counts its labels.
func emitResource(res []byte, l Line, out func(string, Record), count func(string, int64)) error {
	var r struct {
		ResourceType string
		Meta         struct {
			Security []struct{ Code string }
		}
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return fmt.Errorf("%s line %d: the engine's output: %w", l.File, l.Num, err)
	}
	for _, c := range r.Meta.Security {
		count("label:"+c.Code, 1)
	}
	out(r.ResourceType+".ndjson", Record{File: l.File, Num: l.Num, JSON: res})
	return nil
}
