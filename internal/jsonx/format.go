package jsonx

// Format appends node n of d to dst: compact when indent is "", otherwise
// one member or item per line. Strings are re-encoded in the canonical form
// AppendString writes, so two equal documents format to equal bytes.
func (d *Doc) Format(dst []byte, n Node, indent string) []byte {
	return d.format(dst, n, indent, 0)
}

func (d *Doc) format(dst []byte, n Node, indent string, level int) []byte {
	switch d.Kind(n) {
	case Object, Array:
		open, close := byte('{'), byte('}')
		if d.Kind(n) == Array {
			open, close = '[', ']'
		}
		dst = append(dst, open)
		end := d.Skip(n)
		first := true
		for i := n + 1; i < end; {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = newline(dst, indent, level+1)
			if d.Kind(i) == Key {
				dst = AppendString(dst, d.Str(i))
				dst = append(dst, ':')
				if indent != "" {
					dst = append(dst, ' ')
				}
				i++
			}
			dst = d.format(dst, i, indent, level+1)
			i = d.Skip(i)
		}
		if !first {
			dst = newline(dst, indent, level)
		}
		return append(dst, close)
	case String:
		return AppendString(dst, d.Str(n))
	default:
		return append(dst, d.Raw(n)...)
	}
}

func newline(dst []byte, indent string, level int) []byte {
	if indent == "" {
		return dst
	}
	dst = append(dst, '\n')
	for i := 0; i < level; i++ {
		dst = append(dst, indent...)
	}
	return dst
}

// Canonical parses src and returns its compact canonical form; it is meant
// for comparing documents in tests and tools.
func Canonical(src []byte) ([]byte, error) {
	var d Doc
	if err := d.Parse(src, 10000); err != nil {
		return nil, err
	}
	return d.Format(nil, 0, ""), nil
}
