package demo

import (
	"math"
	"math/rand/v2"
)

// Durations in Unix microseconds, the unit all simulated times use.
const (
	second int64 = 1_000_000
	minute       = 60 * second
	hour         = 60 * minute
	day          = 24 * hour
)

// idGen makes UUID-shaped ids, unique per generator: the low 64 bits of the
// counter go through a bijective mix, so two counters never give the same id.
type idGen struct {
	key, n uint64
}

func newIDGen(seed int64, domain uint64) idGen {
	return idGen{key: mix64(uint64(seed)*0x9e3779b97f4a7c15 + domain)}
}

func (g *idGen) next() string {
	g.n++
	a := mix64(g.n ^ g.key)
	b := mix64(a + g.key)
	return formatUUID(a, b)
}

// mix64 is the SplitMix64 finalizer, a bijection on uint64.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// formatUUID spells all 64 bits of a, plus bits of b, as a version-4 UUID.
func formatUUID(a, b uint64) string {
	var buf [36]byte
	hexTo(buf[0:8], a>>32)
	buf[8] = '-'
	hexTo(buf[9:13], a>>16)
	buf[13] = '-'
	buf[14] = '4'
	hexTo(buf[15:18], b)
	buf[18] = '-'
	hexTo(buf[19:20], 8|(b>>12)&3)
	hexTo(buf[20:23], b>>14)
	buf[23] = '-'
	hexTo(buf[24:28], a)
	hexTo(buf[28:36], b>>32)
	return string(buf[:])
}

// hexTo writes the low 4*len(dst) bits of v into dst as lowercase hex.
func hexTo(dst []byte, v uint64) {
	const digits = "0123456789abcdef"
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = digits[v&15]
		v >>= 4
	}
}

// between draws uniformly from [lo, hi).
func between(r *rand.Rand, lo, hi int64) int64 { return lo + r.Int64N(hi-lo) }

// lognormal draws around median with spread sigma (in natural-log units).
func lognormal(r *rand.Rand, median int64, sigma float64) int64 {
	return int64(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

// count draws a whole number ≥ 1 around median, heavy-tailed like real activity.
func count(r *rand.Rand, median, sigma float64) int {
	return max(1, int(math.Round(median*math.Exp(sigma*r.NormFloat64()))))
}

// page is a URL with its page name.
type page struct{ url, name string }

// popular picks from list, favouring the front: a few pages get most views.
func popular[T any](r *rand.Rand, list []T) T {
	u := r.Float64()
	return list[int(u*u*float64(len(list)))]
}

const (
	site    = "https://www.example.com"
	appSite = "https://app.example.com"
)

var websiteCatalog = []page{
	{site + "/", "Home"},
	{site + "/pricing", "Pricing"},
	{site + "/features", "Features"},
	{site + "/features/sessions", "Sessions"},
	{site + "/customers", "Customers"},
	{site + "/integrations", "Integrations"},
	{site + "/features/attribution", "Attribution"},
	{site + "/security", "Security"},
	{site + "/about", "About"},
	{site + "/careers", "Careers"},
}

// landingPages are where website visits start; the campaign parameters, if
// any, come with the visit's arrival.
var landingPages = []page{
	websiteCatalog[0],
	{site + "/lp/product-analytics", "Product Analytics"},
	websiteCatalog[1],
	{site + "/lp/session-analytics", "Session Analytics"},
	websiteCatalog[2],
}

var signupPage = page{site + "/signup", "Sign Up"}

var blogCatalog = []page{
	{site + "/blog/what-is-a-session", "What Is a Session?"},
	{site + "/blog/sessionization-in-sql", "Sessionization in SQL"},
	{site + "/blog/identity-stitching-explained", "Identity Stitching Explained"},
	{site + "/blog/marketing-to-product-attribution", "From Marketing Touch to Product Use"},
	{site + "/blog/late-arriving-events", "Late-Arriving Events"},
	{site + "/blog/dau-mau-is-not-enough", "DAU/MAU Is Not Enough"},
	{site + "/blog/resurrected-users", "Bringing Back Resurrected Users"},
	{site + "/blog/segment-warehouse-schema", "The Segment Warehouse Schema"},
	{site + "/blog/incremental-models", "Incremental Models Without Tears"},
	{site + "/blog/duckdb-for-analytics", "DuckDB for Analytics Engineers"},
	{site + "/blog/release-notes-2026-01", "Release Notes: January"},
	{site + "/blog/customer-story-northwind", "Customer Story: Northwind"},
	{site + "/blog/choosing-a-timeout", "Choosing a Session Timeout"},
	{site + "/blog/cross-property-sessions", "Cross-Property Sessions"},
	{site + "/blog/release-notes-2026-02", "Release Notes: February"},
	{site + "/blog/onboarding-that-works", "Onboarding That Works"},
}

var docsCatalog = []page{
	{"https://docs.example.com/", "Documentation"},
	{"https://docs.example.com/quickstart", "Quickstart"},
	{"https://docs.example.com/concepts/sessions", "Sessions"},
	{"https://docs.example.com/guides/dashboards", "Building Dashboards"},
	{"https://docs.example.com/reference/query-language", "Query Language"},
	{"https://docs.example.com/integrations/segment", "Segment Integration"},
	{"https://docs.example.com/guides/exports", "Exports"},
	{"https://docs.example.com/concepts/identity", "Identity"},
	{"https://docs.example.com/reference/api", "API Reference"},
	{"https://docs.example.com/guides/alerts", "Alerts"},
	{"https://docs.example.com/admin/sso", "Single Sign-On"},
	{"https://docs.example.com/changelog", "Changelog"},
}

// emailCampaigns are the links in marketing emails; 'Email Opened' carries them as url.
// Some tag the medium, some only the source, as teams do.
var emailCampaigns = []string{
	site + "/?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-digest",
	site + "/features/attribution?utm_source=customerio&utm_medium=email&utm_campaign=feature-launch",
	site + "/?utm_source=email&utm_campaign=trial-ending",
	site + "/blog/resurrected-users?utm_source=customerio&utm_medium=email&utm_campaign=we+miss+you",
	site + "/?utm_source=email&utm_campaign=onboarding-day-3",
}

// marketingClicks are the website track events of a browsing visitor.
var marketingClicks = []string{"CTA Clicked", "Video Played", "Newsletter Signup", "Pricing Toggled", "Demo Requested"}

// feature is a product event and the app screen it happens on.
type feature struct{ event, url string }

var featureCatalog = []feature{
	{"Report Viewed", appSite + "/reports"},
	{"Dashboard Viewed", appSite + "/dashboards"},
	{"Query Run", appSite + "/queries"},
	{"Filter Applied", appSite + "/reports"},
	{"Chart Edited", appSite + "/dashboards"},
	{"Dashboard Created", appSite + "/dashboards/new"},
	{"Report Created", appSite + "/reports/new"},
	{"Export Downloaded", appSite + "/reports"},
	{"Alert Created", appSite + "/alerts"},
	{"Invite Sent", appSite + "/settings/team"},
	{"Integration Connected", appSite + "/settings/integrations"},
	{"Billing Updated", appSite + "/settings/billing"},
}

var onboarding = []feature{
	{"Account Created", appSite + "/welcome"},
	{"Onboarding Step Completed", appSite + "/onboarding/connect"},
	{"Integration Connected", appSite + "/onboarding/connect"},
	{"Onboarding Step Completed", appSite + "/onboarding/first-dashboard"},
	{"Dashboard Created", appSite + "/dashboards/new"},
}
