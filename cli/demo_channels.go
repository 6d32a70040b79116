package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// channelTable is sessions per channel (enrichment §3.6), in all and per
// property, as the demo prints it after the summary.
type channelTable struct {
	properties []string // sorted
	rows       []channelRow
}

// channelRow is one channel's sessions.
type channelRow struct {
	channel    string
	total      int64
	byProperty map[string]int64
}

// readChannels sums daily_channels (enrichment §4) over its days. It goes
// through Export, so the CLI needs no SQL of its own.
func readChannels(ctx context.Context, m *models.Model, t models.Target) (*channelTable, error) {
	var buf bytes.Buffer
	if err := run.Export(ctx, m, t, "daily_channels", "csv", &buf); err != nil {
		return nil, err
	}
	return sumChannels(&buf)
}

// sumChannels reads daily_channels as Export writes it in CSV and sums its
// sessions per channel and property. Channels come largest first, ties by
// name.
func sumChannels(r io.Reader) (*channelTable, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("daily_channels: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("daily_channels: no header")
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	for _, name := range []string{"property", "channel", "sessions"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("daily_channels has no column %s (columns: %s)", name, strings.Join(recs[0], ", "))
		}
	}
	rows := map[string]*channelRow{}
	seen := map[string]bool{}
	tbl := &channelTable{}
	for i, rec := range recs[1:] {
		n, err := strconv.ParseInt(rec[col["sessions"]], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("daily_channels row %d: sessions: %w", i+1, err)
		}
		ch, prop := rec[col["channel"]], rec[col["property"]]
		row := rows[ch]
		if row == nil {
			row = &channelRow{channel: ch, byProperty: map[string]int64{}}
			rows[ch] = row
		}
		row.total += n
		row.byProperty[prop] += n
		if !seen[prop] {
			seen[prop] = true
			tbl.properties = append(tbl.properties, prop)
		}
	}
	slices.Sort(tbl.properties)
	for _, row := range rows {
		tbl.rows = append(tbl.rows, *row)
	}
	slices.SortFunc(tbl.rows, func(a, b channelRow) int {
		return cmp.Or(cmp.Compare(b.total, a.total), strings.Compare(a.channel, b.channel))
	})
	return tbl, nil
}

// print writes one line per channel: its sessions in all, then per property.
func (c *channelTable) print(w io.Writer) {
	width := len("channel")
	for _, r := range c.rows {
		width = max(width, len(r.channel))
	}
	fmt.Fprintf(w, "%-*s %10s", width, "channel", "sessions")
	for _, p := range c.properties {
		fmt.Fprintf(w, " %*s", max(10, len(p)), p)
	}
	fmt.Fprintln(w)
	for _, r := range c.rows {
		fmt.Fprintf(w, "%-*s %10d", width, r.channel, r.total)
		for _, p := range c.properties {
			fmt.Fprintf(w, " %*d", max(10, len(p)), r.byProperty[p])
		}
		fmt.Fprintln(w)
	}
}
