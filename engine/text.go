package engine

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/engine/internal/words"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Words: the rules' text entries read in what a resource says in words
// (README, "Words"). The scanner meets each piece of text where it walks;
// readText matches the lexicon's terms in it all at once, keeps those
// context leaves standing (words.Reason), and records them as matches with
// their evidence, inline on the element when the text is one element's.

// textSpot is where a piece of text sits: the element an inline label goes
// on (an object, or the object holding the primitive prim), or none.
type textSpot struct {
	el   jsonx.Node
	prim string
}

var noSpot = textSpot{el: -1}

// textMembers lists, per resource type, the string elements that hold
// what someone wrote about the patient, as paths from the resource
// ("series.description": every series' description). Elements nested in
// datatypes that many types share (Annotation, Dosage, Reference,
// Attachment, extensions) are read where the scanner meets them instead.
var textMembers = wordLists(`
Observation valueString
Composition title
CarePlan title description
CareTeam name
List title
DiagnosticReport conclusion media.comment
ClinicalImpression description summary finding.basis
DocumentReference description
DocumentManifest description
ServiceRequest patientInstruction
Appointment description comment patientInstruction
AppointmentResponse comment
Task description
RiskAssessment mitigation prediction.rationale
DetectedIssue detail
Goal statusReason target.detailString
ImagingStudy description series.description series.instance.title
BodyStructure description
Condition onsetString abatementString
AllergyIntolerance onsetString
Procedure performedString
FamilyMemberHistory condition.onsetString
Group name
ResearchSubject assignedArm actualArm
Contract title subtitle term.action.reason
RequestGroup action.title action.description action.textEquivalent
NutritionOrder oralDiet.instruction supplement.instruction enteralFormula.administrationInstruction
AdverseEvent suspectEntity.causality.productRelatedness
ImmunizationEvaluation description
ImmunizationRecommendation recommendation.description
Claim supportingInfo.valueString
ClaimResponse disposition
ExplanationOfBenefit supportingInfo.valueString disposition
CoverageEligibilityResponse disposition
ChargeItem overrideReason
Invoice cancelledReason
OperationOutcome issue.diagnostics
AuditEvent outcomeDesc entity.name entity.description entity.detail.valueString
Account name description`)

// resourceText reads the string elements of textMembers on a resource.
func (sc *scanner) resourceText(n jsonx.Node, typ string, contained bool) {
	if typ == "Binary" {
		// A Binary is a document's bytes, read as an attachment's; it has
		// no element to hold an inline label, so only the resource is
		// labeled.
		if ct, data := sc.d.Get(n, "contentType"), sc.d.Get(n, "data"); sc.d.IsStr(data) {
			sc.attachment(sc.d.Str(ct), sc.d.Str(data), ".data", typ, 0, -1, contained)
		}
		return
	}
	for _, path := range textMembers[typ] {
		sc.memberText(n, path, "", typ, contained)
	}
	if typ == "AuditEvent" {
		sc.auditQueries(n, contained)
	}
}

// auditQueries reads the queries an AuditEvent records (entity.query, in
// base64) for the codes and words they name: a search for HIV conditions
// that was logged tells of HIV as the search itself does.
func (sc *scanner) auditQueries(n jsonx.Node, contained bool) {
	d := sc.d
	d.Items(d.Get(n, "entity"), func(i int, e jsonx.Node) bool {
		if q := d.Get(e, "query"); d.IsStr(q) {
			if b, ok := words.DecodeBase64(sc.abuf[:0], d.Str(q)); ok && utf8.Valid(b) {
				sc.abuf = b
				t := string(b) // the scanner's buffers are reused while the query is read
				if i := strings.IndexByte(t, '?'); i >= 0 {
					t = t[i+1:]
				}
				sc.queryContent(t, "AuditEvent", 0, ".entity["+strconv.Itoa(i)+"].query", e, contained)
			}
		}
		return true
	})
}

// memberText reads the string at path below object n, through arrays (every
// item), where at names n's place in the resource for the report.
func (sc *scanner) memberText(n jsonx.Node, path, at, typ string, contained bool) {
	d := sc.d
	name, rest, nested := strings.Cut(path, ".")
	v := d.Get(n, name)
	switch {
	case !nested && d.IsStr(v):
		sc.readText(d.Str(v), typ, 0, at+"."+name, textSpot{el: n, prim: name}, contained)
	case !nested && d.Kind(v) == jsonx.Array:
		// A list of strings (a contract action's reasons): the resource is
		// labeled, since an inline label names no single item.
		d.Items(v, func(i int, it jsonx.Node) bool {
			if d.IsStr(it) {
				sc.readText(d.Str(it), typ, 0, at+"."+name+"["+strconv.Itoa(i)+"]", noSpot, contained)
			}
			return true
		})
	case !nested:
	case d.Kind(v) == jsonx.Object:
		sc.memberText(v, rest, at+"."+name, typ, contained)
	case d.Kind(v) == jsonx.Array:
		d.Items(v, func(i int, it jsonx.Node) bool {
			if d.Kind(it) == jsonx.Object {
				sc.memberText(it, rest, at+"."+name+"["+strconv.Itoa(i)+"]", typ, contained)
			}
			return true
		})
	}
}

// narrative reads a resource's narrative (text.div) as text.
func (sc *scanner) narrative(n jsonx.Node, typ string, contained bool) {
	if div := sc.d.Get(sc.d.Get(n, "text"), "div"); sc.d.IsStr(div) {
		sc.readXHTML(sc.d.Str(div), typ, 0, ".text.div", contained)
	}
}

// readXHTML reads a narrative's div as text, in a buffer the scanner keeps.
func (sc *scanner) readXHTML(div, typ string, depth int, suffix string, contained bool) {
	sc.xbuf = words.FromXHTML(sc.xbuf[:0], div)
	sc.readText(view(sc.xbuf), typ, depth, suffix, noSpot, contained)
}

// attachment reads an Attachment's inline data when it is text: decoded
// into a buffer the scanner keeps, never by copying the resource. A type
// that names no text (none at all, application/octet-stream, an HL7 v2
// message, a mail) is read when its bytes are text all the same, since
// what a sender calls its bytes does not change what they say; media
// types that are binary by definition are reported as not read.
func (sc *scanner) attachment(ct, data, member string, typ string, depth int, el jsonx.Node, contained bool) {
	mt := mediaType(ct)
	kind := readableType(mt)
	if kind == unread && binaryType(mt) {
		sc.notRead(mt, member)
		return
	}
	buf, ok := words.DecodeBase64(sc.abuf[:0], data)
	sc.abuf = buf
	if !ok {
		sc.s.diag(SeverityWarning, DiagTextNotRead, sc.p.location(&sc.s.strs)+string(sc.path)+member, "the attachment's data is not base64; it is not read for words")
		return
	}
	sc.attached(sc.utf8(buf, ct), mt, kind, member, typ, depth, el, contained)
}

// utf8 is buf, an attachment's bytes of content type ct, as UTF-8
// (words.ToUTF8), decoded into a buffer the scanner keeps.
func (sc *scanner) utf8(buf []byte, ct string) []byte {
	out, decoded := words.ToUTF8(sc.cbuf, buf, ct)
	if decoded {
		sc.cbuf = out
	}
	return out
}

// attached reads buf, the bytes of an attachment of media type mt, read
// as kind says (readableType), at member of the element el.
func (sc *scanner) attached(buf []byte, mt string, kind int, member, typ string, depth int, el jsonx.Node, contained bool) {
	if kind == unread {
		if !textual(buf) { // UTF-8 among the rest
			sc.notRead(mt, member)
			return
		}
		switch t := bytes.TrimLeft(buf, " \t\n\r"); {
		case len(t) > 0 && t[0] == '{':
			mt, kind = "application/json", readText
		case len(t) > 0 && t[0] == '<':
			mt, kind = "application/xml", readXML
		default:
			mt, kind = "text/plain", readText
		}
	}
	if kind == readText && sc.embedded(mt, buf, el, contained) {
		return
	}
	t := view(buf)
	switch kind {
	case readHTML:
		sc.xbuf = words.FromXHTML(sc.xbuf[:0], t)
		t = view(sc.xbuf)
	case readXML:
		sc.xmlCodes(t, typ, depth, el, contained)
		sc.xbuf = words.FromXML(sc.xbuf[:0], t)
		t = view(sc.xbuf)
	}
	sc.readText(t, typ, depth, member, textSpot{el: el}, contained)
}

// signature reads what a Signature's data carries, in format (its
// sigFormat): a JWS with its payload attached (compact,
// header.payload.signature, or the JSON form's payload member) holds the
// content it signs, often a FHIR Bundle, read as an attachment of target
// (its targetFormat; JSON when it says none) is; an XML signature may
// envelop its content and is read as XML. A detached JWS and a picture of
// a signature hold nothing to read.
func (sc *scanner) signature(format, target, data string, typ string, depth int, el jsonx.Node, contained bool) {
	mt := mediaType(format)
	if strings.HasSuffix(mt, "xml") {
		sc.attachment("application/xml", data, ".data", typ, depth, el, contained)
		return
	}
	if mt != "application/jose" && mt != "application/jose+json" && mt != "application/jws" {
		return
	}
	buf, ok := words.DecodeBase64(sc.abuf[:0], data)
	sc.abuf = buf
	if !ok {
		return
	}
	var payload string
	if t := bytes.TrimSpace(buf); len(t) > 0 && t[0] == '{' {
		var j jsonx.Doc
		if j.Parse(bytes.Clone(t), sc.s.opts.MaxDepth) == nil {
			payload = j.Str(j.Get(0, "payload"))
		}
	} else if i, j := bytes.IndexByte(t, '.'), bytes.LastIndexByte(t, '.'); i >= 0 && j > i && bytes.IndexByte(t[i+1:j], '.') < 0 {
		payload = string(t[i+1 : j]) // header.payload.signature; five parts are an encrypted JWE
	}
	if payload == "" {
		return // detached: the signed content travels elsewhere
	}
	if target == "" {
		target = "application/json"
	}
	sc.attachment(target, payload, ".data", typ, depth, el, contained)
}

// maxEmbedded bounds resources in attachments within resources in
// attachments: each level is parsed anew.
const maxEmbedded = 4

// embedded scans an attachment that holds a FHIR resource as JSON (a
// Binary or a DocumentReference carrying a document Bundle, a form kept as
// a QuestionnaireResponse) as a contained resource is scanned: its codes
// and words label the resource that holds it, and the attachment el (when
// it is an element of the resource's own: a Binary has none, and a
// contained resource holds no inline label) as words in it would. Read as plain
// text, a Condition coded HIV without a display says nothing. It reports
// whether buf was such a resource.
func (sc *scanner) embedded(mt string, buf []byte, el jsonx.Node, contained bool) bool {
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") || sc.embeds >= maxEmbedded {
		return false
	}
	if t := bytes.TrimLeft(buf, " \t\n\r"); len(t) == 0 || t[0] != '{' {
		return false
	}
	// Its own copy and Doc: the report keeps strings of it past the
	// next attachment decoded into abuf.
	inner := new(jsonx.Doc)
	if inner.Parse(bytes.Clone(buf), sc.s.opts.MaxDepth) != nil {
		return false
	}
	typ := inner.Str(inner.Get(0, "resourceType"))
	if !r4.Types[typ] {
		return false
	}
	d, names, elems, mark := sc.d, sc.names, sc.elems, len(sc.path)
	sc.d = inner
	sc.names, sc.elems = names[len(names):], elems[len(elems):]
	sc.path = append(sc.path, ".data"...)
	before := len(sc.p.matches)
	sc.embeds++
	sc.resource(0, typ, 0, true)
	sc.embeds--
	sc.d, sc.names, sc.elems, sc.path = d, names, elems, sc.path[:mark]
	sc.onAttachment(before, el, contained)
	return true
}

// onAttachment puts the matches from the before-th on, found in what the
// attachment el holds, on el, for an inline label there: unless el is
// in a contained resource (which holds no inline label; so is every
// attachment inside an embedded resource), or none (a Binary).
func (sc *scanner) onAttachment(before int, el jsonx.Node, contained bool) {
	if contained {
		return
	}
	for i := before; i < len(sc.p.matches); i++ {
		sc.p.matches[i].element, sc.p.matches[i].prim = el, ""
	}
}

// How an attachment's media type is read for words (readableType).
const (
	unread   = iota // binary types: PDF, images, Word
	readText        // as it is
	readHTML        // tags stripped, inline ones joining the text around them
	readXML         // tags stripped, each a word boundary
)

// readableType says how an attachment of media type mt is read: HTML and
// XHTML as a narrative is; every other XML type (a C-CDA document's section
// text) as XML; every other text type (plain, markdown, CSV, RTF), JSON (a
// resource or a form as an attachment, whose strings hold the words) and
// application/rtf as they are.
func readableType(mt string) int {
	switch {
	case mt == "text/html", mt == "application/xhtml+xml":
		return readHTML
	case mt == "text/xml", mt == "application/xml", strings.HasSuffix(mt, "+xml"):
		return readXML
	case strings.HasPrefix(mt, "text/"), mt == "application/json", strings.HasSuffix(mt, "+json"), mt == "application/rtf":
		return readText
	}
	return unread
}

// dataURL reads an Attachment's url that is a data URL (RFC 2397), u
// past its "data:": the content is in the resource as surely as in its
// data, base64 or percent-encoded, text/plain when it names no type.
func (sc *scanner) dataURL(u, typ string, depth int, el jsonx.Node, contained bool) {
	head, body, ok := strings.Cut(u, ",")
	if !ok {
		return
	}
	mt, b64 := head, false
	if h := strings.ToLower(head); strings.HasSuffix(h, ";base64") {
		mt, b64 = head[:len(head)-7], true
	}
	if mt == "" || mt[0] == ';' {
		mt = "text/plain" + mt
	}
	if b64 {
		sc.attachment(mt, percentDecoded(body), ".url", typ, depth, el, contained)
		return
	}
	ct := mt
	mt = mediaType(mt)
	if kind := readableType(mt); kind != unread || !binaryType(mt) {
		sc.attached(sc.utf8([]byte(percentDecoded(body)), ct), mt, kind, ".url", typ, depth, el, contained)
	}
}

// mediaType is the media type of a content type, its parameters left
// out, in lower case: "Text/Plain; charset=utf-8" is "text/plain".
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// notRead reports an attachment whose bytes are not text.
func (sc *scanner) notRead(mt, member string) {
	what := "an attachment of type " + quote(mt)
	if mt == "" {
		what = "an attachment with no content type"
	}
	sc.s.diag(SeverityInformation, DiagTextNotRead, sc.p.location(&sc.s.strs)+string(sc.path)+member,
		what+" is not read for words: its bytes are not text")
}

// binaryType says whether media type mt is binary by definition (a
// picture, a sound, a film, a PDF, an office or archive format), so that
// its bytes are not decoded to find out.
func binaryType(mt string) bool {
	major, minor, _ := strings.Cut(mt, "/")
	switch major {
	case "image", "audio", "video", "font", "model":
		return true
	case "application":
		return minor == "pdf" || minor == "zip" || minor == "gzip" || minor == "dicom" ||
			strings.HasPrefix(minor, "vnd.") || minor == "msword"
	}
	return false
}

// textual says whether b, the bytes of an attachment whose type names no
// text, is text: UTF-8 with no control character but the layout ones (and
// the vertical tab and file separator that frame an HL7 v2 message).
func textual(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x0b && c != 0x1c || c == 0x7f {
			return false
		}
	}
	return true
}

// view is the text in b without copying it: a decoded attachment is read
// where it was decoded. It is valid until b is written again; what the
// report keeps of it is cloned (textHit, dropped).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// readText matches the rules' text entries in t, which sits at the
// scanner's path plus suffix (in spot, when it is one element's).
func (sc *scanner) readText(t, typ string, depth int, suffix string, spot textSpot, contained bool) {
	if sc.quiet.has(sc.r, t) {
		return
	}
	if !sc.matchText(t, typ, depth, suffix, spot, contained) {
		sc.quiet.add(sc.r, t)
	}
}

// matchText is readText's work; it reports whether any entry matched, kept
// or dropped.
func (sc *scanner) matchText(t, typ string, depth int, suffix string, spot textSpot, contained bool) (found bool) {
	r := sc.r
	minConf := uint32(sc.s.opts.MinConfidence*confScale + 0.5)
	sc.finder.Job = sc.jobAnswer(typ, depth, spot)
	defer func() { sc.finder.Job = "" }()
	if r.lexicon != nil {
		sc.found = sc.finder.Find(r.lexicon, t, sc.found[:0])
		found = len(sc.found) > 0
		for i, f := range sc.found {
			h := r.termInfo[f.ID]
			if h.confidence < minConf || h.confidence == 0 || sc.valueAt > 0 && f.Start >= sc.valueAt {
				continue
			}
			if f.Reason != words.Kept {
				sc.dropped(t, int(h.rule), typ, depth, suffix, f)
				continue
			}
			if i+1 < len(sc.found) {
				// Matches come by start, then end: of the rule's terms
				// that start at the same word, the longest is the
				// evidence ("borderline personality disorder", not
				// "borderline personality"), unless it is less sure.
				if g := sc.found[i+1]; g.Start == f.Start && g.Reason == words.Kept {
					if k := r.termInfo[g.ID]; k.rule == h.rule && k.confidence >= h.confidence {
						continue
					}
				}
			}
			sc.textHit(t, int(h.rule), h.confidence, f.Start, f.End, typ, depth, suffix, spot, contained)
		}
	}
	lower := ""
	for _, tr := range r.text {
		// Confidence is judged after the match: what the quiet cache
		// keeps must not depend on a request's options.
		if tr.lits != nil {
			if lower == "" {
				lower = sc.lowerText(t)
			}
			if !strings.Contains(lower, tr.lits[0]) {
				continue
			}
		}
		// A pattern's words are read in context like a term's: the first
		// match that context keeps fires the rule, and the ones before it
		// are reported as dropped ("no cocaine detected in urine").
		for off := 0; off < len(t); {
			start, end, ok := tr.re.FindWith(&sc.patterns, t[off:])
			if !ok {
				break
			}
			start, end = start+off, end+off
			found = true
			if tr.confidence < minConf || tr.confidence == 0 || sc.valueAt > 0 && start >= sc.valueAt {
				break
			}
			why, cue := sc.finder.Judge(r.lexicon, t, start, end, r.rules[tr.rule].screeningBroad, r.rules[tr.rule].family)
			if why == words.Kept {
				sc.textHit(t, tr.rule, tr.confidence, start, end, typ, depth, suffix, spot, contained)
				break
			}
			sc.dropped(t, tr.rule, typ, depth, suffix, words.Match{Start: start, End: end, Reason: why, Trigger: cue})
			off = max(end, start+1)
		}
	}
	if x := r.bySystem[icd10cmSystem]; x != nil {
		if icd := codeCue(t); icd || strings.IndexByte(t, '.') >= 0 {
			found = sc.writtenCodes(t, x, icd, typ, depth, suffix, spot, contained) || found
		}
	}
	return found
}

// writtenCodes reads the ICD-10-CM codes written in t as its codings would
// be: a note's "Dx: F11.20" or a problem list's "HIV disease (B20)" says
// what the code says. A code is written with its dot ("F33.1"), or without
// one after "ICD" or a diagnosis ("ICD-10: Z21", "Dx: B20"), which a word,
// a room or a part number seldom is; context is read as for words
// ("ruled out F32.9"). It reports whether any code matched. icd says
// whether t holds such a cue (codeCue).
func (sc *scanner) writtenCodes(t string, x *systemIndex, icd bool, typ string, depth int, suffix string, spot textSpot, contained bool) bool {
	found := false
	// Codes with their dot: found from the dots, the text's few.
	for off := 0; off < len(t); {
		j := strings.IndexByte(t[off:], '.')
		if j < 0 {
			break
		}
		j += off
		off = j + 1
		if i := j - 3; i >= 0 && codeHead(t, i) && j+1 < len(t) && asciiWordByte(t[j+1]) {
			end := j + 1
			for end < len(t) && end-i < 8 && asciiWordByte(t[end]) {
				end++
			}
			if end == len(t) || !asciiWordByte(t[end]) {
				found = sc.writtenCode(t, i, end, x, typ, depth, suffix, spot, contained) || found
				off = end
			}
		}
	}
	if !icd {
		return found
	}
	// Codes without one, after "ICD" or a diagnosis.
	for i := 0; i+3 <= len(t); i++ {
		if codeHead(t, i) && (i+3 == len(t) || !asciiWordByte(t[i+3]) && (t[i+3] != '.' || i+4 == len(t) || !asciiWordByte(t[i+4]))) && codeCue(t[max(0, i-16):i]) {
			found = sc.writtenCode(t, i, i+3, x, typ, depth, suffix, spot, contained) || found
		}
	}
	return found
}

// codeHead reports whether an ICD-10-CM category (a letter but U, two
// digits or a digit and A or B) starts at t[i], at a word's start.
func codeHead(t string, i int) bool {
	c := t[i]
	return c >= 'A' && c <= 'Z' && c != 'U' && (i == 0 || !asciiWordByte(t[i-1])) && isDigit(t[i+1]) &&
		(isDigit(t[i+2]) || t[i+2] == 'A' || t[i+2] == 'B')
}

// writtenCode looks up the code t[i:end] and keeps its matches that
// context keeps, as words; it reports whether any rule matched.
func (sc *scanner) writtenCode(t string, i, end int, x *systemIndex, typ string, depth int, suffix string, spot textSpot, contained bool) bool {
	before := len(sc.p.matches)
	outerAt := sc.codeAt
	sc.codeAt = suffix
	sc.codingIn(x, icd10cmSystem, t[i:end], typ, depth, contained)
	sc.codeAt = outerAt
	if len(sc.p.matches) == before {
		return false
	}
	kept := sc.p.matches[:before]
	for _, m := range sc.p.matches[before:] {
		why, cue := sc.finder.Judge(sc.r.lexicon, t, i, end, sc.r.rules[m.rule].screeningBroad, sc.r.rules[m.rule].family)
		if why != words.Kept {
			sc.dropped(t, m.rule, typ, depth, suffix, words.Match{Start: i, End: end, Reason: why, Trigger: cue})
			continue
		}
		sc.inWords(&m, t, confScale, i, end, spot, contained)
		kept = append(kept, m)
	}
	sc.p.matches = kept
	return true
}

// codeCue reports whether s holds, in any case, "ICD", "Dx" or a word
// that starts with "diagnos": what introduces a code written without
// its dot ("ICD-10: Z21", "Dx: B20", "Diagnosis F20").
func codeCue(s string) bool {
	for i := 0; i+2 <= len(s); i++ {
		switch c := s[i] | 0x20; {
		case c == 'i' && i+3 <= len(s) && s[i+1]|0x20 == 'c' && s[i+2]|0x20 == 'd':
			return true
		case c == 'd' && (i == 0 || !asciiWordByte(s[i-1])) && (s[i+1]|0x20 == 'x' && (i+2 == len(s) || s[i+2]|0x20 < 'a' || s[i+2]|0x20 > 'z') || i+7 <= len(s) && strings.EqualFold(s[i+1:i+7], "iagnos")):
			return true
		}
	}
	return false
}

// textHit records words that fired rule ri, with their evidence. The text
// may live in a buffer the scanner reuses, so the evidence is copied.
func (sc *scanner) textHit(t string, ri int, conf uint32, start, end int, typ string, depth int, suffix string, spot textSpot, contained bool) {
	if m := sc.hit(ri, "", "", typ, depth, suffix, contained); m != nil {
		sc.inWords(m, t, conf, start, end, spot, contained)
	}
}

// inWords makes m a match of the words t[start:end]: their copy, their
// offsets in characters, the entry's confidence, and the element that
// holds them.
func (sc *scanner) inWords(m *match, t string, conf uint32, start, end int, spot textSpot, contained bool) {
	m.byText = true
	m.text = sc.s.strs.join(t[start:end], nil, "")
	m.start = utf8.RuneCountInString(t[:start])
	m.end = m.start + utf8.RuneCountInString(t[start:end])
	m.confidence = conf
	if !contained && m.element < 0 {
		m.element, m.prim = spot.el, spot.prim
	}
}

// dropped reports words context left standing out.
func (sc *scanner) dropped(t string, ri int, typ string, depth int, suffix string, f words.Match) {
	if sc.s.opts.OmitReport || !sc.applies(ri, typ, depth) {
		return
	}
	start := utf8.RuneCountInString(t[:f.Start])
	sc.s.report.Dropped = append(sc.s.report.Dropped, Dropped{
		Location: sc.p.location(&sc.s.strs), Type: sc.p.typ, ID: sc.p.id, Rule: sc.r.rules[ri].id,
		Path: sc.p.location(&sc.s.strs) + string(sc.path) + suffix, Text: sc.s.strs.join(t[f.Start:f.End], nil, ""),
		Start: start, End: start + utf8.RuneCountInString(t[f.Start:f.End]),
		Reason: f.Reason.String(), Trigger: sc.s.strs.join(f.Trigger, nil, ""),
	})
}

// quietCache remembers short texts in which the rules found nothing, so
// the same display met again (a bundle repeats its codings' displays
// thousands of times) is not read again. Direct-mapped: a text has one
// slot, chosen by its length and its ends, and may push out another. The
// texts are copied into the slots, not allocated: in WebAssembly an
// allocation per new display cost more than reading it.
type quietCache struct {
	rules *Rules
	n     [64]uint8
	text  [64][quietMax]byte
}

// quietMax is the longest text the cache keeps: notes and attachments are
// rarely repeated.
const quietMax = 96

func quietSlot(t string) int {
	return (len(t)*31 + int(t[0])*7 + int(t[len(t)-1])) & 63
}

func (q *quietCache) has(r *Rules, t string) bool {
	if q.rules != r || t == "" || len(t) > quietMax {
		return false
	}
	i := quietSlot(t)
	return int(q.n[i]) == len(t) && string(q.text[i][:len(t)]) == t
}

func (q *quietCache) add(r *Rules, t string) {
	if t == "" || len(t) > quietMax {
		return
	}
	if q.rules != r {
		*q = quietCache{rules: r}
	}
	i := quietSlot(t)
	q.n[i] = uint8(copy(q.text[i][:], t))
}

// lowerText is strings.ToLower(t) in a buffer the scanner keeps, valid
// until its next call: ASCII text, nearly all there is, is lowered byte by
// byte without allocating.
func (sc *scanner) lowerText(t string) string {
	b := sc.tlower[:0]
	for i := 0; i < len(t); i++ {
		if t[i] >= utf8.RuneSelf {
			return strings.ToLower(t)
		}
		b = append(b, lowerByte(t[i]))
	}
	sc.tlower = b
	return view(b)
}
