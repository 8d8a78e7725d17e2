package engine

import (
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// op identifies an operation inside the engine.
type op uint8

const (
	opHWM op = iota + 1
	opValidate
	opLabel
	opRedact
	opMarks
	opConfigure // sessions only; not an operation of the table
)

// operation is one protocol operation, described once: the engine runs
// it and writes its report from this table, and the protocol's error
// messages, Engine.Call and the CLI's commands list its names. A new
// operation is a line here, a file of its own with its run, write and read
// functions, and its reader's line in reportReaders (ops_read.go).
type operation struct {
	name    string
	op      op
	summary string // one line, for usage texts
	// run does the work on the resource at n (of type typ), filling res;
	// the error fails the call.
	run func(s *state, d *jsonx.Doc, n jsonx.Node, typ string, res *Result) error
	// write writes the report's members.
	write func(w *jsonx.Writer, r *Report)
}

var operations = []operation{
	{"label", opLabel, "find sensitive content and label it", runLabel, writeLabelReport},
	{"redact", opRedact, "cut a resource or Bundle down to what one recipient may see", runRedact, writeRedactReport},
	{"hwm", opHWM, "write the high-water mark into a resource or Bundle", runHWM, writeHWMReport},
	{"validate", opValidate, "check security labels", runValidate, writeValidateReport},
	{"marks", opMarks, "list what must be displayed with each resource", runMarks, writeMarksReport},
}

// reportReader reads an operation's report members back (ParseResponse).
type reportReader func(d *jsonx.Doc, rep jsonx.Node, r *Report)

// operationOf returns the operation o, or nil.
func operationOf(o op) *operation {
	for i := range operations {
		if operations[i].op == o {
			return &operations[i]
		}
	}
	return nil
}

// operationNamed returns the operation called name, or nil.
func operationNamed(name string) *operation {
	for i := range operations {
		if operations[i].name == name {
			return &operations[i]
		}
	}
	return nil
}

func (o op) String() string {
	if x := operationOf(o); x != nil {
		return x.name
	}
	if o == opConfigure {
		return "configure"
	}
	return "?"
}

// expectedOps is the list of ops for error messages: "label", ... or
// "marks", and configure for long-lived hosts.
func expectedOps() string {
	var b strings.Builder
	for i, x := range operations {
		switch {
		case i == len(operations)-1:
			b.WriteString(" or ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(quote(x.name))
	}
	b.WriteString(`; "configure" in long-lived hosts (a Session, the WebAssembly module)`)
	return b.String()
}

// call is Call (api.go).
func (e *Engine) call(ctx canceler, op string, resource []byte, recipient *AccessContext) (*Result, error) {
	x := operationNamed(op)
	if x == nil {
		return nil, errorf(ErrInvalidOption, "unknown op "+quote(op)+"; expected "+expectedOps())
	}
	var a *access
	if x.op == opRedact && recipient != nil {
		var err error
		if a, err = recipient.resolve(); err != nil {
			return nil, err
		}
	}
	return e.runWith(ctx, x.op, resource, &e.opts, a, nil)
}
