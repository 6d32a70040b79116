package engine

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// mask stands in for a secret in every message.
const mask = "xxxxx"

// Redact is the one place secrets are taken out of text that leaves this
// package: errors, the runs table's error column, status. It masks every
// secret the target's DSN holds, in each spelling a message may repeat it
// (as written, percent-decoded, unquoted and unescaped), and every
// password-like setting or URL password in the text, whatever DSN it came
// from (a driver may echo its own parse of the DSN):
//
//   - URL userinfo: postgres://user:SECRET@host, clickhouse://user:SECRET@host
//   - URL query settings: ?password=SECRET, &pass=SECRET, sslpassword, and
//     any key ending in password, secret or token
//   - libpq key/value settings: password=SECRET, password = 'it\'s SECRET'
//
// A secret is masked where it stands as a whole word, not inside a longer
// one: a password such as "sessionize" is masked in "user=sessionize" but
// leaves the table name "_sessionize_runs" readable.
func Redact(dsn, text string) string {
	for _, s := range dsnSecrets(dsn) {
		text = replaceWord(text, s, mask)
	}
	text = replaceGroup(urlPassword, text, 2)
	return replaceGroup(secretSetting, text, 3)
}

// replaceGroup masks group g of every match of re in text, unless it is
// masked already or is the word "password" itself, as in usage text
// (clickhouse://user:password@host).
func replaceGroup(re *regexp.Regexp, text string, g int) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2*g], m[2*g+1]
		v := text[start:end]
		if strings.HasPrefix(v, mask) || strings.EqualFold(v, "password") {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(mask)
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

// RedactErr is err with redact applied to its message; it still unwraps to
// err, so errors.As finds what it wraps (a refusal stays a refusal).
func RedactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := Redact(dsn, msg); r != msg {
		return redacted{msg: r, err: err}
	}
	return err
}

// RedactDSN is the DSN as written, with its secrets masked, for messages.
func RedactDSN(dsn string) string { return Redact(dsn, dsn) }

type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }
func (r redacted) Unwrap() error { return r.err }

var (
	// urlPassword is the password of a URL's userinfo: scheme://user:PASSWORD@
	// (group 2).
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:@/\s]*):([^@\s/]*)@`)
	// secretSetting is a password-like setting of a URL query or a libpq
	// key/value string, quoted (with backslash escapes) or not; group 3 is
	// its value.
	secretSetting = regexp.MustCompile(`(?i)\b(pass|passwd|pwd|[a-z_]*password|[a-z_]*secret|[a-z_]*token)(\s*=\s*)` +
		`('(?:[^'\\]|\\.)*'?|(?:[^\s\\&#'"` + "`" + `]|\\.)*)`)
)

// isSecretKey reports whether a DSN setting holds a secret.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "pass", "passwd", "pwd":
		return true
	}
	return strings.HasSuffix(k, "password") || strings.HasSuffix(k, "secret") || strings.HasSuffix(k, "token")
}

// dsnSecrets are the secret values of a DSN, in every spelling a message
// may repeat them, longest first.
func dsnSecrets(dsn string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	if i := strings.Index(dsn, "://"); i > 0 {
		urlSecrets(dsn, add)
	} else {
		keyValueSecrets(dsn, add)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// urlSecrets finds a URL DSN's userinfo password and its secret query
// settings, as written and decoded, also when the URL does not parse (libpq
// and pgx read some URLs Go's parser refuses). A setting whose value is
// itself a URL (clickhouse-go's http_proxy) gives its password too.
func urlSecrets(dsn string, add func(...string)) {
	rest := dsn[strings.Index(dsn, "://")+3:]
	authority := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority = rest[:i]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if _, pw, ok := strings.Cut(authority[:at], ":"); ok {
			add(pw, unescape(pw))
		}
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			add(pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
	_, query, ok := strings.Cut(rest, "?")
	if !ok {
		return
	}
	query, _, _ = strings.Cut(query, "#")
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if isSecretKey(unescape(k)) {
			dv := unescape(v)
			add(v, dv, url.QueryEscape(dv), url.PathEscape(dv))
			continue
		}
		if inner := unescape(v); strings.Contains(inner, "://") {
			urlSecrets(inner, add)
		}
	}
}

// keyValueSecrets finds the secret settings of a libpq key/value DSN
// (host=h password='a b'), as written and unquoted, the way libpq reads
// them: values in single quotes, a backslash escaping the next character.
func keyValueSecrets(dsn string, add func(...string)) {
	s := dsn
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return
		}
		key := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\v\f")
		var raw, val strings.Builder
		if strings.HasPrefix(s, "'") {
			raw.WriteByte('\'')
			i := 1
			for ; i < len(s) && s[i] != '\''; i++ {
				raw.WriteByte(s[i])
				if s[i] == '\\' && i+1 < len(s) {
					i++
					raw.WriteByte(s[i])
				}
				val.WriteByte(s[i])
			}
			if i < len(s) {
				raw.WriteByte('\'')
				i++
			}
			s = s[i:]
		} else {
			i := 0
			for ; i < len(s) && !strings.ContainsRune(" \t\n\r\v\f", rune(s[i])); i++ {
				raw.WriteByte(s[i])
				if s[i] == '\\' && i+1 < len(s) {
					i++
					raw.WriteByte(s[i])
				}
				val.WriteByte(s[i])
			}
			s = s[i:]
		}
		if isSecretKey(key) {
			r := raw.String()
			add(r, strings.Trim(r, "'"), val.String())
		}
	}
}

// unescape percent-decodes s, or leaves it as it is where it does not decode.
func unescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// replaceWord replaces each occurrence of old in s that is not part of a
// longer word: where old begins (ends) with a letter, digit or underscore,
// the character before (after) it must not be one.
func replaceWord(s, old, repl string) string {
	if old == "" || !strings.Contains(s, old) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		whole := !(isWord(old[0]) && i > 0 && isWord(s[i-1])) &&
			!(isWord(old[len(old)-1]) && end < len(s) && isWord(s[end]))
		if whole {
			b.WriteString(s[:i])
			b.WriteString(repl)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
