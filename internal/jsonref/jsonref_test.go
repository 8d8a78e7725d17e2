package jsonref

import "testing"

// Values as encoding/json reads them, numbers as written, members in
// order, and the first difference named by its path.
func TestDiff(t *testing.T) {
	for _, c := range []struct{ got, want, diff string }{
		{`{"a":[1,"x",true,null,{}]}`, ` { "a" : [ 1 , "x" , true , null , { } ] } `, ""},
		{`"\u00e9\/"`, `"é/"`, ""},
		{`{"a":1.0}`, `{"a":1}`, `$.a: got number 1.0, want number 1`},
		{`{"a":1e2}`, `{"a":100}`, `$.a: got number 1e2, want number 100`},
		{`{"a":{"b":[1,2]}}`, `{"a":{"b":[1,3]}}`, `$.a.b[1]: got number 2, want number 3`},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, `$: member 1 is "a", want "b" (got members ["a" "b"], want ["b" "a"])`},
		{`{"a":1}`, `{"a":1,"b":2}`, `$: 1 members, want 2 (got members ["a"], want ["a" "b"])`},
		{`[1]`, `[1,2]`, `$: 1 items, want 2`},
		{`{"x-y":"1"}`, `{"x-y":1}`, `$["x-y"]: got "1", want number 1`},
		{`{"a":null}`, `{"a":false}`, `$.a: got null, want false`},
		{`{"a":[]}`, `{"a":{}}`, `$.a: got an array, want an object`},
	} {
		got, err := Decode([]byte(c.got))
		if err != nil {
			t.Fatalf("%s: %v", c.got, err)
		}
		want, err := Decode([]byte(c.want))
		if err != nil {
			t.Fatalf("%s: %v", c.want, err)
		}
		if d := Diff(got, want); d != c.diff {
			t.Errorf("%s against %s:\n got %s\nwant %s", c.got, c.want, d, c.diff)
		}
	}
	if _, err := Decode([]byte(`{"a":{"b":1,"b":2}}`)); err == nil || err.Error() != `member "b" twice in one object` {
		t.Errorf("duplicate member: %v", err)
	}
	for _, bad := range []string{``, `[1 2]`, `{"a":1}{}`, `[1,]`, `{"a"}`, `01`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("decode accepted %q", bad)
		}
	}
	v, _ := Decode([]byte(`{"error":{"code":"invalid_json","message":"m"}}`))
	if code := Get(Get(v, "error"), "code"); code != "invalid_json" {
		t.Errorf("Get = %v", code)
	}
}
