package demo

import "math/rand/v2"

// weighted is a choice with its relative weight.
type weighted[T any] struct {
	w int
	v T
}

// pick draws from list in proportion to the weights.
func pick[T any](r *rand.Rand, list []weighted[T]) T {
	total := 0
	for _, c := range list {
		total += c.w
	}
	n := r.IntN(total)
	for _, c := range list {
		if n -= c.w; n < 0 {
			return c.v
		}
	}
	panic("unreachable")
}

// arrival is how a visit reached its first page: the referrer the browser
// sent and what the link it followed added to the url. Campaign links carry
// utm_* parameters the way real ones do: encoded spaces both ways, mixed case,
// a key repeated by a link shortener, an empty value, a fragment, a byte that
// is not UTF-8, and a "utm" after the "#" that is therefore no query string
// (enrichment §3.6 says how each is read).
type arrival struct {
	referrer string
	suffix   string // a query string and/or fragment appended to the landing url
	landing  string // a campaign's own landing page, or "" for the page drawn
}

// arrive is how p's visit to tbl at t got there: from the page from when
// not empty; from the page p's browser showed last when that was less than
// half an hour ago (still at the screen, p followed a link); else from
// tbl's mix of arrivals.
func (s *sim) arrive(p *person, tbl tableID, t int64, from string) arrival {
	if from == "" && p.lastURL() != "" && t-p.lastAt[p.device] < 30*minute {
		from = p.lastURL()
	}
	if from != "" {
		return arrival{referrer: from}
	}
	return pick(s.e, arrivals[tbl])
}

// url is the first page's url when the visit would otherwise land on drawn.
func (a arrival) url(drawn string) string {
	if a.landing != "" {
		drawn = a.landing
	}
	return drawn + a.suffix
}

// Referrers as browsers send them: search engines and most sites send only
// their origin (strict-origin-when-cross-origin), a few send a full url.
const (
	google     = "https://www.google.com/"
	bing       = "https://www.bing.com/"
	duckduckgo = "https://duckduckgo.com/"
	tco        = "https://t.co/x8Kq2LmZpA"
	linkedin   = "https://www.linkedin.com/"
	hackernews = "https://news.ycombinator.com/"
	reddit     = "https://www.reddit.com/r/dataengineering/"
	github     = "https://github.com/sessionize/sessionize"
	g2         = "https://www.g2.com/products/sessionize/reviews"
)

const (
	paidSearch = "?utm_source=google&utm_medium=cpc&utm_campaign=spring_launch&utm_term=session+analytics&gclid=EAIaIQobChMI8uTq"
	newsletter = "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-digest"
)

// websiteArrivals is the mix of the marketing website: about a quarter
// direct, organic and paid search, social, partners and campaigns.
var websiteArrivals = []weighted[arrival]{
	{26, arrival{}},
	{1, arrival{suffix: "#faq"}}, // a shared link to a section of the page
	{14, arrival{referrer: google}},
	{2, arrival{referrer: "https://www.google.de/"}},
	{1, arrival{referrer: "https://www.google.co.uk/"}},
	{1, arrival{referrer: "https://www.google.com/search?q=session+analytics+sql"}},
	{3, arrival{referrer: bing}},
	{2, arrival{referrer: duckduckgo}},
	{1, arrival{referrer: "https://www.ecosia.org/"}},
	{8, arrival{referrer: google, suffix: paidSearch, landing: site + "/lp/product-analytics"}},
	{2, arrival{referrer: bing, suffix: "?utm_source=bing&utm_medium=cpc&utm_campaign=spring_launch&utm_term=sessionization%20sql&msclkid=3f2a9c41", landing: site + "/lp/product-analytics"}},
	{3, arrival{referrer: tco}},
	{3, arrival{referrer: linkedin}},
	{3, arrival{referrer: hackernews}},
	{2, arrival{referrer: reddit}},
	{1, arrival{referrer: "https://lnkd.in/"}},
	{4, arrival{referrer: linkedin, suffix: "?utm_source=linkedin&utm_medium=paid_social&utm_campaign=q1_abm&utm_content=carousel_v2", landing: site + "/lp/session-analytics"}},
	{1, arrival{suffix: "?utm_source=linkedin&utm_medium=paid_social&utm_campaign=q1_abm&utm_content=video", landing: site + "/lp/session-analytics"}}, // LinkedIn's app sends no referrer
	{3, arrival{suffix: newsletter}},
	{1, arrival{suffix: "?utm_source=Newsletter&utm_medium=Email&utm_campaign=product-update#whats-new"}},
	{1, arrival{suffix: "?utm_source=newsletter&utm_medium=email&utm_campaign=caf%E9-cr%E8me"}}, // Latin-1, not UTF-8
	{2, arrival{referrer: "https://www.theverge.com/", suffix: "?utm_source=adroll&utm_medium=display&utm_campaign=black%20friday"}},
	{1, arrival{referrer: "https://www.wired.com/", suffix: "?utm_source=adroll&utm_medium=display&utm_campaign=black+friday"}},
	{1, arrival{referrer: g2, suffix: "?utm_source=partnerstack&utm_medium=affiliate&utm_campaign=partner_q1&utm_content="}},
	{1, arrival{referrer: tco, suffix: "?utm_source=twitter&utm_medium=social&utm_campaign=launch_week&utm_source=buffer"}},
	{1, arrival{suffix: "?utm_source=podcast&utm_medium=audio&utm_campaign=data_engineering_show"}},
	{1, arrival{suffix: "#utm_source=slack&utm_medium=social"}}, // after the '#': no query string
	{3, arrival{referrer: github}},
	{2, arrival{referrer: g2}},
	{1, arrival{referrer: "https://segment.com/catalog/destinations/"}},
	{1, arrival{referrer: "https://stackoverflow.com/questions/20155813/sessionize-events-in-sql"}},
	{1, arrival{referrer: "android-app://com.google.android.gm/"}}, // the Gmail app
}

// blogArrivals: search and social first, and the newsletter.
var blogArrivals = []weighted[arrival]{
	{18, arrival{}},
	{28, arrival{referrer: google}},
	{4, arrival{referrer: bing}},
	{3, arrival{referrer: duckduckgo}},
	{8, arrival{referrer: hackernews}},
	{5, arrival{referrer: reddit}},
	{5, arrival{referrer: tco}},
	{5, arrival{referrer: linkedin}},
	{7, arrival{suffix: newsletter}},
	{2, arrival{suffix: "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-digest&utm_source=mailchimp#comments"}},
	{3, arrival{referrer: tco, suffix: "?utm_source=twitter&utm_medium=social&utm_campaign=blog_share"}},
	{4, arrival{referrer: "https://medium.com/"}},
	{3, arrival{referrer: "https://dev.to/"}},
	{3, arrival{referrer: github}},
	{2, arrival{referrer: site + "/"}},
}

// docsArrivals: searches for an answer, links from the app and from GitHub.
var docsArrivals = []weighted[arrival]{
	{25, arrival{}},
	{35, arrival{referrer: google}},
	{3, arrival{referrer: bing}},
	{3, arrival{referrer: duckduckgo}},
	{10, arrival{referrer: appSite + "/"}},
	{6, arrival{referrer: site + "/"}},
	{8, arrival{referrer: github}},
	{6, arrival{referrer: "https://stackoverflow.com/"}},
	{2, arrival{referrer: hackernews}},
	{2, arrival{suffix: "#authentication"}},
}

// appArrivals is document.referrer when the app loads: mostly a bookmark or
// a typed url, else the website's log-in link, a search, the docs.
var appArrivals = []weighted[arrival]{
	{72, arrival{}},
	{12, arrival{referrer: site + "/"}},
	{6, arrival{referrer: google}},
	{5, arrival{referrer: "https://docs.example.com/"}},
	{2, arrival{referrer: "https://app.slack.com/"}},
}

// arrivals is each page or track table's mix of arrivals.
var arrivals = [numEventTables][]weighted[arrival]{
	websitePages:  websiteArrivals,
	websiteTracks: websiteArrivals,
	appTracks:     appArrivals,
	docsPages:     docsArrivals,
	blogPages:     blogArrivals,
}

// userAgents are the browsers of people, roughly in their market shares on a
// B2B site. None matches the demo model's bots: patterns.
var userAgents = []weighted[string]{
	{30, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{20, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{10, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"},
	{8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"},
	{5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"},
	{3, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"},
	{3, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{10, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"},
	{7, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"},
	{2, "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"},
	{1, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1462"},
}

// locales are browser languages (navigator.language), Segment's context_locale.
var locales = []weighted[string]{
	{50, "en-US"}, {9, "en-GB"}, {8, "de-DE"}, {6, "fr-FR"}, {4, "en-CA"}, {4, "es-ES"},
	{4, "pt-BR"}, {3, "nl-NL"}, {3, "en-AU"}, {3, "ja-JP"}, {2, "sv-SE"}, {2, "pl-PL"}, {2, "en-IN"},
}
