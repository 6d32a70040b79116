package cli

import (
	"strings"
	"testing"
)

// TestSumChannels wants daily_channels summed over its days into sessions
// per channel and property, largest channel first.
func TestSumChannels(t *testing.T) {
	in := `day,property,channel,sessions,contacts,prompted_product_sessions,new_user_sessions
2026-01-01,marketing,Direct,3,3,0,0
2026-01-01,marketing,Organic Search,5,4,1,0
2026-01-01,product,Direct,7,2,0,1
2026-01-02,marketing,Direct,1,1,0,0
2026-01-02,asset:docs,Organic Search,2,2,0,0
2026-01-02,asset:articles,Email,1,1,0,0
2026-01-02,marketing,Email,1,1,0,0
2026-01-03,marketing,Organic Social,1,1,0,0
`
	tbl, err := sumChannels(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	tbl.print(&b)
	want := `channel          sessions asset:articles asset:docs  marketing    product
Direct                 11              0          0          4          7
Organic Search          7              0          2          5          0
Email                   2              1          0          1          0
Organic Social          1              0          0          1          0
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestSumChannelsErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "daily_channels: no header"},
		{"no channel column", "day,property,sessions\n", "daily_channels has no column channel (columns: day, property, sessions)"},
		{"not a count", "day,property,channel,sessions\n2026-01-01,marketing,Direct,x\n", `daily_channels row 1: sessions: strconv.ParseInt: parsing "x": invalid syntax`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sumChannels(strings.NewReader(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}
