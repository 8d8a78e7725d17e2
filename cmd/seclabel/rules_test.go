package main

import (
	"strings"
	"testing"
)

func TestRulesDescribe(t *testing.T) {
	pack := writeFile(t, "pack.json", `{"name": "test pack", "rules": [
	  {"id": "sud", "labels": ["OPIOIDUD", "SUD", "42CFRPart2"], "basis": "42CFRPart2",
	   "codes": {"http://hl7.org/fhir/sid/icd-10-cm": ["F11.20", "F11.21"], "https://bluebutton.cms.gov/resources/codesystem/hcpcs": ["H0020"]},
	   "prefixes": {"ICD10CM": ["F11.1"]},
	   "ranges": {"http://hl7.org/fhir/sid/icd-10-cm": ["F10-F19"]},
	   "text": ["opioid use disorder"]},
	  {"id": "notes", "labels": ["PSYTHPN"], "confidentiality": "V", "resourceTypes": ["DocumentReference"]},
	  {"id": "mh", "labels": ["MH"], "codes": {"http://example.org/local": ["x1"]}}
	]}`)
	out, errs, code := runCLI(t, "", "rules", "--describe", "--rules", pack)
	if code != exitOK {
		t.Fatalf("code %d, stderr %s", code, errs)
	}
	want := `Packs: test pack
3 rules; 6 codes, prefixes and ranges indexed

sud: OPIOIDUD SUD 42CFRPart2 (basis 42CFRPart2)
  HCPCS      1 code
  ICD-10-CM  2 codes, 1 prefix, 1 range
  text       1 pattern

notes: PSYTHPN (confidentiality V)
  resource types  DocumentReference
  matches         every resource of these types (no codes, no text)

mh: MH
  http://example.org/local  1 code

Per category (sensitivity label; a rule counts in each of its categories):
  category   rules  codes  prefixes  ranges  ingredients  text
  OPIOIDUD       1      3         1       1            0     1
  SUD            1      3         1       1            0     1
  PSYTHPN        1      0         0       0            0     0
  MH             1      1         0       0            0     0
  all rules      3      4         1       1            0     1
`
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func TestRulesDescribeDefaultPack(t *testing.T) {
	out, _, code := runCLI(t, "", "rules", "--describe")
	if code != exitOK {
		t.Fatalf("code %d", code)
	}
	for _, s := range []string{"Packs: seclabel US realm default", "\nhiv: HIV\n", "ICD-10-CM", "HCPCS", "\n  SUD ", "\n  all rules "} {
		if !strings.Contains(out, s) {
			t.Errorf("the description lacks %q:\n%s", s, out)
		}
	}
}

func TestRulesUsage(t *testing.T) {
	out, _, code := runCLI(t, "", "rules", "--help")
	if code != exitOK || !strings.Contains(out, "seclabel rules --describe [--rules FILE]... [--pack NAME]...") {
		t.Fatalf("--help: code %d, %s", code, out)
	}
	if out, _, _ := runCLI(t, "", "help"); !strings.Contains(out, "seclabel rules --describe") {
		t.Fatal("seclabel help does not name rules --describe")
	}
	_, errs, code := runCLI(t, "", "rules")
	if code != exitUsage || !strings.Contains(errs, "--describe") {
		t.Fatalf("no action: code %d, stderr %s", code, errs)
	}
	_, errs, code = runCLI(t, "", "rules", "--describe", "--pretty")
	if code != exitUsage || !strings.Contains(errs, `unknown argument "--pretty"`) {
		t.Fatalf("unknown flag: code %d, stderr %s", code, errs)
	}
	_, _, code = runCLI(t, "", "rules", "--describe", "--rules")
	if code != exitUsage {
		t.Fatalf("--rules without a value: code %d", code)
	}
	_, errs, code = runCLI(t, "", "rules", "--describe", "--rules", writeFile(t, "bad.json", `{"rules": [{"id": "x"}]}`))
	if code != exitInput || !strings.Contains(errs, "invalid_rules") {
		t.Fatalf("bad pack: code %d, stderr %s", code, errs)
	}
	_, _, code = runCLI(t, "", "rules", "--describe", "--rules=/nonexistent/pack.json")
	if code != exitIO {
		t.Fatalf("missing pack: code %d", code)
	}
}

func TestRulesDescribeBroadPack(t *testing.T) {
	out, errs, code := runCLI(t, "", "rules", "--describe", "--pack", "us-broad")
	if code != exitOK {
		t.Fatalf("code %d, stderr %s", code, errs)
	}
	// us-broad adds to the default pack, as it does for label.
	for _, s := range []string{"Packs: seclabel US realm default, seclabel US realm broad", "\nsud-broad: SUD\n", "\nhiv: HIV\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("the description lacks %q:\n%s", s, out)
		}
	}
	_, errs, code = runCLI(t, "", "rules", "--describe", "--pack", "us-wide")
	if code != exitUsage || !strings.Contains(errs, `not "us-wide"`) {
		t.Fatalf("unknown pack: code %d, stderr %s", code, errs)
	}
	bad := writeFile(t, "bad.json", "{\n  \"rules\": [\n    {\"id\": \"x\", \"labels\": [\"HIV\"], \"codes\": {\"LIONC\": [\"1-8\"]}}\n  ]\n}")
	_, errs, code = runCLI(t, "", "rules", "--describe", "--rules", bad)
	if code != exitInput || !strings.Contains(errs, "bad.json:3:") {
		t.Fatalf("a bad pack is named with its line: code %d, stderr %s", code, errs)
	}
}
