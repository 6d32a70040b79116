package chdb

import (
	"database/sql/driver"
	"encoding/binary"
	"math"
	"reflect"
	"testing"
	"time"
)

// rb builds RowBinaryWithNamesAndTypes output by hand.
type rb []byte

func (b rb) uvarint(n uint64) rb { return binary.AppendUvarint(b, n) }
func (b rb) str(s string) rb     { return append(b.uvarint(uint64(len(s))), s...) }
func (b rb) le(v uint64, n int) rb {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func TestRowBinary(t *testing.T) {
	types := []string{"Nullable(String)", "LowCardinality(String)", "Int32", "Nullable(Int64)", "UInt64",
		"Float64", "Bool", "Date32", "Nullable(DateTime64(6, 'UTC'))", "DateTime('UTC')", "Nullable(Nothing)"}
	b := rb{}.uvarint(uint64(len(types)))
	for i := range types {
		b = b.str(string(rune('a' + i)))
	}
	for _, ty := range types {
		b = b.str(ty)
	}
	neg := -1500000 // 1969-12-31 23:59:58.5
	b = append(b, 0)
	b = b.str("x").str("low")
	b = b.le(uint64(0xfffffffd), 4)     // Int32 -3
	b = append(b, 1)                    // Nullable(Int64) NULL
	b = b.le(42, 8)                     // UInt64
	b = b.le(math.Float64bits(1.5), 8)  // Float64
	b = append(b, 1)                    // Bool true
	b = b.le(uint64(19783), 4)          // Date32 2024-03-01
	b = append(b, 0).le(uint64(neg), 8) // DateTime64(6)
	b = b.le(uint64(1709287200), 4)     // DateTime 2024-03-01 10:00:00
	b = append(b, 1)                    // Nullable(Nothing): a bare NULL
	r, err := newRowBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]driver.Value, len(types))
	if err := r.Next(got); err != nil {
		t.Fatal(err)
	}
	want := []driver.Value{"x", "low", int64(-3), nil, int64(42), 1.5, true,
		time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 58, 500000000, time.UTC),
		time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if err := r.Next(got); err == nil {
		t.Error("read a second row from one")
	}
	if _, err := parseColType("Array(String)"); err == nil {
		t.Error("Array(String) parsed; want an error naming it")
	}
}
