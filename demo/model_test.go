package demo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sessionize/sessionize/models"
)

func TestModelYAML(t *testing.T) {
	src := ModelYAML(`out/demo "x".duckdb`)
	var m struct {
		Version int
		Name    string
		Sources []struct {
			Name, Type, Class string
			Tables            []struct {
				Table   string
				Columns map[string]*string
			}
		}
		Identifies  []struct{ Table string }
		PassThrough []string `yaml:"pass_through"`
		Bots        []string
		Sessions    map[string]string
		Lifecycle   map[string]string
		Timezone    string
		Output      map[string]string
		Targets     map[string]map[string]string
		Default     string `yaml:"default_target"`
	}
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatalf("ModelYAML is not YAML: %v\n%s", err, src)
	}
	var got []string
	for _, s := range m.Sources {
		for _, tb := range s.Tables {
			cols := []string{}
			for k, v := range tb.Columns {
				if v == nil {
					cols = append(cols, k+"=null")
				} else {
					cols = append(cols, k+"="+*v)
				}
			}
			slices.Sort(cols)
			got = append(got, s.Name+":"+s.Type+":"+s.Class+":"+tb.Table+":"+strings.Join(cols, ","))
		}
	}
	want := []string{
		"website:marketing::website.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
		"website:marketing::website.tracks:locale=context_locale,referrer=context_page_referrer,user_agent=context_user_agent",
		"app:product::app_prod.tracks:locale=context_locale,referrer=context_page_referrer,url=context_page_url,user_agent=context_user_agent",
		"docs:asset:docs:docs.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
		"blog:asset:articles:blog.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sources:\ngot  %q\nwant %q", got, want)
	}
	checks := []struct{ name, got, want string }{
		{"name", m.Name, "demo"},
		{"identifies", m.Identifies[0].Table, "app_prod.identifies"},
		{"inactivity_timeout", m.Sessions["inactivity_timeout"], "30m"},
		{"cross_property_window", m.Sessions["cross_property_window"], "30m"},
		{"late_window", m.Sessions["late_window"], "3d"},
		{"lookback", m.Lifecycle["lookback"], "30d"},
		{"timezone", m.Timezone, "America/New_York"},
		{"output schema", m.Output["schema"], "sessionize"},
		{"dialect", m.Targets["local"]["dialect"], "duckdb"},
		{"path", m.Targets["local"]["path"], `out/demo "x".duckdb`},
		{"default_target", m.Default, "local"},
		{"pass_through", strings.Join(m.PassThrough, ","), "locale"},
		{"bots", strings.Join(m.Bots, ","), "*bot*,*crawler*,*spider*,*headlesschrome*"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if m.Version != 1 || len(m.Targets) != 1 {
		t.Errorf("got version %d and %d targets, want 1 and 1", m.Version, len(m.Targets))
	}
}

// TestModelYAMLLoads wants the model to load and to read every enrichment
// column the tables have.
func TestModelYAMLLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(ModelYAML("demo.duckdb")), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatalf("models.Load: %v", err)
	}
	if got := strings.Join(m.Enrichment.PassThrough, ","); got != "locale" {
		t.Errorf("pass_through: got %q, want locale", got)
	}
	for _, s := range m.Sources {
		for _, tb := range s.Tables {
			c := tb.Columns
			wantRef := "referrer"
			if strings.HasSuffix(tb.Table, ".tracks") {
				wantRef = "context_page_referrer"
			}
			if c.Referrer != wantRef || c.UserAgent != "context_user_agent" || strings.Join(c.PassThrough, ",") != "context_locale" {
				t.Errorf("%s: got referrer %q, user_agent %q, pass-through %q; want %q, context_user_agent, context_locale",
					tb.Table, c.Referrer, c.UserAgent, c.PassThrough, wantRef)
			}
		}
	}

	// Crawlers are bots to the model, people are not (enrichment §2.1 patterns).
	for _, c := range crawlers {
		if !slices.ContainsFunc(m.Enrichment.Bots, func(p string) bool { return matchPattern(p, c.v.ua) }) {
			t.Errorf("crawler %q matches none of bots: %q", c.v.ua, m.Enrichment.Bots)
		}
	}
	for _, ua := range userAgents {
		for _, p := range m.Enrichment.Bots {
			if matchPattern(p, ua.v) {
				t.Errorf("a person's user agent %q matches bots: pattern %q", ua.v, p)
			}
		}
	}
}

// matchPattern is enrichment §2.1's match: the whole value, ASCII letters
// in either case, * for any run of characters.
func matchPattern(pattern, s string) bool {
	parts := strings.Split(strings.ToLower(pattern), "*")
	s = strings.ToLower(s)
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// TestRootModelIsTheDemoModel wants the repository's example sessions.yaml,
// which documents the demo's model, to be that model: the same hash, which
// covers everything but the targets (semantics §5).
func TestRootModelIsTheDemoModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(ModelYAML("demo.duckdb")), 0o644); err != nil {
		t.Fatal(err)
	}
	demo, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := models.Load(filepath.Join("..", "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if root.Hash != demo.Hash {
		t.Errorf("../sessions.yaml hashes to %s, the demo's model to %s: keep them the same model", root.Hash, demo.Hash)
	}
}
