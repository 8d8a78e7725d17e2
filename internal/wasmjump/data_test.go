package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// memoryModule is a module of one exported page of memory that the data
// section fills.
func memoryModule(data []byte) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = appendSection(m, 5, []byte{1, 0, 1})                   // memory, one page
	m = appendSection(m, 7, []byte{1, 3, 'm', 'e', 'm', 2, 0}) // export "mem"
	return appendSection(m, sectionData, data)
}

// memoryOf instantiates a memory module in wazero and returns its memory.
func memoryOf(t *testing.T, module []byte) []byte {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, module)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := mod.Memory().Read(0, mod.Memory().Size())
	return bytes.Clone(b)
}

func TestMergeData(t *testing.T) {
	segs := []segment{
		{offset: 0, bytes: []byte("ab")},
		{offset: 10, bytes: []byte("cd")},                // 8 zeros after ab: joined
		{offset: 12 + maxGap, bytes: []byte("ef")},       // maxGap zeros: joined
		{offset: 14 + 2*maxGap + 1, bytes: []byte("gh")}, // one more: a segment of its own
		{offset: 5, bytes: []byte("zz")},                 // before the last one's end: its own
		{offset: 1000, bytes: bytes.Repeat([]byte{7}, 300)},
		{offset: 1300, bytes: []byte("x")}, // right after: joined
	}
	in := dataSection(segs)
	out, joined, err := mergeData(in)
	if err != nil {
		t.Fatal(err)
	}
	if joined != 3 {
		t.Errorf("joined %d segments, want 3", joined)
	}
	r := &reader{b: out}
	if n := r.uleb(); n != uint64(len(segs)-3) {
		t.Errorf("%d segments left, want %d", n, len(segs)-3)
	}
	// The memory an engine builds from them is the same, byte for byte.
	if before, after := memoryOf(t, memoryModule(in)), memoryOf(t, memoryModule(out)); !bytes.Equal(before, after) {
		t.Error("joined segments write another memory")
	}
	if !bytes.Equal(in, dataSection(segs)) {
		t.Error("mergeData wrote into its input")
	}

	// Segments of another kind leave the section as it is.
	passive := append(appendULEB(nil, 2), dataSection(segs[:1])[1:]...)
	passive = append(passive, 1, 2, 'x', 'y') // a passive segment
	if got, n, err := mergeData(passive); err != nil || n != 0 || !bytes.Equal(got, passive) {
		t.Errorf("a section with a passive segment: %d joined, %v", n, err)
	}
	// A truncated section is an error, not a guess.
	if _, _, err := mergeData(in[:len(in)-1]); err == nil {
		t.Error("a truncated data section was accepted")
	}
}
