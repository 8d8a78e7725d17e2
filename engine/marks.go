package engine

import (
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// marks appends the displays of the resource at n, then of its entries.
func (s *state) marks(d *jsonx.Doc, n jsonx.Node, loc string) error {
	meta := d.Get(n, "meta")
	first := len(s.report.Display)
	add := func(x Display) {
		for _, have := range s.report.Display[first:] {
			if have == x {
				return
			}
		}
		s.report.Display = append(s.report.Display, x)
	}
	d.Items(d.Get(meta, "extension"), func(_ int, x jsonx.Node) bool {
		if url := d.Get(x, "url"); d.KeyIs(url, extDisplay) || d.KeyIs(url, extMustDisplay) {
			if t := d.Get(d.Get(x, "valueAnnotation"), "text"); d.IsStr(t) && d.Str(t) != "" {
				add(Display{Location: loc, Kind: "annotation", Text: d.Str(t)})
			}
		}
		return true
	})
	d.Items(d.Get(meta, "security"), func(_ int, c jsonx.Node) bool {
		if l, ok := readLabel(d, c); ok && l.set == vocab.SetMark {
			text := l.display
			if text == "" && l.info != nil {
				text = l.info.Display
			}
			if text == "" {
				text = l.code
			}
			add(Display{Location: loc, Kind: "label", Text: text, System: l.system, Code: l.code})
		}
		return true
	})
	if d.Str(d.Get(n, "resourceType")) != "Bundle" {
		return nil
	}
	first, end := d.Range(d.Get(n, "entry"))
	i := 0
	for en := first; en < end; en, i = d.Skip(en), i+1 {
		res, err := entryResource(d, en, loc, i)
		if err != nil {
			return err
		}
		if res >= 0 {
			if err := s.marks(d, res, entryLoc(loc, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// runMarks, writeMarksReport and readMarksReport are marks' entry in the
// table of operations (ops.go).
func runMarks(s *state, d *jsonx.Doc, n jsonx.Node, typ string, _ *Result) error {
	return s.marks(d, n, typ)
}

func writeMarksReport(w *jsonx.Writer, r *Report) {
	w.Key("display")
	w.BeginArray()
	for _, x := range r.Display {
		w.BeginObject()
		w.KV("location", x.Location)
		w.KV("kind", x.Kind)
		w.KV("text", x.Text)
		if x.Kind == "label" {
			w.KV("system", x.System)
			w.KV("code", x.Code)
		}
		w.EndObject()
	}
	w.EndArray()
}

func readMarksReport(d *jsonx.Doc, rep jsonx.Node, r *Report) {
	d.Items(d.Get(rep, "display"), func(_ int, x jsonx.Node) bool {
		r.Display = append(r.Display, Display{Location: str(d, x, "location"), Kind: str(d, x, "kind"), Text: str(d, x, "text"), System: str(d, x, "system"), Code: str(d, x, "code")})
		return true
	})
}
