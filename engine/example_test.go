package engine_test

import (
	"context"
	"fmt"

	"github.com/seclabel/seclabel/engine"
)

const hivCondition = `{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008","display":"Human immunodeficiency virus infection"}]},"subject":{"reference":"Patient/p1"}}`

func ExampleNew() {
	e, err := engine.New(engine.Options{DefaultConfidentiality: "M"})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Options().DefaultConfidentiality, e.Options().MaxDepth)
	_, err = engine.New(engine.Options{DefaultConfidentiality: "X"})
	fmt.Println(err)
	// Output:
	// M 128
	// invalid_option: option defaultConfidentiality: must be one of U, L, M, N, R, V
}

func ExampleEngine_Label() {
	e, _ := engine.New(engine.Options{})
	res, err := e.Label(context.Background(), []byte(hivCondition))
	if err != nil {
		panic(err)
	}
	for _, l := range res.Report.Labeled {
		fmt.Println(l.Location, l.Confidentiality)
		for _, m := range l.Matches {
			fmt.Println("  matched", m.Rule, m.Code, "at", m.Path)
		}
		for _, c := range l.Added {
			fmt.Println("  added", c.Set, c.Code)
		}
	}
	// Output:
	// Condition R
	//   matched hiv 86406008 at Condition.code.coding[0]
	//   added confidentiality R
	//   added sensitivity HIV
}

func ExampleEngine_Redact() {
	e, _ := engine.New(engine.Options{})
	ctx := context.Background()
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"fullUrl":"urn:uuid:1","resource":` + hivCondition + `},` +
		`{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Body weight"}}}]}`
	labeled, _ := e.Label(ctx, []byte(bundle))
	res, err := e.Redact(ctx, labeled.Resource, engine.AccessContext{Clearance: "N", Deny: []string{"HIV"}})
	if err != nil {
		panic(err)
	}
	for _, w := range res.Report.Withheld {
		fmt.Println("withheld", w.Type+"/"+w.ID, "for", w.Reason)
	}
	fmt.Println("marked", res.Report.Marks[0].Confidentiality)
	// Output:
	// withheld Condition/c1 for clearance
	// marked N
}

func ExampleEngine_Do() {
	e, _ := engine.New(engine.Options{})
	resp := e.Do(context.Background(), []byte(`{"op":"validate","resource":{"resourceType":"Patient","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"Q"}]}}}`))
	fmt.Println(string(resp))
	fmt.Println(string(e.Do(context.Background(), []byte(`{"op":"labelx"}`))))
	// Output:
	// {"protocol":1,"op":"validate","report":{"errors":1,"warnings":0,"information":0},"diagnostics":[{"severity":"error","code":"code-unknown","location":"Patient.meta.security[0]","message":"Q is not a confidentiality code (U, L, M, N, R, V)"}]}
	// {"protocol":1,"error":{"code":"invalid_option","message":"unknown op \"labelx\"; expected \"label\", \"redact\", \"hwm\", \"validate\" or \"marks\"; \"configure\" in long-lived hosts (a Session, the WebAssembly module)"}}
}
