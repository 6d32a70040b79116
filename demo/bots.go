package demo

// crawler is an automated client that runs the pages' JavaScript, and so
// sends Segment page calls: search engines' renderers, SEO crawlers, and a
// headless browser checking that the site is up.
type crawler struct {
	ua     string
	locale string
	check  bool // the uptime check: one anonymous id, a fixed round of pages
}

// crawlers each match one of the demo model's bots: patterns
// (*bot*, *crawler*, *spider*, *headlesschrome*).
var crawlers = []weighted[crawler]{
	{28, crawler{ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/131.0.6778.69 Safari/537.36"}},
	{24, crawler{ua: "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}},
	{14, crawler{ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.0.0 Safari/537.36"}},
	{10, crawler{ua: "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"}},
	{4, crawler{ua: "Mozilla/5.0 (compatible; Baiduspider-render/2.0; +http://www.baidu.com/search/spider.html)"}},
	{4, crawler{ua: "Mozilla/5.0 (compatible; proximic; +https://www.comscore.com/Web-Crawler)"}},
	{12, crawler{ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36", locale: "en-US", check: true}},
}

// crawlShare is the chance that a crawl runs beside each simulated person:
// about 1% of the rows come from crawlers.
const crawlShare = 0.07

// uptimeCheck is the round of the headless uptime check: three public pages
// and the app's public status dashboard.
var uptimeCheck = []struct {
	tbl       tableID
	name, url string
}{
	{websitePages, "Home", site + "/"},
	{websitePages, "Pricing", site + "/pricing"},
	{docsPages, "Quickstart", "https://docs.example.com/quickstart"},
	{appTracks, "Dashboard Viewed", appSite + "/public/status"},
}

// crawled is where crawlers go: everything public, not only the popular pages.
var crawled = []weighted[tableID]{{40, websitePages}, {35, blogPages}, {25, docsPages}}

// crawl is one crawl at any hour: a search engine or SEO crawler fetching a
// few pages of the website, blog and docs seconds apart, with a fresh
// anonymous id per page since it keeps no storage; or one uptime check.
// It draws only from the enrichment stream, so the people are the same
// with or without crawlers.
func (s *sim) crawl() error {
	c := pick(s.e, crawlers)
	t := between(s.e, s.start, s.end)
	e := row{ua: c.ua, locale: c.locale}
	if c.check {
		e.anon = s.botAnons.next()
		for i, pg := range uptimeCheck {
			e.ts, e.name, e.url, e.referrer = t, pg.name, pg.url, ""
			if i > 0 && uptimeCheck[i-1].tbl == pg.tbl {
				e.referrer = uptimeCheck[i-1].url // a click; the other pages are loaded directly
			}
			if err := s.bot(pg.tbl, e); err != nil {
				return err
			}
			t += between(s.e, second, 5*second)
		}
		return nil
	}
	for n := count(s.e, 4, 0.7); n > 0; n-- {
		var pg page
		tbl := pick(s.e, crawled)
		switch tbl {
		case websitePages:
			pg = websiteCatalog[s.e.IntN(len(websiteCatalog))]
		case blogPages:
			pg = blogCatalog[s.e.IntN(len(blogCatalog))]
		default:
			pg = docsCatalog[s.e.IntN(len(docsCatalog))]
		}
		e.anon, e.ts, e.name, e.url = s.botAnons.next(), t, pg.name, pg.url
		if err := s.bot(tbl, e); err != nil {
			return err
		}
		t += between(s.e, second, 20*second)
	}
	return nil
}

func (s *sim) bot(tbl tableID, e row) error {
	if e.ts >= s.end {
		return nil
	}
	return s.w.bot(tbl, e)
}
