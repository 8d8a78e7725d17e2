package testenv

import (
	"bytes"
	"fmt"
)

// Bundles of many small entries, which the engine's tests and the
// benchmark harness share: many resources in one call is where a cost per
// entry shows.

// ManyConditions is a collection Bundle of n Conditions with one coding each,
// all HIV (about 125 bytes an entry).
func ManyConditions(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"resource":{"resourceType":"Condition","id":"c%d","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}}`, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// ManyObservations is a searchset Bundle of n Observations (about 300 bytes an
// entry), every sensitive-th an HIV viral load, the rest heart rates (0: none
// sensitive).
func ManyObservations(n, sensitive int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"searchset","total":`)
	fmt.Fprintf(&b, `%d,"entry":[`, n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		code, display, value := "8867-4", "Heart rate", fmt.Sprintf(`"valueQuantity":{"value":%d,"unit":"/min"}`, 50+i%60)
		if sensitive > 0 && i%sensitive == 0 {
			code, display, value = "20447-9", "HIV 1 RNA", fmt.Sprintf(`"valueQuantity":{"value":%d,"unit":"copies/mL"}`, 20+i%900)
		}
		fmt.Fprintf(&b, `{"fullUrl":"https://ehr.example.org/fhir/Observation/o%d","resource":{"resourceType":"Observation","id":"o%d","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"%s","display":"%s"}]},"subject":{"reference":"Patient/p%d"},"effectiveDateTime":"2024-03-%02dT10:00:00Z",%s},"search":{"mode":"match"}}`,
			i, i, code, display, i%500, 1+i%28, value)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
