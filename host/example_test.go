package host_test

import (
	"context"
	"fmt"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
)

func ExampleNew() {
	ctx := context.Background()
	// The module in wazero, configured once with options every call uses.
	h, err := host.New(ctx, host.Config{Instances: 1, Configure: []byte(`{"op":"configure","options":{"labelAll":true}}`)})
	if err != nil {
		panic(err)
	}
	defer h.Close(ctx)
	var b engine.Backend = h // the same methods as a native engine
	res, err := b.Label(ctx, []byte(`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Body weight"}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Report.Labeled[0].Location, res.Report.Labeled[0].Confidentiality)
	_, err = host.New(ctx, host.Config{Configure: []byte(`{"op":"configure","options":{"labelAll":"yes"}}`)})
	fmt.Println(err)
	// Output:
	// Observation N
	// invalid_option: configure: option labelAll: must be true or false
}
