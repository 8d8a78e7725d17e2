package main

import (
	"regexp"
	"strings"

	"github.com/seclabel/seclabel/internal/checkdigit"
)

// codeSystem is one system a list may name: its key in the lists, the
// canonical URI of engine/codesys.go it is written under in a pack, how its
// codes are compared and written, and the shapes its codes must have.
type codeSystem struct {
	key  string
	uri  string
	name string
	// norm is the comparison form (the engine's normalisation); format is
	// how a code is written into the pack.
	norm   func(string) string
	format func(string) string
	code   *regexp.Regexp // an exact code
	prefix *regexp.Regexp // a prefix, or nil when prefixes make no sense
	ranges bool           // ICD systems: ranges of categories
	check  func(string) bool
	shape  string // the shape, for messages
}

var systems = []*codeSystem{
	{key: "icd10cm", uri: "http://hl7.org/fhir/sid/icd-10-cm", name: "ICD-10-CM",
		norm: normICD, format: dotAfter(3),
		code:   regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$`),
		prefix: regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z?]{1,4})?$`),
		ranges: true, shape: "a letter, a digit, a letter or digit, then optionally a dot and 1 to 4 letters or digits (F11.20)"},
	// WHO's ICD-10, for the categories it has and ICD-10-CM does not
	// (B21-B24); the engine reads ICD-10-CM's rules for it too.
	{key: "icd10", uri: "http://hl7.org/fhir/sid/icd-10", name: "ICD-10 (WHO)",
		norm: normICD, format: dotAfter(3),
		code:   regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,2})?$`),
		prefix: regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z?]{1,2})?$`),
		ranges: true, shape: "a letter, a digit, a letter or digit, then optionally a dot and 1 or 2 letters or digits (B24)"},
	{key: "icd9cm", uri: "http://hl7.org/fhir/sid/icd-9-cm", name: "ICD-9-CM",
		norm: normICD, format: formatICD9CM,
		code:   regexp.MustCompile(`^([0-9]{3}(\.?[0-9]{1,2})?|V[0-9]{2}(\.?[0-9]{1,2})?|E[0-9]{3}(\.?[0-9])?)$`),
		prefix: regexp.MustCompile(`^([0-9]{3}(\.?[0-9]{1,2})?|V[0-9]{2}(\.?[0-9]{1,2})?|E[0-9]{3}(\.?[0-9])?)$`),
		ranges: true, shape: "3 digits, V and 2 digits, or E and 3 digits, then optionally a dot and decimals (304.01, V65.42, E950.0)"},
	{key: "icd10pcs", uri: "http://www.cms.gov/Medicare/Coding/ICD10PCS", name: "ICD-10-PCS",
		norm: normICD, format: normICD,
		code:   regexp.MustCompile(`^[0-9A-HJ-NP-Z]{7}$`),
		prefix: regexp.MustCompile(`^[0-9A-HJ-NP-Z]{1,6}$`),
		ranges: true, shape: "7 letters or digits, no I or O (HZ2ZZZZ)"},
	{key: "icd9pcs", uri: "http://www.cms.gov/Medicare/Coding/ICD9", name: "ICD-9-CM procedures",
		norm: normICD, format: dotAfter(2),
		code:   regexp.MustCompile(`^[0-9]{2}(\.?[0-9]{1,2})?$`),
		prefix: regexp.MustCompile(`^[0-9]{2}(\.?[0-9])?$`),
		ranges: true, shape: "2 digits, then optionally a dot and 1 or 2 digits (94.45)"},
	{key: "sct", uri: "http://snomed.info/sct", name: "SNOMED CT",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[1-9][0-9]{5,17}$`),
		check: verhoeffValid, shape: "6 to 18 digits ending in a valid Verhoeff check digit"},
	{key: "loinc", uri: "http://loinc.org", name: "LOINC",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[0-9]{1,7}-[0-9]$`),
		check: loincValid, shape: "digits, a hyphen and the mod-10 check digit (7917-8)"},
	{key: "rxnorm", uri: "http://www.nlm.nih.gov/research/umls/rxnorm", name: "RxNorm",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[1-9][0-9]{0,9}$`),
		shape: "an RxNorm concept identifier: digits (1010600)"},
	{key: "cpt", uri: "http://www.ama-assn.org/go/cpt", name: "CPT",
		norm: normUpper, format: normUpper,
		code:   regexp.MustCompile(`^[0-9]{4}[0-9FTU]$`),
		prefix: regexp.MustCompile(`^[0-9]{1,4}$`),
		shape:  "4 digits then a digit, F or T or U (90834, 4000F)"},
	{key: "hcpcs", uri: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", name: "HCPCS",
		norm: normUpper, format: normUpper,
		code:   regexp.MustCompile(`^[A-Z][0-9]{4}$`),
		prefix: regexp.MustCompile(`^[A-Z][0-9]{0,3}$`),
		shape:  "a letter and 4 digits (H0020)"},
	{key: "msdrg", uri: "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software", name: "MS-DRG",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[0-9]{3}$`),
		shape: "3 digits (896)"},
	{key: "gender-identity", uri: "http://hl7.org/fhir/gender-identity", name: "FHIR gender identity",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`),
		shape: "lower-case words joined by hyphens (transgender-female)"},
	{key: "service-type", uri: "http://terminology.hl7.org/CodeSystem/service-type", name: "FHIR service type",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[1-9][0-9]{0,2}$`),
		shape: "1 to 3 digits (105)"},
	{key: "role-code", uri: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", name: "HL7 v3 RoleCode",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,19}$`),
		shape: "upper-case letters (PSYCHF)"},
	{key: "nucc", uri: "http://nucc.org/provider-taxonomy", name: "NUCC Health Care Provider Taxonomy",
		norm: normUpper, format: normUpper,
		code:  regexp.MustCompile(`^[0-9]{3}[0-9A-Z]{6}X$`),
		shape: "3 digits, 6 letters or digits and X (2084P0800X)"},
	{key: "revenue", uri: "https://www.nubc.org/CodeSystem/RevenueCodes", name: "NUBC revenue codes",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[0-9]{4}$`),
		shape: "4 digits (0114)"},
	{key: "discharge-disposition", uri: "http://terminology.hl7.org/CodeSystem/discharge-disposition", name: "FHIR discharge disposition",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`),
		shape: "lower-case words joined by hyphens (psy)"},
	{key: "admit-source", uri: "http://terminology.hl7.org/CodeSystem/admit-source", name: "FHIR admit source",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`),
		shape: "lower-case words joined by hyphens (psych)"},
	{key: "cvx", uri: "http://hl7.org/fhir/sid/cvx", name: "CVX",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^[0-9]{1,3}$`),
		shape: "1 to 3 digits"},
	{key: "ndc", uri: "http://hl7.org/fhir/sid/ndc", name: "NDC",
		norm: strings.TrimSpace, format: strings.TrimSpace,
		code:  regexp.MustCompile(`^([0-9]{4}-[0-9]{4}-[0-9]{2}|[0-9]{5}-[0-9]{3}-[0-9]{2}|[0-9]{5}-[0-9]{4}-[0-9]{1,2}|[0-9]{11})$`),
		shape: "a 10-digit NDC with hyphens (4-4-2, 5-3-2, 5-4-1) or 11 digits"},
}

var systemByKey = func() map[string]*codeSystem {
	m := map[string]*codeSystem{}
	for _, s := range systems {
		m[s.key] = s
	}
	return m
}()

func systemKeys() string {
	var ks []string
	for _, s := range systems {
		ks = append(ks, s.key)
	}
	return strings.Join(ks, ", ")
}

// normICD is the engine's comparison form of an ICD code: no dots, upper case.
func normICD(c string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c), ".", ""))
}

func normUpper(c string) string { return strings.ToUpper(strings.TrimSpace(c)) }

// dotAfter writes an ICD code with its dot after n characters.
func dotAfter(n int) func(string) string {
	return func(c string) string {
		c = normICD(c)
		if len(c) <= n {
			return c
		}
		return c[:n] + "." + c[n:]
	}
}

// formatICD9CM writes an ICD-9-CM code with its dot: after 4 characters in
// E codes, else after 3.
func formatICD9CM(c string) string {
	if c = normICD(c); strings.HasPrefix(c, "E") {
		return dotAfter(4)(c)
	}
	return dotAfter(3)(c)
}

// verhoeffValid and loincValid are the check digits' tests, shared with
// the engine, which judges codes' shapes alike.
func verhoeffValid(s string) bool { return checkdigit.Verhoeff(s) }

func loincValid(code string) bool { return checkdigit.LOINC(code, 0) }
