// Package pipeline labels and redacts FHIR bulk exports (NDJSON, one file
// per resource type) on Apache Beam with the seclabel engine. Labels that
// follow references (the engine's propagate and inherit options) reach
// resources in other files through rounds of group-by-key, and a redaction
// masks references to withheld resources in every file through a side
// input of what was withheld.
package pipeline

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/seclabel/seclabel/engine"
)

// Config is what every worker needs to build its engine: it travels with
// the DoFns (serialized as JSON by Beam), so it holds text, not compiled
// rules.
type Config struct {
	// Options is the engine's options as a JSON object (the protocol's
	// "options"), or "" for the defaults.
	Options string
	// Rules are the rule packs: each an embedded pack's name ("us-default",
	// "us-broad") or a pack's JSON text; none means the default pack.
	Rules []string
	// Context is the recipient's access context as JSON (the protocol's
	// "context"), for redaction.
	Context string
	// Rounds bounds how many references in a row labels follow (propagate
	// and inherit) across files: 0 takes one per reference element the
	// options list, since a chain of distinct elements is no longer.
	Rounds int
	// AuditTime is the recorded time of the redaction's AuditEvent.
	AuditTime string
}

// configureRequest is the engine's configure request for c.
func (c Config) configureRequest() ([]byte, error) {
	req := map[string]any{"op": "configure"}
	if strings.TrimSpace(c.Options) != "" {
		req["options"] = json.RawMessage(c.Options)
	}
	if len(c.Rules) > 0 {
		req["rules"] = c.Rules
	}
	return json.Marshal(req)
}

// Engine builds the engine c describes; the error carries the engine's
// code (invalid_option, invalid_rules, ...).
func (c Config) Engine() (*engine.Engine, error) {
	req, err := c.configureRequest()
	if err != nil {
		return nil, &engine.Error{Code: engine.ErrInvalidOption, Message: "options: " + err.Error()}
	}
	resp, e := engine.Configure(req)
	if e != nil {
		return e, nil
	}
	var r struct {
		Error *engine.Error `json:"error"`
	}
	if json.Unmarshal(resp, &r) == nil && r.Error != nil {
		return nil, r.Error
	}
	return nil, errors.New("configure failed: " + string(resp))
}

// Check builds the engine once and checks the access context, so that a
// bad configuration fails before the pipeline runs.
func (c Config) Check(redact bool) error {
	e, err := c.Engine()
	if err != nil {
		return err
	}
	if redact {
		_, err = redactOne(e, c.Context, []byte(`{"resourceType":"Basic","id":"check","code":{"text":"check"}}`))
	}
	return err
}

// rounds is how many references in a row labels may follow.
func (c Config) rounds(e *engine.Engine) int {
	if c.Rounds > 0 {
		return c.Rounds
	}
	o := e.Options()
	n := len(o.Propagate) + len(o.Inherit)
	if o.Inherit == nil {
		n += len(engine.DefaultInherit())
	}
	return max(n, 1)
}

// engines keeps one engine per configuration in a worker process: DoFns of
// every stage share it (an Engine is safe for concurrent use).
var engines sync.Map // configuration JSON -> *engine.Engine

// withEngine is what every DoFn that runs the engine holds: the
// configuration, sent to the workers, and the engine Setup gets for it.
type withEngine struct {
	Cfg Config
	e   *engine.Engine
}

// Setup gets the worker's engine for the configuration.
func (w *withEngine) Setup() (err error) {
	w.e, err = engineFor(w.Cfg)
	return err
}

func engineFor(c Config) (*engine.Engine, error) {
	key, _ := json.Marshal(c)
	if e, ok := engines.Load(string(key)); ok {
		return e.(*engine.Engine), nil
	}
	e, err := c.Engine()
	if err != nil {
		return nil, err
	}
	engines.Store(string(key), e)
	return e, nil
}
