package chdb

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// rowBinary reads ClickHouse's RowBinaryWithNamesAndTypes output: a header
// of column names and types, then each row's values back to back. It knows
// the types sessionize's tables and queries use; others are an error that
// names them.
type rowBinary struct {
	buf   []byte
	names []string
	types []colType
}

// colType is a parsed ClickHouse type.
type colType struct {
	name     string // base type, e.g. "DateTime64"
	nullable bool
	scale    int // DateTime64 precision
}

func newRowBinary(b []byte) (*rowBinary, error) {
	r := &rowBinary{buf: b}
	if len(b) == 0 {
		return r, nil
	}
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	r.names = make([]string, n)
	for i := range r.names {
		if r.names[i], err = r.str(); err != nil {
			return nil, err
		}
	}
	r.types = make([]colType, n)
	for i := range r.types {
		t, err := r.str()
		if err != nil {
			return nil, err
		}
		if r.types[i], err = parseColType(t); err != nil {
			return nil, fmt.Errorf("chdb: column %s: %w", r.names[i], err)
		}
	}
	return r, nil
}

func parseColType(t string) (colType, error) {
	var c colType
	for {
		if inner, ok := unwrap(t, "Nullable"); ok {
			c.nullable, t = true, inner
			continue
		}
		if inner, ok := unwrap(t, "LowCardinality"); ok {
			t = inner
			continue
		}
		break
	}
	if inner, ok := unwrap(t, "DateTime64"); ok {
		p, _, _ := strings.Cut(inner, ",")
		scale, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return c, fmt.Errorf("type %s is not supported", t)
		}
		c.name, c.scale = "DateTime64", scale
		return c, nil
	}
	if strings.HasPrefix(t, "DateTime(") {
		t = "DateTime"
	}
	switch t {
	case "String", "Bool", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
		"Float32", "Float64", "Date", "Date32", "DateTime", "Nothing":
		c.name = t
		return c, nil
	}
	return c, fmt.Errorf("type %s is not supported", t)
}

func unwrap(t, wrapper string) (string, bool) {
	if strings.HasPrefix(t, wrapper+"(") && strings.HasSuffix(t, ")") {
		return t[len(wrapper)+1 : len(t)-1], true
	}
	return "", false
}

func (r *rowBinary) Columns() []string { return r.names }
func (r *rowBinary) Close() error      { r.buf = nil; return nil }

func (r *rowBinary) Next(dest []driver.Value) error {
	if len(r.buf) == 0 {
		return io.EOF
	}
	for i, t := range r.types {
		v, err := r.value(t)
		if err != nil {
			return fmt.Errorf("chdb: column %s: %w", r.names[i], err)
		}
		dest[i] = v
	}
	return nil
}

var errShort = errors.New("truncated RowBinary output")

func (r *rowBinary) take(n int) ([]byte, error) {
	if len(r.buf) < n {
		return nil, errShort
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b, nil
}

func (r *rowBinary) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		return 0, errShort
	}
	r.buf = r.buf[n:]
	return v, nil
}

func (r *rowBinary) str() (string, error) {
	n, err := r.uvarint()
	if err != nil {
		return "", err
	}
	b, err := r.take(int(n))
	return string(b), err
}

func (r *rowBinary) fixed(n int) (uint64, error) {
	b, err := r.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

var epoch = time.Unix(0, 0).UTC()

// fixedSize is the width in bytes of each fixed-width type.
var fixedSize = map[string]int{
	"Bool": 1, "Int8": 1, "UInt8": 1, "Int16": 2, "UInt16": 2, "Int32": 4, "UInt32": 4,
	"Int64": 8, "UInt64": 8, "Float32": 4, "Float64": 8, "Date": 2, "Date32": 4,
	"DateTime": 4, "DateTime64": 8,
}

func (r *rowBinary) value(t colType) (driver.Value, error) {
	if t.nullable {
		isNull, err := r.take(1)
		if err != nil {
			return nil, err
		}
		if isNull[0] == 1 {
			return nil, nil
		}
	}
	if t.name == "String" {
		return r.str()
	}
	if t.name == "Nothing" { // the type of a bare NULL
		return nil, nil
	}
	u, err := r.fixed(fixedSize[t.name])
	if err != nil {
		return nil, err
	}
	switch t.name {
	case "Bool":
		return u != 0, nil
	case "Int8":
		return int64(int8(u)), nil
	case "Int16":
		return int64(int16(u)), nil
	case "Int32":
		return int64(int32(u)), nil
	case "Int64":
		return int64(u), nil
	case "UInt8", "UInt16", "UInt32":
		return int64(u), nil
	case "UInt64":
		if u > math.MaxInt64 {
			return strconv.FormatUint(u, 10), nil
		}
		return int64(u), nil
	case "Float32":
		return float64(math.Float32frombits(uint32(u))), nil
	case "Float64":
		return math.Float64frombits(u), nil
	case "Date":
		return epoch.AddDate(0, 0, int(u)), nil
	case "Date32":
		return epoch.AddDate(0, 0, int(int32(u))), nil
	case "DateTime":
		return time.Unix(int64(u), 0).UTC(), nil
	}
	// DateTime64(scale): ticks of 10^-scale seconds since the epoch.
	ticks, div := int64(u), int64(math.Pow10(t.scale))
	sec, frac := ticks/div, ticks%div
	if frac < 0 {
		sec, frac = sec-1, frac+div
	}
	return time.Unix(sec, frac*int64(math.Pow10(9-t.scale))).UTC(), nil
}
