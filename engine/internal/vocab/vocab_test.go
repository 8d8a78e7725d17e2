package vocab

import "testing"

func TestClassifyMostSpecificSubtree(t *testing.T) {
	cases := []struct {
		system, code string
		want         TagSet
	}{
		{Confidentiality, "R", SetConfidentiality},
		{"http://hl7.org/fhir/v3/Confidentiality", "V", SetConfidentiality},
		{"urn:oid:2.16.840.1.113883.5.25", "N", SetConfidentiality},
		{Confidentiality, "HIV", SetUnknown}, // retired, outside the order
		{ActCode, "HIV", SetSensitivity},
		{ActCode, "ETHUD", SetSensitivity},
		{ActCode, "42CFRPart2", SetPolicy},
		{ActCode, "OPTIN", SetPolicy},
		{ActCode, "CTCOMPT", SetCompartment},
		{ActCode, "NODSCLCD", SetRefrain},
		{ActCode, "REDACT", SetObligation},
		{ActCode, "CUIMark", SetObligation},
		{ActCode, "PROCESSINLINELABEL", SetObligation},
		{ActCode, "CUISP-HLTH", SetMark},
		{ActCode, "RedisclosureProhibitionMark", SetMark},
		{ActCode, "INFOREDACT", SetAuthorization},
		{ActCode, "ACCESSCONSCHEME", SetAuthorization},
		{ActCode, "TRSTAGRE", SetPolicy},
		{ObservationValue, "PATRPT", SetProvenance},
		{ObservationValue, "REDACTED", SetIntegrity},
		{ObservationValue, "LOAAN2", SetTrust},
		{ObservationValue, "AIAST", SetProvenance},
		{ActReason, "BTG", SetPurposeOfUse},
		{"http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse", "TREAT", SetPurposeOfUse},
		{ActReason, "HTEST", SetPurposeOfUse},
		{ActReason, "MLTRAINING", SetPurposeOfUse},
		{"http://example.org/local", "HIV", SetUnknown},
		{ActCode, "AMB", SetUnknown},
	}
	for _, c := range cases {
		if got := Classify(c.system, c.code); got != c.want {
			t.Errorf("Classify(%s, %s) = %v, want %v", c.system, c.code, got, c.want)
		}
	}
}

func TestPurposeOfUseHierarchy(t *testing.T) {
	if !Subsumes("TREAT", "BTG") || !Subsumes("TREAT", "TREAT") || Subsumes("BTG", "TREAT") || Subsumes("HPAYMT", "TREAT") {
		t.Error("purpose-of-use subsumption is wrong")
	}
	if !Lookup(ActReason, "TREAT").General || Lookup(ActReason, "BTG").General {
		t.Error("GeneralPurposeOfUse flags are wrong")
	}
}

func TestCanonicalSystems(t *testing.T) {
	if s, ok := Canonical(" urn:oid:2.16.840.1.113883.5.4 "); !ok || s != ActCode {
		t.Errorf("Canonical(OID with spaces) = %q, %v", s, ok)
	}
	if !IsLegacySystem("http://hl7.org/fhir/v3/ActReason") || IsLegacySystem(ActReason) {
		t.Error("IsLegacySystem is wrong")
	}
	if Rank("U") != 0 || Rank("V") != 5 || Rank("X") != -1 {
		t.Error("confidentiality order is wrong")
	}
	if !IsProcessInline(InlineLabelsCS, "HAS-INLINE-SEC-LABELS") || !IsProcessInline("urn:oid:2.16.840.1.113883.5.4", "PROCESSINLINELABEL") {
		t.Error("inline flag synonyms not recognised")
	}
}

func TestEveryCodeHasASetUnlessAbstractOrRetired(t *testing.T) {
	n := 0
	for k, c := range codes {
		n++
		if c.Set == SetUnknown && !c.Abstract && !c.Retired && k.system != ActReason {
			t.Errorf("%s#%s has no tag set", k.system, k.code)
		}
	}
	if n < 380 {
		t.Errorf("only %d codes compiled", n)
	}
}

func TestConfidentialityOf(t *testing.T) {
	for r := 0; r < 6; r++ {
		code := ConfidentialityCode(r)
		if got, want := ConfidentialityOf(r), Lookup(Confidentiality, code); got == nil || got != want {
			t.Errorf("rank %d (%s): %v, want %v", r, code, got, want)
		}
	}
}

// What a label stands for must be sensitivities the vocabulary knows, and
// every label that stands for something must be known too: a misspelt
// entry would quietly stop a denial.
func TestImpliesKnownSensitivities(t *testing.T) {
	for _, x := range implies {
		if Lookup(ActCode, x.code) == nil {
			t.Errorf("%s stands for something but is not a known v3-ActCode code", x.code)
		}
		for _, c := range x.to {
			if info := Lookup(ActCode, c); info == nil || info.Set != SetSensitivity {
				t.Errorf("%s stands for %s, which is not a v3-ActCode sensitivity", x.code, c)
			}
		}
	}
}

// TestSynonymsKnown holds every code of the synonym pairs to a code the
// vocabulary knows, since only known codes get their synonyms at start.
func TestSynonymsKnown(t *testing.T) {
	for _, p := range synonyms {
		for _, k := range p {
			if codes[k] == nil {
				t.Errorf("synonym %s|%s is not a code of the vocabulary", k.system, k.code)
			} else if len(Synonyms(k.system, k.code)) == 0 {
				t.Errorf("%s|%s has no synonyms", k.system, k.code)
			}
		}
	}
	if got := Synonyms(ActCode, "SUD"); len(got) != 2 {
		t.Errorf("SUD's synonyms: %v, want ETH of v3-ActCode and of v3-Confidentiality", got)
	}
}
