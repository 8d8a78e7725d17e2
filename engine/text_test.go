package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// A text in which nothing was found is remembered for the calls after it,
// but what was left out only for a request's minConfidence is not: the
// next request, without it, finds the words.
func TestWordsQuietCacheFollowsOptions(t *testing.T) {
	e, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := `{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://example.org/local","code":"x","display":"Started naltrexone"}]}}`
	pattern := `{"name":"p","rules":[{"id":"p","labels":["SUD"],"text":[{"text":"start\\w* naltrexone","confidence":0.5}]}]}`
	for i, c := range []struct {
		opts string
		want bool
	}{{`{"minConfidence":0.9}`, false}, {`{}`, true}, {`{"minConfidence":0.9}`, false}, {`{}`, true}, {`{"textMatch":"off"}`, false}, {`{}`, true}} {
		for _, rules := range []string{"", `,"rules":[` + pattern + `]`} {
			out := string(e.Do(context.Background(), []byte(`{"op":"label","options":`+c.opts+rules+`,"resource":`+res+`}`)))
			if got := strings.Contains(out, `"code":"SUD"`); got != c.want {
				t.Errorf("call %d %s (pattern pack: %v): labeled SUD %v, want %v", i, c.opts, rules != "", got, c.want)
			}
		}
	}
}
