package cli

import (
	"os"
	"path/filepath"
	"strings"
)

// modulePath is the module the sessionize command is in (go.mod).
const modulePath = "github.com/sessionize/sessionize"

// demoHints are the commands the demo suggests next, written the way the
// user started sessionize (arg0, from cwd), so that they work as printed:
// from the demo folder dir, or, after a `go run` in a clone that dir lies
// outside of, from cwd with -f.
func demoHints(arg0, cwd, dir string) []string {
	inv, stay := invocation(arg0, cwd, dir)
	if stay {
		in := func(name string) string { return shellQuote(filepath.Join(dir, name)) }
		f := " -f " + in("sessions.yaml")
		return []string{
			inv + " status" + f,
			inv + " export" + f + " sessions | head",
			inv + " render" + f + " -o " + in("sql"),
			inv + " report" + f + " -o " + in("report.html") + " --since 2026-03-01",
		}
	}
	return []string{
		"cd " + shellQuote(dir),
		inv + " status",
		inv + " export sessions | head",
		inv + " render -o sql",
		inv + " report --since 2026-03-01",
	}
}

// invocation is how to run sessionize again: the command as the user ran
// it when the PATH found it, else its path (from dir when it was typed
// relative); and after `go run`, whose binary is gone when it exits, `go run`
// of the command's folder when cwd is in a clone, else of the module's
// latest version. stay says the command works from cwd only (`go run` of a
// folder needs its module), not from dir.
func invocation(arg0, cwd, dir string) (cmd string, stay bool) {
	if !strings.ContainsRune(arg0, filepath.Separator) {
		return arg0, false
	}
	abs := arg0
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	if strings.Contains(abs, string(filepath.Separator)+"go-build") {
		for root := cwd; ; root = filepath.Dir(root) {
			if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
				if modfileModule(b) != modulePath {
					break
				}
				from := dir
				if stay = !within(dir, root); stay {
					from = cwd
				}
				return "go run " + relPath(from, filepath.Join(root, "cmd", "sessionize")), stay
			}
			if filepath.Dir(root) == root {
				break
			}
		}
		return "go run " + modulePath + "/cmd/sessionize@latest", false
	}
	// A path typed relative stays relative, now to dir; an absolute one stays.
	if filepath.IsAbs(arg0) {
		return shellQuote(abs), false
	}
	return shellQuote(relPath(dir, abs)), false
}

// within says whether path is root or lies under it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// relPath is path relative to from, starting with ./ or ../ so that a shell
// and `go run` read it as a path.
func relPath(from, path string) string {
	rel, err := filepath.Rel(from, path)
	if err != nil {
		return path
	}
	if rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		rel = "." + string(filepath.Separator) + rel
	}
	return rel
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if !strings.ContainsAny(s, " '\"$`\\*?&;|<>()") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// modfileModule is the module path a go.mod declares, or "".
func modfileModule(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}
