package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// sim simulates people one at a time and streams their events to the writer,
// until the writer has the requested number of rows.
//
// What people do and when comes from r; where they came from, their browsers
// and the crawlers come from e, so the enrichment can change without moving
// anyone's events.
type sim struct {
	w          *writer
	r          *rand.Rand
	e          *rand.Rand
	anons      idGen
	botAnons   idGen
	start, end int64   // the date range, Unix microseconds
	scale      float64 // range length relative to the default 90 days
}

func newSim(w *writer, opts Options) *sim {
	start := opts.Start.UnixMicro()
	return &sim{
		w:        w,
		r:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x70656f706c65)),   // "people"
		e:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x636f6e74657874)), // "context"
		anons:    newIDGen(opts.Seed, 2),
		botAnons: newIDGen(opts.Seed, 4),
		start:    start,
		end:      start + int64(opts.Days)*day,
		scale:    float64(opts.Days) / 90,
	}
}

// person is one contact: up to two devices (anonymous ids) and, once signed
// up, a user id.
type person struct {
	user       string
	anon       [2]string
	device     int     // the device in use
	anonSeen   [2]bool // the device sent an event without user_id
	identified [2]bool // an identifies row maps the device to the user
	engagement float64 // multiplies events per visit and visit frequency
	ua         [2]string
	locale     string
	last       [2]string // the url the device's browser showed last
	lastAt     [2]int64  // and when
}

// lastURL is the page p's browser showed last, where the next visit starts
// when it follows a link of ours.
func (p *person) lastURL() string { return p.last[p.device] }

func (s *sim) run(ctx context.Context) error {
	for n := 0; !s.w.full(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		if s.e.Float64() < crawlShare {
			if err := s.crawl(); err != nil {
				return err
			}
		}
		p := &person{anon: [2]string{s.anons.next()}, engagement: float64(count(s.r, 100, 0.6)) / 100}
		p.ua[0], p.locale = pick(s.e, userAgents), pick(s.e, locales)
		var err error
		switch k := s.r.Float64(); {
		case k < 0.5:
			err = s.visitor(p)
		case k < 0.8:
			err = s.trialist(p)
		default:
			err = s.customer(p)
		}
		if err != nil {
			return err
		}
		s.w.stats.People++
	}
	return nil
}

// visitor never signs up: a few anonymous visits to the website, blog or docs.
func (s *sim) visitor(p *person) error {
	t := s.daytime(between(s.r, s.start, s.end))
	for visits := count(s.r, 2, 0.8); visits > 0 && t < s.end; visits-- {
		var err error
		if t, err = s.browse(p, t); err != nil {
			return err
		}
		t = s.nextVisit(t, 4*day)
	}
	return nil
}

// trialist visits anonymously, signs up (Account Created plus an identifies
// row for the browser they used) and goes on to use the product.
func (s *sim) trialist(p *person) error {
	t := s.daytime(between(s.r, s.start, s.end))
	var err error
	for visits := s.r.IntN(3); visits > 0 && t < s.end; visits-- {
		if t, err = s.browse(p, t); err != nil {
			return err
		}
		t = s.nextVisit(t, 2*day)
	}
	if t >= s.end {
		return nil
	}
	if t, err = s.signup(p, t); err != nil {
		return err
	}
	return s.productLife(p, t)
}

// customer signed up before the range: known user id from the first event.
func (s *sim) customer(p *person) error {
	p.user = s.newUser()
	t := s.daytime(s.start + lognormal(s.r, int64(s.scale*float64(2*day)), 1))
	return s.productLife(p, t)
}

func (s *sim) newUser() string {
	s.w.stats.Users++
	return fmt.Sprintf("u_%06d", s.w.stats.Users)
}

// productLife is a user's visits until they churn or the range ends: product
// use, often prompted by an email, a blog post or the docs minutes before;
// sometimes a quiet month and a comeback; sometimes a second device.
func (s *sim) productLife(p *person, t int64) error {
	gap := int64(float64(3*day) * s.scale / p.engagement)
	for t < s.end && !s.w.full() {
		var err error
		switch {
		case s.r.Float64() >= 0.05:
			t, err = s.userVisit(p, t)
		case p.anon[1] == "":
			// A second browser, first seen reading the docs anonymously.
			p.device, p.anon[1], p.ua[1] = 1, s.anons.next(), pick(s.e, userAgents)
			t, err = s.prompted(p, t, docsPages)
		default:
			p.device = 1
			t, err = s.userVisit(p, t)
		}
		if err != nil {
			return err
		}
		p.device = 0
		switch k := s.r.Float64(); {
		case k < 0.04:
			return nil // churned
		case k < 0.10:
			t = s.daytime(t + between(s.r, 31*day, 75*day)) // quiet, maybe resurrected
		default:
			t = s.nextVisit(t, gap)
		}
	}
	return nil
}

// userVisit is one visit of a user, mostly product use.
func (s *sim) userVisit(p *person, t int64) (int64, error) {
	switch k := s.r.Float64(); {
	case k < 0.42:
		return s.product(p, t, "")
	case k < 0.57:
		return s.prompted(p, t, websiteTracks)
	case k < 0.65:
		return s.prompted(p, t, blogPages)
	case k < 0.77:
		return s.prompted(p, t, docsPages)
	case k < 0.85:
		t, err := s.product(p, t, "")
		if err != nil {
			return t, err
		}
		return s.pages(p, s.soon(t), docsPages, docsCatalog, false, p.lastURL()) // looked something up
	case k < 0.93:
		return s.pages(p, t, websitePages, websiteCatalog, true, "")
	default:
		return s.email(p, t) // opened, not followed
	}
}

// browse is one anonymous visit: the website, a blog post or the docs.
func (s *sim) browse(p *person, t int64) (int64, error) {
	switch k := s.r.Float64(); {
	case k < 0.45:
		return s.website(p, t, "")
	case k < 0.8:
		t, err := s.pages(p, t, blogPages, blogCatalog, false, "")
		if err != nil || s.r.Float64() > 0.3 {
			return t, err
		}
		return s.website(p, s.soon(t), p.lastURL()) // read a post, then looked at the product
	default:
		return s.pages(p, t, docsPages, docsCatalog, false, "")
	}
}

// website is a marketing visit from a landing page, with some clicks. Each
// page's referrer is the page before; a click (a track call) carries the
// referrer of the page it happens on.
func (s *sim) website(p *person, t int64, from string) (int64, error) {
	pg := popular(s.r, landingPages)
	a := s.arrive(p, websitePages, t, from)
	url, ref := a.url(pg.url), a.referrer
	for n := count(s.r, 3, 0.6); n > 0; n-- {
		if err := s.emit(p, websitePages, t, pg.name, url, ref, false); err != nil {
			return t, err
		}
		if s.r.Float64() < 0.15 {
			t = s.step(t)
			if err := s.emit(p, websiteTracks, t, popular(s.r, marketingClicks), url, ref, false); err != nil {
				return t, err
			}
		}
		t = s.step(t)
		pg = popular(s.r, websiteCatalog)
		url, ref = pg.url, url
	}
	return t, nil
}

// pages is a visit of a few pages from catalog in table tbl; known says
// whether the site knows the user (the website after signup does); from is
// as for arrive.
func (s *sim) pages(p *person, t int64, tbl tableID, catalog []page, known bool, from string) (int64, error) {
	a := s.arrive(p, tbl, t, from)
	ref := a.referrer
	for n, first := count(s.r, 2.5*p.engagement, 0.7), true; n > 0; n, first = n-1, false {
		pg := popular(s.r, catalog)
		url := pg.url
		if first {
			url = a.url(url)
		}
		if err := s.emit(p, tbl, t, pg.name, url, ref, known); err != nil {
			return t, err
		}
		t = s.step(t)
		ref = url
	}
	return t, nil
}

// signup: pricing, the signup page, then Account Created in the app and the
// identify that ties the browser's anonymous history to the new user.
func (s *sim) signup(p *person, t int64) (int64, error) {
	steps := []page{popular(s.r, landingPages), websiteCatalog[1], signupPage}
	steps = steps[s.r.IntN(2):]
	a := s.arrive(p, websitePages, t, "")
	url, ref := a.url(steps[0].url), a.referrer
	for i, pg := range steps {
		if i > 0 {
			url, ref = pg.url, url
		}
		if err := s.emit(p, websitePages, t, pg.name, url, ref, false); err != nil {
			return t, err
		}
		t = s.step(t)
	}
	if err := s.emit(p, websiteTracks, t, "CTA Clicked", signupPage.url, ref, false); err != nil {
		return t, err
	}
	t += between(s.r, 20*second, 4*minute) // filling in the form, confirming the email
	p.user = s.newUser()
	for i, f := range onboarding[:1+s.r.IntN(len(onboarding))] {
		// The app is a single-page app: document.referrer stays the page that
		// loaded it, here the signup form, for every track call.
		if err := s.emit(p, appTracks, t, f.event, f.url, signupPage.url, true); err != nil {
			return t, err
		}
		if i == 0 && p.anonSeen[p.device] {
			if err := s.identify(p, t+between(s.r, 1000, 900_000)); err != nil {
				return t, err
			}
		}
		t = s.step(t)
	}
	return t, nil
}

// product is a burst of feature use in the app, loaded from the page from
// (as for arrive). The app is a single-page app, so every track call of the
// burst carries the referrer of the load.
func (s *sim) product(p *person, t int64, from string) (int64, error) {
	ref := s.arrive(p, appTracks, t, from).referrer
	if !p.identified[p.device] && p.anonSeen[p.device] {
		// Logging in on a browser with anonymous history sends an identify.
		if err := s.identify(p, t-between(s.r, 1000, 5*second)); err != nil {
			return t, err
		}
	}
	for n := count(s.r, 4*p.engagement, 0.8); n > 0; n-- {
		f := popular(s.r, featureCatalog)
		if err := s.emit(p, appTracks, t, f.event, f.url, ref, true); err != nil {
			return t, err
		}
		t = s.step(t)
	}
	return t, nil
}

// prompted is a marketing or asset touch followed within minutes by product
// use: an email open, a blog post, a docs page.
func (s *sim) prompted(p *person, t int64, via tableID) (int64, error) {
	var err error
	from := "" // the email's link to the app is not tracked: direct
	switch via {
	case websiteTracks:
		t, err = s.email(p, t)
	case blogPages:
		t, err = s.pages(p, t, blogPages, blogCatalog, false, "")
		from = p.lastURL()
	default:
		t, err = s.pages(p, t, docsPages, docsCatalog, false, "")
		from = p.lastURL()
	}
	if err != nil {
		return t, err
	}
	return s.product(p, s.soon(t), from)
}

// email is a marketing email opened by a known user. The email platform
// sends the event from its servers: no referrer, user agent or locale.
func (s *sim) email(p *person, t int64) (int64, error) {
	e := row{name: "Email Opened", url: popular(s.r, emailCampaigns)}
	err := s.send(p, websiteTracks, t, e, true)
	return s.step(t), err
}

func (s *sim) identify(p *person, t int64) error {
	if t >= s.end {
		return nil
	}
	p.identified[p.device] = true
	return s.w.identify(row{anon: p.anon[p.device], user: p.user, ts: t})
}

// emit writes one event of p from the browser of the current device, which
// came to url from the page ref; known says whether it carries the user id.
func (s *sim) emit(p *person, tbl tableID, t int64, name, url, ref string, known bool) error {
	p.last[p.device], p.lastAt[p.device] = url, t
	return s.send(p, tbl, t, row{name: name, url: url, referrer: ref, ua: p.ua[p.device], locale: p.locale}, known)
}

// send writes e as p's event at t, from the current device.
func (s *sim) send(p *person, tbl tableID, t int64, e row, known bool) error {
	if t >= s.end || s.w.full() {
		return nil
	}
	e.anon, e.ts = p.anon[p.device], t
	if known {
		e.user = p.user
	}
	if e.user == "" {
		p.anonSeen[p.device] = true
	}
	return s.w.event(tbl, e)
}
