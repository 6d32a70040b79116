package report

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/sessionize/sessionize/dialects"
)

// topAssets reads the top entry assets ordered by column order ("sessions"
// or "signups"), ties broken by bytes so every engine gives the same order.
func (r *reader) topAssets(ctx context.Context, order string, top int) ([]Asset, error) {
	var rows []struct {
		Property string         `db:"entry_property"`
		URL      sql.NullString `db:"entry_url"`
		Sessions int64          `db:"sessions"`
		Contacts int64          `db:"contacts"`
		Signups  int64          `db:"signups"`
	}
	if err := r.selectRows(ctx, &rows, "top_assets", map[string]any{"order": order, "limit": top}); err != nil {
		return nil, err
	}
	assets := make([]Asset, len(rows))
	for i, row := range rows {
		assets[i] = Asset{Property: row.Property, URL: row.URL.String, HasURL: row.URL.Valid,
			Sessions: row.Sessions, Contacts: row.Contacts, Signups: row.Signups}
	}
	sort.SliceStable(assets, func(i, j int) bool {
		a, b := assets[i], assets[j]
		if order == "signups" && a.Signups != b.Signups {
			return a.Signups > b.Signups
		}
		if a.Sessions != b.Sessions {
			return a.Sessions > b.Sessions
		}
		if a.Property != b.Property {
			return a.Property < b.Property
		}
		if a.HasURL != b.HasURL {
			return a.HasURL
		}
		return a.URL < b.URL
	})
	return assets, nil
}

// assetEvents fills the product events each of the given assets led to.
func (r *reader) assetEvents(ctx context.Context, lists ...[]Asset) error {
	var urls []string
	seen := map[string]bool{}
	nullURL := false
	for _, list := range lists {
		for _, a := range list {
			if !a.HasURL {
				nullURL = true
			} else if !seen[a.URL] {
				seen[a.URL] = true
				urls = append(urls, dialects.Literal(a.URL))
			}
		}
	}
	if len(urls) == 0 && !nullURL {
		return nil
	}
	sort.Strings(urls)
	var rows []struct {
		Property string         `db:"entry_property"`
		URL      sql.NullString `db:"entry_url"`
		Event    sql.NullString `db:"event"`
		Sessions int64          `db:"sessions"`
		Signups  int64          `db:"signups"`
	}
	args := map[string]any{"urls": strings.Join(urls, ", "), "nullURL": nullURL}
	if err := r.selectRows(ctx, &rows, "asset_events", args); err != nil {
		return err
	}
	key := func(property string, url sql.NullString) string {
		if !url.Valid {
			return property + "\x00null"
		}
		return property + "\x00=" + url.String
	}
	byAsset := map[string][]AssetEvent{}
	for _, row := range rows {
		k := key(row.Property, row.URL)
		byAsset[k] = append(byAsset[k], AssetEvent{Event: row.Event.String, Sessions: row.Sessions, Signups: row.Signups})
	}
	for _, list := range lists {
		for i := range list {
			a := &list[i]
			evs := append([]AssetEvent(nil), byAsset[key(a.Property, sql.NullString{String: a.URL, Valid: a.HasURL})]...)
			sort.Slice(evs, func(i, j int) bool {
				if evs[i].Sessions != evs[j].Sessions {
					return evs[i].Sessions > evs[j].Sessions
				}
				return evs[i].Event < evs[j].Event
			})
			a.Events = evs
		}
	}
	return nil
}
