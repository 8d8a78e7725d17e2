package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// FuzzOperations sends any body, options and context to every endpoint:
// no panic, and every answer is one JSON object, an OperationOutcome
// whenever the status is not 200.
func FuzzOperations(f *testing.F) {
	for _, s := range []string{hivCondition, `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + hivCondition + `},{"name":"deny","valueCode":"HIV"}]}`,
		`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + hivCondition + `},{"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"B20"}]}}}]}`,
		`{"resourceType":"Parameters","parameter":[{"name":"resource"}]}`, `{"resourceType":"Parameters","parameter":{}}`, `{`, `[]`, `{"resourceType":"Parameters"}`} {
		f.Add(s, `{"clearance":"R"}`, `{}`, uint8(0))
	}
	e, err := engine.New(engine.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := New(Config{Backend: e})
	paths := []string{"/$label", "/$hwm", "/$redact", "/$validate", "/$marks", "/$sls-tag?mode=batch", "/$sls-tag?mode=full",
		"/fhir/sls/label", "/fhir/sls/transaction", "/$label?output=put&report=false", "/$redact?report=true"}
	f.Fuzz(func(t *testing.T, body, ctx, opts string, which uint8) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		if strings.HasPrefix(path, "/$redact") {
			req.Header.Set("X-Seclabel-Context", ctx)
		}
		req.Header.Set("X-Seclabel-Options", opts)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s: status %d, not a JSON object: %v\n%s", path, w.Code, err, w.Body.Bytes())
		}
		if w.Code != 200 && v["resourceType"] != "OperationOutcome" {
			t.Fatalf("%s: status %d without an OperationOutcome: %s", path, w.Code, w.Body.Bytes())
		}
	})
}
