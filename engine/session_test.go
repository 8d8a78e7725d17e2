package engine

import (
	"context"
	"strings"
	"testing"
)

func TestSessionConfigure(t *testing.T) {
	ctx := context.Background()
	condition := `{"op":"label","resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}]},"subject":{"reference":"Patient/p"}}}`
	var s Session
	if resp := string(s.Do(ctx, []byte(condition))); strings.Contains(resp, `"HIV"`) {
		t.Fatalf("the default pack labeled code 1234: %s", resp)
	}
	pack := `{"name":"p","rules":[{"id":"r","labels":["HIV"],"codes":{"http://snomed.info/sct":["1234"]}}]}`
	if resp := string(s.Do(ctx, []byte(`{"op":"configure","rules":[`+pack+`]}`))); resp != configured {
		t.Fatalf("configure: %s", resp)
	}
	if resp := string(s.Do(ctx, []byte(condition))); !strings.Contains(resp, `"code":"HIV"`) {
		t.Fatalf("the configured pack did not label: %s", resp)
	}
	// A rejected configure keeps the engine in force.
	if resp := string(s.Do(ctx, []byte(`{"op":"configure","rules":[{"rules":[{"id":"x"}]}]}`))); !strings.Contains(resp, `"invalid_rules"`) {
		t.Fatalf("bad configure: %s", resp)
	}
	if resp := string(s.Do(ctx, []byte(condition))); !strings.Contains(resp, `"code":"HIV"`) {
		t.Fatalf("a failed configure replaced the engine: %s", resp)
	}
	e, _ := New(Options{})
	if resp := string(e.Do(ctx, []byte(`{"op":"configure"}`))); !strings.Contains(resp, `"invalid_option"`) {
		t.Fatalf("Engine.Do took a configure request: %s", resp)
	}
}

// Engine.Do's responses are the caller's: later calls do not touch them,
// although the state behind them is reused.
func TestDoResponseIsCallers(t *testing.T) {
	ctx := context.Background()
	e, _ := New(Options{})
	x := e.Do(ctx, []byte(`{"op":"hwm","resource":{"resourceType":"Patient","id":"a"}}`))
	keep := string(x)
	e.Do(ctx, []byte(`{"op":"hwm","resource":{"resourceType":"Patient","id":"b"}}`))
	if string(x) != keep {
		t.Fatal("Engine.Do reused a response it had returned")
	}
}
