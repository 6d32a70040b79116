package render

import (
	"reflect"
	"strconv"
	"strings"
	"text/template"
)

// Statements are cut where the templates end them, not where a splitter
// reading the rendered text thinks they end. A model's own text reaches the
// SQL as string literals, quoted names, inlined filters and file paths,
// and each engine escapes it its own way (ClickHouse with backslashes:
// 'it\'s; docs'), so no splitter of the finished text is right for all of
// them. While a file renders, that text is a placeholder instead: every
// string of the template data that holds more than letters, digits and _
// (see hide), and whatever the functions that write a model's text into
// SQL return (userText), or any function given a placeholder. The template
// text around the placeholders is sessionize's own, whose literals double
// their quotes; it is split at each `;` outside quotes and comments, and
// the text goes back into each statement and into File.SQL, which reads
// byte for byte as the file always has.

// userText are the template functions whose result holds a model's text.
var userText = map[string]bool{
	"lit": true, "str": true, "q": true, "tbl": true, "published": true, "schema": true,
	"properties": true, "propertyCount": true, "timeout": true, "isBot": true, "channel": true, "functions": true,
}

// placeholders keeps, while one model renders, the text each placeholder
// stands for. A placeholder is "\x00" + its number + "\x01": no template,
// model or engine has a NUL in SQL text.
type placeholders struct{ texts []string }

// hold returns the placeholder of s; "" and text of letters, digits and _
// only are their own placeholders.
func (p *placeholders) hold(s string) string {
	if plain(s) {
		return s
	}
	p.texts = append(p.texts, s)
	return "\x00" + strconv.Itoa(len(p.texts)-1) + "\x01"
}

func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// restore puts the texts back in place of their placeholders.
func (p *placeholders) restore(s string) string {
	if !strings.Contains(s, "\x00") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], 1)
		n, err := strconv.Atoi(s[i+1 : i+max(j, 1)])
		if j < 0 || err != nil || n >= len(p.texts) {
			b.WriteString(s[:i+1]) // not a placeholder
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(p.texts[n])
		s = s[i+j+1:]
	}
}

// file is one rendered step from its text with placeholders: File.SQL as
// the text reads, and its statements cut where the templates end them.
func (p *placeholders) file(name, text string) File {
	f := File{Name: name, SQL: tidy(p.restore(text))}
	for _, s := range split(tidy(text)) {
		f.Statements = append(f.Statements, p.restore(s))
	}
	return f
}

// funcs wraps each function that returns SQL text: its arguments get their
// text back before it runs, and its result is a placeholder when it holds
// a model's text (userText, or an argument that was a placeholder).
func (p *placeholders) funcs(m template.FuncMap) template.FuncMap {
	out := make(template.FuncMap, len(m))
	for name, f := range m {
		fv := reflect.ValueOf(f)
		ft := fv.Type()
		if ft.NumOut() == 0 || ft.Out(0).Kind() != reflect.String {
			out[name] = f
			continue
		}
		out[name] = reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
			held := userText[name]
			for i, a := range in {
				var had bool
				in[i], had = p.restoreValue(a)
				held = held || had
			}
			var res []reflect.Value
			if ft.IsVariadic() {
				res = fv.CallSlice(in)
			} else {
				res = fv.Call(in)
			}
			if held {
				res[0] = reflect.ValueOf(p.hold(res[0].String())).Convert(ft.Out(0))
			}
			return res
		}).Interface()
	}
	return out
}

// restoreValue is an argument with its text back in place of placeholders
// (a string, a slice of strings, or an interface holding one), and whether
// it had any.
func (p *placeholders) restoreValue(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		if r := p.restore(v.String()); r != v.String() {
			return reflect.ValueOf(r).Convert(v.Type()), true
		}
	case reflect.Interface:
		if !v.IsNil() && v.Elem().Kind() == reflect.String {
			if r, had := p.restoreValue(v.Elem()); had {
				n := reflect.New(v.Type()).Elem()
				n.Set(r)
				return n, true
			}
		}
	case reflect.Slice:
		var out reflect.Value
		for i := 0; i < v.Len(); i++ {
			if r, had := p.restoreValue(v.Index(i)); had {
				if !out.IsValid() {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
					reflect.Copy(out, v)
				}
				out.Index(i).Set(r)
			}
		}
		if out.IsValid() {
			return out, true
		}
	}
	return v, false
}

// hide returns a copy of the template data whose strings (in its fields,
// slices and maps, however deep) are placeholders, for the templates to
// print; the functions keep the data itself.
func (p *placeholders) hide(x *data) *data {
	h := p.hideValue(reflect.ValueOf(*x)).Interface().(data)
	return &h
}

func (p *placeholders) hideValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		return reflect.ValueOf(p.hold(v.String())).Convert(v.Type())
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := 0; i < c.NumField(); i++ {
			if c.Field(i).CanSet() {
				c.Field(i).Set(p.hideValue(c.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(p.hideValue(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), p.hideValue(it.Value()))
		}
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(p.hideValue(v.Elem()))
		return c
	}
	return v
}

// split cuts a file's text into its statements at each `;` outside quotes
// and comments. Statements that hold only comments are dropped; the
// comments before a statement stay with it, so an error can show them.
// It reads sessionize's own text, whose quotes are doubled, never a
// model's (see placeholders).
func split(sql string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		s := strings.TrimSpace(b.String())
		b.Reset()
		if hasCode(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			b.WriteString(sql[i : i+j])
			i += j - 1
		case c == ';':
			flush()
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out
}

// hasCode reports whether s holds anything but comments and space.
func hasCode(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}
