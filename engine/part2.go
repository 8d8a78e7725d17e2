package engine

import (
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// part2Notice is the statement 42 CFR 2.32(a)(1) requires with each
// disclosure of records under 42 CFR Part 2 made with the patient's written
// consent, in the wording of the final rule of February 16, 2024 (89 FR
// 12472, "Notice and copy of consent to accompany disclosure"). The rule
// also allows the short statement of 2.32(a)(2), "42 CFR part 2 prohibits
// unauthorized use or disclosure of these records."; the full one says
// what the recipient may still do. It is the markdown text of an
// Annotation: paragraphs are separated by blank lines.
const part2Notice = "This record which has been disclosed to you is protected by Federal confidentiality rules " +
	"(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that " +
	"describes the information contained in this record, in any civil, criminal, administrative, or " +
	"legislative proceedings by any Federal, State, or local authority, against the patient, unless " +
	"authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by " +
	"a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making " +
	"any other use or disclosure of this record unless at least one of the following applies:\n\n" +
	"(i) Further use or disclosure is expressly permitted by the written consent of the individual whose " +
	"information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.\n\n" +
	"(ii) You are a covered entity or business associate and have received the record for treatment, " +
	"payment, or health care operations, or\n\n" +
	"(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR " +
	"part 164, subparts A and E.\n\n" +
	"A general authorization for the release of medical or other information is NOT sufficient to meet the " +
	"required elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."

// part2Item is the extension-display that carries the notice on
// Resource.meta, as JSON text.
var part2Item = func() []byte {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("url", extDisplay)
	w.Key("valueAnnotation")
	w.BeginObject()
	w.KV("text", part2Notice)
	w.EndObject()
	w.EndObject()
	return w.B
}()

// part2Policy is the policy label of 42 CFR Part 2, the basis of the mark.
var part2Policy = securityCode(vocab.ActCode, "42CFRPart2")

func securityCode(system, code string) label {
	info := vocab.Lookup(system, code)
	return label{system: info.System, code: info.Code, display: info.Display, set: info.Set, info: info, node: -1}
}

// addPart2Mark adds the display mark RedisclosureProhibitionMark to the
// labels a resource will carry when they hold the 42CFRPart2 policy and
// the part2Notice option is on; it reports whether the resource is Part 2
// content, which then also needs the notice.
func (s *state) addPart2Mark(final []label) ([]label, bool) {
	if !s.opts.part2Notice() || !hasLabel(final, vocab.ActCode, "42CFRPart2") {
		return final, false
	}
	if !hasLabel(final, vocab.ActCode, "RedisclosureProhibitionMark") {
		m := securityCode(vocab.ActCode, "RedisclosureProhibitionMark")
		m.basisOf = &part2Policy
		final = append(final, m)
	}
	return final, true
}

// hasPart2Notice reports whether meta already carries the notice in an
// extension-display (or its ballot-era name), so that labeling labeled
// output adds it no second time.
func hasPart2Notice(d *jsonx.Doc, meta jsonx.Node) bool {
	found := false
	d.Items(d.Get(meta, "extension"), func(_ int, x jsonx.Node) bool {
		if url := d.Get(x, "url"); d.KeyIs(url, extDisplay) || d.KeyIs(url, extMustDisplay) {
			found = d.Str(d.Get(d.Get(x, "valueAnnotation"), "text")) == part2Notice
		}
		return !found
	})
	return found
}

// writeMeta writes a labeled resource's meta: security, the new
// meta.security array or nil when it is unchanged, and with notice the
// Part 2 notice, added to meta.extension. A meta that is missing, null or
// empty is written whole (writePlan refuses one of another shape);
// otherwise the notice goes at the end of an extension array, or in a new
// one first in meta. An extension member that is null is replaced; one of
// another shape fails the call rather than lose what it holds or send Part
// 2 content without its notice.
func (s *state) writeMeta(d *jsonx.Doc, p *plan, security []byte, notice bool) {
	n := p.n
	meta := d.Get(n, "meta")
	if !notice {
		if security != nil {
			s.setMember(d, n, []string{"meta", "security"}, security)
		}
		return
	}
	if d.Kind(meta) != jsonx.Object || d.Count(meta) == 0 {
		text := append(append(append(s.editBuf[:0], `{"extension":[`...), part2Item...), ']')
		if security != nil {
			text = append(append(text, `,"security":`...), security...)
		}
		s.editBuf = append(text, '}')
		s.setMember(d, n, []string{"meta"}, s.editBuf)
		return
	}
	if security != nil {
		s.setMember(d, n, []string{"meta", "security"}, security)
	}
	switch ext := d.Get(meta, "extension"); {
	case ext < 0:
		start, _ := d.Span(meta)
		s.editBuf = append(append(append(s.editBuf[:0], `"extension":[`...), part2Item...), "],"...)
		s.edit(start+1, start+1, s.editBuf)
	case d.Kind(ext) == jsonx.Array:
		_, end := d.Span(ext)
		text := part2Item
		if d.Count(ext) > 0 {
			s.editBuf = append(append(s.editBuf[:0], ','), part2Item...)
			text = s.keepText(s.editBuf)
		}
		s.edits = append(s.edits, jsonx.Edit{Start: end - 1, End: end - 1, Text: text})
	case d.Kind(ext) == jsonx.Null:
		s.editBuf = append(append(append(s.editBuf[:0], '['), part2Item...), ']')
		s.setMember(d, meta, []string{"extension"}, s.editBuf)
	default:
		// With labelFirst too: redaction reads no labels in meta.extension,
		// and would release the resource without its notice.
		s.refuseAlways(p.location(&s.strs), ".meta.extension is not an array: the 42 CFR Part 2 notice cannot be added to it without replacing what it holds")
	}
}
