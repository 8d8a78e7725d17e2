package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The words corpus (testdata/words/corpus.json) is short texts, each with
// the categories its meaning carries. Each becomes a golden label case,
// testdata/cases/label/words-ID.json, with the text in the element the
// corpus names; the golden runner fills in what the engine answers
// (SECLABEL_UPDATE_GOLDEN=1), and TestWordsCases holds each answer to the
// corpus: its sensitivity labels are exactly the categories wanted.

const (
	wordsCorpus = "testdata/words/corpus.json"
	casesDir    = "testdata/cases/label"
)

// wordsCase is one text of the corpus.
type wordsCase struct {
	ID      string   `json:"id"`
	Element string   `json:"element"`
	Text    string   `json:"text"`
	Want    []string `json:"want"`
	Why     string   `json:"why"`
}

func readCorpus(root string) ([]wordsCase, error) {
	b, err := os.ReadFile(filepath.Join(root, wordsCorpus))
	if err != nil {
		return nil, err
	}
	var cs []wordsCase
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("%s: %v", wordsCorpus, err)
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] || c.ID == "" {
			return nil, fmt.Errorf("%s: id %q is empty or repeated", wordsCorpus, c.ID)
		}
		seen[c.ID] = true
		for _, w := range c.Want {
			if !isCategory(w) {
				return nil, fmt.Errorf("%s: %s: %q is not a category", wordsCorpus, c.ID, w)
			}
		}
		if _, err := wordsResource(c); err != nil {
			return nil, fmt.Errorf("%s: %s: %v", wordsCorpus, c.ID, err)
		}
	}
	return cs, nil
}

// wordsResource puts a text where the corpus says it sits.
func wordsResource(c wordsCase) (map[string]any, error) {
	t := c.Text
	local := func(display string) map[string]any {
		return map[string]any{"coding": []any{map[string]any{"system": "http://example.org/local-codes", "code": "c1", "display": display}}}
	}
	attach := func(ct string) map[string]any {
		return map[string]any{"resourceType": "DocumentReference", "id": "w", "status": "current",
			"content": []any{map[string]any{"attachment": map[string]any{"contentType": ct, "data": base64.StdEncoding.EncodeToString([]byte(t))}}}}
	}
	switch c.Element {
	case "display":
		return map[string]any{"resourceType": "Observation", "id": "w", "status": "final", "code": local(t)}, nil
	case "concept-text":
		return map[string]any{"resourceType": "Condition", "id": "w", "code": map[string]any{"text": t}}, nil
	case "note":
		return map[string]any{"resourceType": "Condition", "id": "w", "note": []any{map[string]any{"text": t}}}, nil
	case "valueString":
		return map[string]any{"resourceType": "Observation", "id": "w", "status": "final", "code": map[string]any{"text": "Comment"}, "valueString": t}, nil
	case "conclusion":
		return map[string]any{"resourceType": "DiagnosticReport", "id": "w", "status": "final", "code": map[string]any{"text": "Report"}, "conclusion": t}, nil
	case "narrative":
		return map[string]any{"resourceType": "Condition", "id": "w",
			"text": map[string]any{"status": "generated", "div": `<div xmlns="http://www.w3.org/1999/xhtml">` + t + `</div>`}}, nil
	case "attachment-plain":
		return attach("text/plain; charset=utf-8"), nil
	case "attachment-html":
		return attach("text/html"), nil
	case "attachment-markdown":
		return attach("text/markdown"), nil
	case "qr-answer":
		return map[string]any{"resourceType": "QuestionnaireResponse", "id": "w", "status": "completed",
			"item": []any{map[string]any{"linkId": "1", "text": "Anything else we should know?", "answer": []any{map[string]any{"valueString": t}}}}}, nil
	case "dosage":
		return map[string]any{"resourceType": "MedicationStatement", "id": "w", "status": "active",
			"medicationCodeableConcept": map[string]any{"text": "medication"}, "subject": map[string]any{"reference": "Patient/p"}, "dosage": []any{map[string]any{"text": t}}}, nil
	case "careplan-description":
		return map[string]any{"resourceType": "CarePlan", "id": "w", "status": "active", "intent": "plan", "subject": map[string]any{"reference": "Patient/p"}, "description": t}, nil
	case "communication":
		return map[string]any{"resourceType": "Communication", "id": "w", "status": "completed", "payload": []any{map[string]any{"contentString": t}}}, nil
	}
	return nil, fmt.Errorf("unknown element %q", c.Element)
}

// wordsRequest is the golden case's request for a corpus text: the
// narrative is read only with textMatch "all".
func wordsRequest(c wordsCase) map[string]any {
	res, _ := wordsResource(c)
	req := map[string]any{"op": "label", "resource": res}
	if c.Element == "narrative" {
		req["options"] = map[string]any{"textMatch": "all"}
	}
	return req
}

func wordsCaseFile(root string, c wordsCase) string {
	return filepath.Join(root, casesDir, "words-"+c.ID+".json")
}

// writeWordsCases writes a golden case per corpus text whose request is new
// or changed (want left for the golden runner to fill), and removes the
// cases of texts no longer in the corpus.
func writeWordsCases(root string) error {
	cs, err := readCorpus(root)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, c := range cs {
		file := wordsCaseFile(root, c)
		keep[filepath.Base(file)] = true
		req := wordsRequest(c)
		var old struct {
			Request json.RawMessage `json:"request"`
			Want    json.RawMessage `json:"want"`
		}
		if b, err := os.ReadFile(file); err == nil && json.Unmarshal(b, &old) == nil && sameJSON(old.Request, req) {
			continue
		}
		comment := c.Why
		if len(c.Want) > 0 {
			comment += " Labels: " + strings.Join(c.Want, ", ") + "."
		} else {
			comment += " No label."
		}
		out, err := json.MarshalIndent(map[string]any{"note": "label/words-" + c.ID, "comment": comment, "request": req, "want": map[string]any{}}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(file, append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	old, _ := filepath.Glob(filepath.Join(root, casesDir, "words-*.json"))
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func sameJSON(raw json.RawMessage, v any) bool {
	var a, b any
	bv, _ := json.Marshal(v)
	if json.Unmarshal(raw, &a) != nil || json.Unmarshal(bv, &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// caseCategories reads the categories of a golden label case's answer: the
// sensitivity labels of its resource's meta.security and inline labels.
func caseCategories(b []byte) ([]string, error) {
	var c struct {
		Want struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"want"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	var res any
	if err := json.Unmarshal(c.Want.Resource, &res); err != nil {
		return nil, fmt.Errorf("the case has no answer yet (run the golden tests with SECLABEL_UPDATE_GOLDEN=1)")
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if code, ok := x["code"].(string); ok {
				if cat := labelCategory[code]; cat != "" && !slices.Contains(out, cat) {
					if sys, _ := x["system"].(string); strings.HasSuffix(sys, "/v3-ActCode") {
						out = append(out, cat)
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	if m, ok := res.(map[string]any); ok {
		walk(m["meta"])
		delete(m, "meta")
		// inline labels: extension-inline-sec-label valueCodings
		var inline func(v any)
		inline = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if u, _ := x["url"].(string); strings.HasSuffix(u, "extension-inline-sec-label") {
					walk(x["valueCoding"])
				}
				for _, y := range x {
					inline(y)
				}
			case []any:
				for _, y := range x {
					inline(y)
				}
			}
		}
		inline(m)
	}
	slices.Sort(out)
	return out, nil
}
