package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

// errLine is one line of a model error: FILE:LINE:COL: message.
var errLine = regexp.MustCompile(`^fuzz\.yaml:[1-9][0-9]*:[1-9][0-9]*: \S`)

// FuzzLoad feeds the loader every model under testdata/models (good and
// bad) and what the fuzzer makes of them: it must never panic, and every
// error must be a models.Error with a position inside the file
// (FILE:LINE:COL, one per line) and a message of bounded length.
// `go test -fuzz=FuzzLoad ./models` runs it; CI runs it for a minute.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"good", "bad"} {
		paths, err := filepath.Glob(filepath.Join("..", "testdata", "models", dir, "*.yaml"))
		if err != nil || len(paths) == 0 {
			f.Fatalf("no seed models in testdata/models/%s (%v)", dir, err)
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		if err == nil {
			if m.Canonical() == "" || len(m.Hash) != 64 {
				t.Fatalf("a loaded model without canonical text or hash: %q", m.Hash)
			}
			for name := range m.Targets {
				m.Target(name) // must not panic; unset ${VAR}s may fail it
			}
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("got %T %v, want models.Errors", err, err)
		}
		text := utf8Text(data)
		last, _ := position(text, len(text))
		for _, e := range es {
			if e.File != "fuzz.yaml" || e.Line < 1 || e.Col < 1 || e.Line > last+1 {
				t.Errorf("error %q at %d:%d, want a position in the file's %d lines", e.Msg, e.Line, e.Col, last)
			}
			if len(e.Msg) > 2000 {
				t.Errorf("error of %d bytes, want values cut: %.200q", len(e.Msg), e.Msg)
			}
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !errLine.MatchString(line) {
				t.Errorf("error line %q, want FILE:LINE:COL: message", line)
			}
		}
	})
}

// utf8Text is data as go-yaml reads it: UTF-8, or UTF-16 after a byte
// order mark, decoded.
func utf8Text(data []byte) []byte {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	default:
		return data
	}
	units := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	return []byte(string(utf16.Decode(units)))
}
