// Package godebug stands in for the standard library's internal/godebug in
// the WebAssembly module, through the build's -overlay (Makefile, wasm).
//
// The module imports time (through context and embed), and time asks one
// GODEBUG setting (asynctimerchan). The real package registers each
// setting it is asked for as a runtime metric, which links the runtime's
// metrics tables and internal/bisect into every program that imports it:
// 215 KB of the module's code, 40 KB gzip. Here every setting has its
// default, as it has in a module no host gives a GODEBUG; the runtime's own
// GODEBUG variables (gctrace, ...) are read by the runtime and still work.
// Its exported API is the real package's; a test holds the two alike.
package godebug

// A Setting is a single setting in the $GODEBUG environment variable.
type Setting struct{ name string }

// New returns a new Setting for the $GODEBUG setting with the given name.
func New(name string) *Setting { return &Setting{name: name} }

// Name returns the name of the setting.
func (s *Setting) Name() string {
	if s.Undocumented() {
		return s.name[1:] // "#name" asks for an undocumented setting
	}
	return s.name
}

// Undocumented reports whether this is an undocumented setting.
func (s *Setting) Undocumented() bool { return len(s.name) > 0 && s.name[0] == '#' }

// String returns a printable form for the setting: name=value.
func (s *Setting) String() string { return s.Name() + "=" }

// IncNonDefault counts a use of a non-default setting: none, here.
func (s *Setting) IncNonDefault() {}

// Value returns the current value of the setting: always the default, "".
func (s *Setting) Value() string { return "" }
