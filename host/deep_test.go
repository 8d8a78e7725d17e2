package host_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
)

// entryResource is the i-th resource of a generated Bundle: sensitive and
// plain conditions, observations, medication requests and encounters that
// reference one patient and each other, some labeled already, some with
// narrative to match.
func entryResource(i int) string {
	codes := []string{"86406008", "5602001", "47505003", "410620009", "38341003", "35489007", "191816009"}
	conf := "LMNRV"[i%5 : i%5+1]
	security := fmt.Sprintf(`"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"%s"}]},`, conf)
	if i%3 == 0 {
		security = ""
	}
	switch i % 5 {
	case 0:
		return fmt.Sprintf(`{"resourceType":"Condition","id":"c%d",%s"subject":{"reference":"Patient/p0"},"encounter":{"reference":"Encounter/e%d"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"%s"}],"text":"condition %d"}}`,
			i, security, i+4, codes[i%len(codes)], i)
	case 1:
		return fmt.Sprintf(`{"resourceType":"Observation","id":"o%d",%s"status":"final","subject":{"reference":"Patient/p0"},"code":{"coding":[{"system":"http://loinc.org","code":"%d-%d"}]},"valueQuantity":{"value":%d.%d,"unit":"mg"},"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">HIV viral load %d</div>"}}`,
			i, security, 1000+i%900, i%10, i, i%7, i)
	case 2:
		return fmt.Sprintf(`{"resourceType":"MedicationRequest","id":"m%d",%s"status":"active","intent":"order","subject":{"reference":"Patient/p0"},"reasonReference":[{"reference":"Condition/c%d"}],"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"%d"}],"text":"buprenorphine %d"}}`,
			i, security, i-2, 1000000+i, i)
	case 3:
		return fmt.Sprintf(`{"resourceType":"Patient","id":"p%d",%s"name":[{"family":"Family%d","given":["Given%d","Middle%d"]}],"birthDate":"19%02d-0%d-1%d"}`,
			i, security, i, i, i, i%100, 1+i%9, i%10)
	}
	return fmt.Sprintf(`{"resourceType":"Encounter","id":"e%d",%s"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/p0"},"reasonCode":[{"coding":[{"system":"http://snomed.info/sct","code":"%s"}]}]}`,
		i, security, codes[(i+3)%len(codes)])
}

// bundle returns a Bundle of entries from and up to to.
func bundle(id string, from, to int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"resourceType":"Bundle","id":"%s","type":"collection","entry":[`, id)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:%s-%d","resource":%s}`, id, i, entryResource(i))
	}
	b.WriteString("]}")
	return b.String()
}

// deepInputs are inputs the project writes itself that take the module's
// stack deep and make it grow and switch goroutines: a Bundle of 4000
// entries (about 1.5 MB: the garbage collector runs mid-operation, its
// workers take turns with the request's goroutine), Bundles nested in
// Bundles to the engine's depth limit, and extensions nested as deep in a
// resource. A module the jump pass broke fails on them where the golden
// corpus passes (a module rewritten twice did).
func deepInputs() map[string]string {
	in := map[string]string{"a Bundle of 4000 entries": bundle("big", 0, 4000)}

	// Bundles nested in Bundles: each level an entry of the one above it
	// (3 levels of JSON each) beside a resource of its own, the innermost
	// one of 1500 entries.
	nested := func(levels int) string {
		s := bundle("leaf", 0, 1500)
		for l := levels; l > 0; l-- {
			s = fmt.Sprintf(`{"resourceType":"Bundle","id":"n%d","type":"collection","entry":[{"fullUrl":"urn:uuid:n%d","resource":%s},{"resource":%s}]}`, l, l, entryResource(l), s)
		}
		return s
	}
	in["Bundles nested 40 deep"] = nested(40)

	// Extensions nested in extensions, inside a Condition in a Bundle of
	// 300 entries.
	ext := `{"url":"http://example.org/leaf","valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`
	for l := 0; l < 55; l++ {
		ext = fmt.Sprintf(`{"url":"http://example.org/x%d","extension":[%s,{"url":"v","valueString":"level %d"}]}`, l, ext, l)
	}
	cond := fmt.Sprintf(`{"resourceType":"Condition","id":"deep","extension":[%s],"subject":{"reference":"Patient/p0"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001"}]}}`, ext)
	b := bundle("ext", 0, 300)
	in["extensions nested 55 deep in a Bundle"] = b[:len(b)-2] + `,{"fullUrl":"urn:uuid:deep","resource":` + cond + "}]}"
	return in
}

// TestDifferentialDeep: the module answers the deep and large inputs byte
// for byte as the native engine does, every operation, without the
// third-party data.
func TestDifferentialDeep(t *testing.T) {
	ctx := context.Background()
	e, _ := engine.New(engine.Options{})
	h, err := host.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	for name, data := range deepInputs() {
		t.Run(name, func(t *testing.T) {
			for _, r := range requests([]byte(data)) {
				if want := e.Do(ctx, r); strings.Contains(string(want[:min(len(want), 200)]), `"error"`) {
					t.Fatalf("the native engine refuses it: %.300s", want)
				}
				nodiff(t, e, h, name, r)
			}
		})
	}
}
