package run

import (
	"context"
	"fmt"
	"io"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// Summary is the short overview `sessionize demo` prints.
type Summary struct {
	Properties []struct {
		Property string `db:"property"`
		Sessions int64  `db:"sessions"`
		Contacts int64  `db:"contacts"`
		Events   int64  `db:"events"`
	}
	ContactSessions, CrossProperty, Prompted int64
	New, Active, Resurrected                 int64
	Rejected                                 int64
}

// Summarize reads the summary from a target's outputs.
func Summarize(ctx context.Context, m *models.Model, t models.Target) (_ *Summary, err error) {
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	d, drv, err := engine.For(t)
	if err != nil {
		return nil, err
	}
	s, err := engine.OpenToRead(ctx, drv, t, m.Output.Schema)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	n := names{d, m.Output.Schema}
	sum := &Summary{}
	q := "SELECT property, COUNT(*) AS sessions, COUNT(DISTINCT contact_id) AS contacts, " + d.SumBigint("event_count") +
		" AS events FROM " + n.table("sessions") + " GROUP BY property ORDER BY property"
	if err := s.Conn.SelectContext(ctx, &sum.Properties, q); err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	counts := []struct {
		dest *int64
		q    string
	}{
		{&sum.ContactSessions, "SELECT COUNT(*) FROM " + n.table("contact_sessions")},
		{&sum.CrossProperty, "SELECT " + d.CountIf("is_cross_property") + " FROM " + n.table("contact_sessions")},
		{&sum.Prompted, "SELECT " + d.CountIf("prompted_product") + " FROM " + n.table("contact_sessions")},
		{&sum.New, "SELECT " + d.CountIf("user_lifecycle = 'new'") + " FROM " + n.table("sessions")},
		{&sum.Active, "SELECT " + d.CountIf("user_lifecycle = 'active'") + " FROM " + n.table("sessions")},
		{&sum.Resurrected, "SELECT " + d.CountIf("user_lifecycle = 'resurrected'") + " FROM " + n.table("sessions")},
		{&sum.Rejected, "SELECT COUNT(*) FROM " + n.table("rejected_events")},
	}
	for _, c := range counts {
		if err := s.Conn.GetContext(ctx, c.dest, c.q); err != nil {
			return nil, fmt.Errorf("summarize: %w", err)
		}
	}
	return sum, nil
}

// Print writes the summary as a few aligned lines.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "%-16s %10s %10s %12s\n", "property", "sessions", "contacts", "events")
	for _, p := range s.Properties {
		fmt.Fprintf(w, "%-16s %10d %10d %12d\n", p.Property, p.Sessions, p.Contacts, p.Events)
	}
	pct := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	fmt.Fprintf(w, "\ncontact sessions: %d, cross-property %d (%.1f%%), prompted product use %d (%.1f%%)\n",
		s.ContactSessions, s.CrossProperty, pct(s.CrossProperty, s.ContactSessions), s.Prompted, pct(s.Prompted, s.ContactSessions))
	fmt.Fprintf(w, "product sessions: new-user %d, active-user %d, resurrected-user %d\n", s.New, s.Active, s.Resurrected)
	fmt.Fprintf(w, "rejected rows: %d\n", s.Rejected)
}
